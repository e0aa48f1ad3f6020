"""Status words: what a status cell, a ``**Status:**`` line or a dialogue header says.

Dialogues write statuses every way: ``Resolved``, ``**RESOLVED**``, ``✅ Resolved``,
``✓ RESOLVED (R1)``, ``Resolved R2``, ``Partial``, ``Moot - no patent pursued``,
``DEFERRED``, ``6/6 ✓ (STRONG)`` (a consensus count), ``Open → addressed``. Each
becomes one short keyword; the text as written is kept beside it by the caller
(``status_text``). Perspectives and tensions read a check mark differently: a
tension with a tick is resolved, a perspective with a tick is accepted.
"""

from __future__ import annotations

import re
from functools import lru_cache

from blue_tui.core.store.mdimport.tables import strip_emoji, strip_markup

DEFAULT_STATUS = {
    "perspective": "open",
    "tension": "open",
    "recommendation": "proposed",
    "evidence": "cited",
    "claim": "asserted",
}
#: Tension statuses that mean "not settled" for the converged-with-open-tensions check.
UNSETTLED = frozenset({"open", "reopened", "addressed", "conditional"})

_WORDS: dict[str, str] = {
    "resolved": "resolved",
    "resolve": "resolved",
    "closed": "resolved",
    "done": "resolved",
    "settled": "resolved",
    "reopened": "reopened",
    "reopen": "reopened",
    "open": "open",
    "opened": "open",
    "new": "open",
    "active": "open",
    "unresolved": "open",
    "pending": "open",
    "raised": "open",
    "addressed": "addressed",
    "partially": "addressed",
    "partial": "addressed",
    "narrowed": "addressed",
    "acknowledged": "addressed",
    "in": "open",  # "in progress"
}
#: Words that mean "agreed": a settled tension, an accepted perspective.
_AGREED = frozenset({"consensus", "agreed", "unanimous", "ratified"})
_KEEP = frozenset(
    {
        "accepted",
        "deferred",
        "superseded",
        "subsumed",
        "conditional",
        "withdrawn",
        "rejected",
        "kept",
        "adopted",
        "refined",
        "conceded",
        "merged",
        "relaxed",
        "elevated",
        "proposed",
        "amended",
        "cited",
        "challenged",
        "confirmed",
        "refuted",
        "asserted",
        "supported",
        "opposed",
        "evolved",
        "converged",
        "dropped",
        "invalid",
        "invalidated",
        "moot",
    }
)
_CHECKS = ("✅", "✓", "✔", "☑")
_CROSSES = ("❌", "✗", "✘")
_WORD = re.compile(r"[a-z]+")
_FRACTION = re.compile(r"\d{1,4}\s*/\s*\d{1,4}")
MAX_FREE_WORD = 20

#: Written dialogue statuses and RFC 0051's value for them; the earliest match in a text wins.
_DIALOGUE_STATUS = (
    (re.compile(r"\babandon|\bcancel", re.I), "abandoned"),
    (re.compile(r"\bnot[ \t]+(?:yet[ \t]+)?converged|\bno[ \t]+convergence", re.I), "open"),
    (re.compile(r"\bconverging\b", re.I), "converging"),
    (
        re.compile(
            r"\bconverged\b|\bconvergence[ \t]+achieved|\bcomplete[d]?\b|\bconcluded\b|✓[ \t]*achieved", re.I
        ),
        "converged",
    ),
    (re.compile(r"\bin[ \t]+progress|\bawaiting|\bdraft\b|\bopen\b|\bactive\b|\bongoing\b", re.I), "open"),
)
MAX_STATUS_TEXT = 2000


def _agreed(kind: str | None) -> str:
    return "resolved" if kind in (None, "tension") else "accepted"


@lru_cache(maxsize=4096)
def normalize_status(text: str, kind: str | None = None, *, loose: bool = False) -> str | None:
    """A short status keyword for what a cell or line says, or None.

    ``"**RESOLVED** (kept)"`` -> ``resolved``; ``"6/6 ✓ (STRONG)"`` -> ``accepted`` for a
    perspective; ``"3/6"`` -> ``open``. ``loose`` (a Status column) also accepts a short
    word this module does not know, as written (``"Parked"`` -> ``parked``).
    """
    text = text[:MAX_STATUS_TEXT]
    clean = strip_emoji(strip_markup(text)).lower().lstrip()
    checked = any(mark in text for mark in _CHECKS)
    if _FRACTION.match(clean):
        # A consensus count ("5/6 ✓", "2/6"): agreed when ticked, still open otherwise.
        return _agreed(kind) if checked else "open"
    match = _WORD.search(clean)
    if match is None:
        if checked:
            return _agreed(kind)
        return "rejected" if any(mark in text for mark in _CROSSES) else None
    word = match.group(0)
    if word in _WORDS:
        return _WORDS[word]
    if word in _AGREED:
        return _agreed(kind)
    if word in _KEEP:
        return word
    if loose and match.start() == 0 and len(word) <= MAX_FREE_WORD:
        return word
    return None


@lru_cache(maxsize=1024)
def dialogue_status(text: str) -> str | None:
    """RFC 0051's dialogue status (open, converging, converged, abandoned) for a written one."""
    clean = strip_markup(text[:MAX_STATUS_TEXT])
    best: tuple[int, str] | None = None
    for pattern, status in _DIALOGUE_STATUS:
        found = pattern.search(clean)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), status)
    return best[1] if best else None
