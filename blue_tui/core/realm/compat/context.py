"""The comparison walk: pairs of schemas in, :class:`Change` lists out.

Each keyword group (scalars, objects, arrays, combinators) lives in its own module and is called
from :meth:`Comparer.diff`. Verdicts are *sound*: a ``True`` is only given when every document
the rule covers really is accepted (except where a policy says otherwise on purpose: ``lenient``,
or ``readers_apply_defaults``); when that cannot be shown the verdict is ``False`` or ``None``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from blue_tui.core.realm.compat import automata
from blue_tui.core.realm.compat.jsonvalue import join, key
from blue_tui.core.realm.compat.model import Change, Verdict, overall
from blue_tui.core.realm.compat.normalize import Norm, Normalizer
from blue_tui.core.realm.compat.resolve import S

MAX_DEPTH = 96
MAX_CALLS = 20_000
#: Distinct pattern pairs decided with automata per comparison (each has its own work budget).
MAX_PATTERN_PAIRS = 64

_META_RULES = {
    "title": "TITLE_CHANGED", "description": "DESCRIPTION_CHANGED", "$id": "ID_CHANGED",
    "id": "ID_CHANGED", "default": "DEFAULT_CHANGED", "examples": "EXAMPLES_CHANGED",
    "format": "FORMAT_CHANGED", "$comment": "COMMENT_CHANGED",
}  # fmt: skip


def both(*verdicts: Verdict) -> Verdict:
    return overall(verdicts)


class Comparer:
    def __init__(self, *, policy: str, readers_apply_defaults: bool) -> None:
        self.policy = policy
        self.defaults = readers_apply_defaults
        self.norm = Normalizer()
        self._stack: set[tuple[int, int]] = set()
        self._calls = 0
        self._keys: dict[int, tuple[Any, Hashable | None]] = {}
        self._pattern_pairs: set[tuple[str, str]] = set()
        #: Values worth trying first when looking for a counterexample: (path, direction) -> values.
        self.hints: dict[tuple[str, str], tuple[Any, ...]] = {}

    @property
    def lenient(self) -> bool:
        return self.policy == "lenient"

    @contextmanager
    def strict(self) -> Iterator[None]:
        """Inside ``not`` the lenient premise (undeclared fields never written) turns round."""
        saved = self.policy
        self.policy = "strict"
        try:
            yield
        finally:
            self.policy = saved

    def _plain_key(self, raw: Any) -> Hashable | None:
        """JSON key of a schema without any reference inside (None when it has one); memoised."""
        if not isinstance(raw, dict | list):
            return key(raw)
        hit = self._keys.get(id(raw))
        if hit is not None:
            return hit[1]
        result: Hashable | None
        if isinstance(raw, dict):
            if any(w in raw for w in _REF_WORDS):
                result = None
            else:
                parts = [(k, self._plain_key(v)) for k, v in raw.items()]
                result = None if any(p is None for _, p in parts) else ("obj", frozenset(parts))
        else:
            items = [self._plain_key(v) for v in raw]
            result = None if any(p is None for p in items) else ("arr", tuple(items))
        self._keys[id(raw)] = (raw, result)
        return result

    # ---- helpers for the rule modules ----

    def is_true(self, s: S | None) -> bool:
        return s is None or self.norm(s).is_true

    def is_false(self, s: S | None) -> bool:
        return s is not None and self.norm(s).is_false

    def sub(self, o: S | None, n: S | None, path: str, *, what: str = "subschema") -> list[Change]:
        """Compare an optional subschema keyword (absent = accepts everything)."""
        if o is None and n is None:
            return []
        if o is None:
            if self.is_true(n):
                return []
            return [Change("SCHEMA_ADDED", path, False, True, f"{what} added: it constrains documents")]
        if n is None:
            if self.is_true(o):
                return []
            return [
                Change(
                    "SCHEMA_REMOVED", path, True, False, f"{what} removed: it no longer constrains documents"
                )
            ]
        return self.diff(o, n, path)

    def patterns(self, old: str, new: str, path: str) -> tuple[automata.Decision, automata.Decision]:
        """Regex inclusion both ways (old in new, new in old); witnesses become counterexample hints."""
        if (old, new) not in self._pattern_pairs and len(self._pattern_pairs) >= MAX_PATTERN_PAIRS:
            reason = f"more than {MAX_PATTERN_PAIRS} pattern changes in one comparison"
            return automata.Decision(None, reason), automata.Decision(None, reason)
        self._pattern_pairs.add((old, new))
        back, forth = automata.inclusion(old, new)
        for direction, decision in (("backward", back), ("forward", forth)):
            if decision.witnesses:
                self.hints[(path, direction)] = decision.witnesses
        return back, forth

    # ---- the walk ----

    def diff(self, o: S, n: S, path: str) -> list[Change]:
        pair = (id(o.raw), id(n.raw))
        if pair in self._stack:
            return []  # a recursive schema met itself: assume what is being proved (coinduction)
        if len(self._stack) >= MAX_DEPTH:
            return [Change("SCHEMA_TOO_DEEP", path, None, None, "schemas nest too deeply to compare here")]
        self._calls += 1
        if self._calls > MAX_CALLS:
            return [Change("SCHEMA_TOO_LARGE", path, None, None, "comparison budget exhausted; not compared")]
        same = o.doc.draft == n.doc.draft and self._plain_key(o.raw) is not None
        if same and self._plain_key(o.raw) == self._plain_key(n.raw):
            return []  # same text and no references inside: same documents
        self._stack.add(pair)
        try:
            return self._diff(o, n, self.norm(o), self.norm(n), path)
        finally:
            self._stack.discard(pair)

    def _diff(self, so: S, sn: S, o: Norm, n: Norm, path: str) -> list[Change]:
        from blue_tui.core.realm.compat import arrays, combinators, objects, scalars

        out = self._meta(o, n, path)
        if o.problems or n.problems:
            same = key(so.raw) == key(sn.raw) and o.problems == n.problems
            if not same:
                reasons = "; ".join(dict.fromkeys(o.problems + n.problems))
                rule = "REF_NOT_FOLLOWED" if "$ref" in reasons or "Ref" in reasons else "SCHEMA_MALFORMED"
                out.append(Change(rule, path, None, None, f"not compared: {reasons}"))
        if o.is_false and n.is_false:
            return out
        if o.is_false:
            out.append(
                Change("SCHEMA_WIDENED_FROM_FALSE", path, True, False, "schema was false (accepts nothing)")
            )
            return out
        if n.is_false:
            out.append(
                Change("SCHEMA_NARROWED_TO_FALSE", path, False, True, "schema is now false (accepts nothing)")
            )
            return out
        if n.is_true and not o.is_true:
            out.append(
                Change("SCHEMA_WIDENED_TO_ANY", path, True, False, "schema now accepts every document")
            )
            return out
        single = combinators.single_union(self, so, sn, o, n, path)
        if single is not None:
            return out + single
        out += scalars.diff(self, o, n, path)
        out += objects.diff(self, so, sn, o, n, path)
        out += arrays.diff(self, so, sn, o, n, path)
        out += combinators.diff(self, o, n, path)
        return out

    def _meta(self, o: Norm, n: Norm, path: str) -> list[Change]:
        out = []
        for word in dict.fromkeys([*o.meta, *n.meta]):
            before, after = o.meta.get(word, _ABSENT), n.meta.get(word, _ABSENT)
            if before is not _ABSENT and after is not _ABSENT and key(before) == key(after):
                continue
            rule = _META_RULES.get(word, "ANNOTATION_CHANGED")
            how = "added" if before is _ABSENT else "removed" if after is _ABSENT else "changed"
            if word == "default":
                message = f"default {how}: documents validate the same, but readers that fill in defaults see other values"
            else:
                message = f"{word} {how} (does not change which documents are valid)"
            out.append(
                Change(rule, join(path, word), True, True, message, warning=word == "default", semantic=False)
            )
        return out


class _Absent:
    pass


_ABSENT: Any = _Absent()


_REF_WORDS = ("$ref", "$dynamicRef", "$recursiveRef")
