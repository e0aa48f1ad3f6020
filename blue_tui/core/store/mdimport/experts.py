"""Who is who: the experts of one dialogue and every way a file names them.

A panel row registers ``🧁 Muffin`` as ``muffin``; later ``Muffin``, ``MUFFIN``,
``Muffin (Systems Architect)``, ``muffin.md``, ``Expert 3`` (for a numbered panel)
or an ID as written (``DS``) all find it. First names of multi-word names are weak
aliases: two experts called Alex make ``Alex`` name nobody. A cell can name several
(``Muffin, Scone``, ``🧁 Muffin + 🧁 Eclair R1``) or everyone (``All 6 agents``,
``R0 (all)``, ``Unanimous``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from blue_tui.core.store.entities import slugify
from blue_tui.core.store.mdimport.tables import emoji_of, strip_emoji, strip_markup
from blue_tui.core.store.mdimport.textops import drop_parens, paren_groups, split_any, squash

_JUDGE = re.compile(r"^(?:💙[ \t]*)?(?:the[ \t]+)?(judge|facilitator|moderator|orchestrator)\b", re.I)
_EXPERT_N = re.compile(r"^(?:expert[ \t]*#?[ \t]*)?(\d{1,3})$", re.I)
_ROUND_TOKEN = re.compile(r"\bR\d{1,3}\b|\bRound[ \t]+\d{1,3}\b", re.I)
_EVERYONE = re.compile(
    r"^(?:all(?:[ \t]+\d{1,3})?(?:[ \t]+(?:agents|experts|pastries|panelists|members))?|everyone|everybody"
    r"|unanimous|whole[ \t]+panel|entire[ \t]+panel|panel)$",
    re.I,
)
_PEOPLE_SEPARATORS = ",+&/;"
_WORD_SEPARATORS = (" and ", " vs. ", " vs ")
MAX_NAME = 200
MAX_CELL = 4000


@dataclass
class Expert:
    slug: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, int | float] = field(default_factory=dict)
    total: int | float | None = None
    rounds: list[int] = field(default_factory=list)
    #: Markers of this expert kept as their own contributions (see inventory.py).
    contributions: list[dict[str, Any]] = field(default_factory=list)


@lru_cache(maxsize=4096)
def alias_key(text: str) -> str:
    """How a name is compared: no markup, emoji, parenthesised roles or possessives, lower case."""
    clean = drop_parens(strip_emoji(strip_markup(text[:MAX_NAME]))).replace("’", "'")
    words = [w[:-2] if w.endswith("'s") else w for w in clean.lower().split()]
    return squash(" ".join(words)).strip(" :*_-—–.,")


def is_judge(text: str, *, whole: bool = False) -> bool:
    """Does ``text`` name the Judge (``💙 Judge``, ``The Judge``, ``Facilitator``)?

    ``whole``: the text is nothing but that name (a speaker label), not a sentence that
    starts with it ("**The Judge needs context from prior rounds to:**").
    """
    clean = strip_markup(text[:MAX_NAME]).strip()
    if clean == "💙":
        return True
    if whole:
        clean = squash(drop_parens(strip_emoji(clean))).strip(" :")
        found = _JUDGE.match(clean)
        return found is not None and found.end() == len(clean)
    return bool(_JUDGE.match(clean))


@lru_cache(maxsize=4096)
def names_everyone(text: str) -> bool:
    """``All 6 agents``, ``all``, ``Unanimous``, ``(all)``: the whole panel."""
    clean = squash(_ROUND_TOKEN.sub(" ", strip_emoji(strip_markup(text[:MAX_NAME]))))
    if _EVERYONE.match(clean.strip(" .:—–-")):
        return True
    return any(_EVERYONE.match(group.strip()) for group in paren_groups(clean))


class Experts:
    """The experts of one dialogue, in the order they were first named."""

    def __init__(self) -> None:
        self.by_slug: dict[str, Expert] = {}
        self.aliases: dict[str, str] = {}
        self.judge: dict[str, Any] | None = None
        self._people_cache: dict[str, tuple[int, list[str]]] = {}

    def __contains__(self, slug: object) -> bool:
        return slug in self.by_slug

    def __getitem__(self, slug: str) -> Expert:
        return self.by_slug[slug]

    def __len__(self) -> int:
        return len(self.by_slug)

    def values(self) -> list[Expert]:
        return list(self.by_slug.values())

    def register(self, name: str, **fields: Any) -> str | None:
        """Register (or complete) the expert called ``name``; returns its slug, None for the Judge."""
        raw = strip_markup(name[:MAX_NAME])
        if not raw.strip() or is_judge(raw):
            if raw.strip():
                judge = self.judge or {"name": strip_emoji(raw) or "Judge"}
                for key, value in fields.items():
                    if value not in (None, "") and key not in judge:
                        judge[key] = value
                self.judge = judge
            return None
        emoji = emoji_of(raw)
        display = squash(drop_parens(strip_emoji(raw))) or strip_emoji(raw) or raw.strip()
        numbered = _EXPERT_N.match(display)
        if numbered:
            display = f"Expert {int(numbered.group(1))}"
        slug = self.find(display) or self.find(raw)
        if slug is None:
            slug = base = slugify(display)
            n = 2
            while slug in self.by_slug:
                slug = f"{base}-{n}"
                n += 1
            self.by_slug[slug] = Expert(slug, display)
            self._alias(display, slug)
            self._alias(slug, slug)
            first = display.split()[0] if display.split() else ""
            if first and first.lower() != display.lower() and len(first) > 2:
                self._alias(first, slug, weak=True)
        exp = self.by_slug[slug]
        if emoji and "emoji" not in exp.fields:
            exp.fields["emoji"] = emoji
        for key, value in fields.items():
            if value in (None, ""):
                continue
            if key == "id":
                self._alias(str(value), slug)
            if key not in exp.fields:
                exp.fields[key] = value
        return slug

    def _alias(self, text: str, slug: str, *, weak: bool = False) -> None:
        key = alias_key(text)
        if not key:
            return
        current = self.aliases.get(key)
        if current is None:
            self.aliases[key] = slug
        elif current != slug and weak:
            self.aliases[key] = ""  # ambiguous first name: resolves to nobody

    def find(self, text: str) -> str | None:
        """The slug of the expert ``text`` names, or None."""
        key = alias_key(text)
        if not key:
            return None
        slug = self.aliases.get(key)
        if slug:
            return slug
        numbered = _EXPERT_N.match(key)
        if numbered:
            return self.aliases.get(f"expert {int(numbered.group(1))}") or None
        words = key.split()
        if len(words) > 1:
            # "Muffin Systems Architect", "Alex Chen Distributed Systems": the name comes first.
            for size in range(min(len(words) - 1, 6), 0, -1):
                slug = self.aliases.get(" ".join(words[:size]))
                if slug:
                    return slug
        return None

    def by_initial(self, letter: str) -> str | None:
        """The one expert whose name starts with ``letter`` (``T1-S`` is Scone's), or None."""
        found = [e.slug for e in self.by_slug.values() if e.name[:1].lower() == letter.lower()]
        return found[0] if len(found) == 1 else None

    def named_in(self, text: str) -> list[str]:
        """Slugs of the experts a cell names (``"Cupcake, Croissant"``, ``"All 6 agents"``)."""
        cached = self._people_cache.get(text)
        if cached is not None and cached[0] == len(self.by_slug):
            return list(cached[1])
        found = self._named_in(text[:MAX_CELL])
        self._people_cache[text] = (len(self.by_slug), found)
        return list(found)

    def _named_in(self, text: str) -> list[str]:
        if names_everyone(text):
            return list(self.by_slug)
        clean = strip_markup(text)
        for word in _WORD_SEPARATORS:
            if word in clean.lower():
                clean = re.sub(re.escape(word), ",", clean, flags=re.I)
        found: list[str] = []
        for raw in split_any(clean, _PEOPLE_SEPARATORS):
            part = squash(_ROUND_TOKEN.sub(" ", drop_parens(raw)))
            if not part:
                continue
            slug = self.find(part)
            if slug and slug not in found:
                found.append(slug)
        return found
