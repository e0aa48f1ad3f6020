"""Rules for ``type``, ``enum``/``const``, numeric and length bounds, ``multipleOf`` and ``pattern``
(coordination.md 2.3 rows 17-18, 23-28)."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING

from blue_tui.core.realm.compat.jsonvalue import JSON_TYPES, join, key
from blue_tui.core.realm.compat.model import Change, disputed
from blue_tui.core.realm.compat.normalize import Norm, effective_types

if TYPE_CHECKING:
    from blue_tui.core.realm.compat.context import Comparer

_ALL = frozenset(JSON_TYPES)


def snake(word: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", word).upper()


def diff(c: Comparer, o: Norm, n: Norm, path: str) -> list[Change]:
    out = _types(o, n, path)
    out += _values(o, n, path)
    out += _numeric(o, n, path)
    out += count(o, n, path, "maxLength", upper=True)
    out += count(o, n, path, "minLength", upper=False)
    out += _multiple_of(o, n, path)
    out += _pattern(c, o, n, path)
    return out


def covers(big: frozenset[str] | None, small: frozenset[str] | None) -> bool:
    """Does a type set ``big`` accept every instance of ``small`` (None = every type)?"""
    if big is None:
        return True
    small = _ALL if small is None else small
    return all(t in big or (t == "integer" and "number" in big) for t in small)


def _types(o: Norm, n: Norm, path: str) -> list[Change]:
    if o.kw.get("type") == n.kw.get("type"):
        return []
    to, tn = effective_types(o), effective_types(n)
    b, f = covers(tn, to), covers(to, tn)
    if b and f:
        return []
    where = join(path, "type")
    shown_o = "any" if to is None else "/".join(sorted(to))
    shown_n = "any" if tn is None else "/".join(sorted(tn))
    text = f"type {shown_o} -> {shown_n}"
    if b:
        rule = "SUM_TYPE_EXTENDED" if tn is not None and len(tn) > len(to or ()) > 0 else "TYPE_EXTENDED"
        return [Change(rule, where, True, False, f"{text}: the new schema accepts more types")]
    if f:
        rule = "SUM_TYPE_NARROWED" if to is not None and len(to) > 1 else "TYPE_NARROWED"
        return [Change(rule, where, False, True, f"{text}: the new schema accepts fewer types")]
    return [Change("TYPE_CHANGED", where, False, False, f"{text}: neither accepts all of the other")]


def _values(o: Norm, n: Norm, path: str) -> list[Change]:
    vo, vn = o.kw.get("values"), n.kw.get("values")
    if vo is None and vn is None:
        return []
    word = n.words.get("values") or o.words.get("values") or "enum"
    word = "const" if word == "const" else "enum"
    where = join(path, word)
    if vo is None:
        return [
            Change(
                f"{snake(word)}_ADDED", where, False, True, f"{word} added: only listed values are valid now"
            )
        ]
    if vn is None:
        return [
            Change(f"{snake(word)}_REMOVED", where, True, False, f"{word} removed: any value is valid now")
        ]
    ko, kn = {key(v) for v in vo}, {key(v) for v in vn}
    if ko == kn:
        return []
    gained = [v for v in vn if key(v) not in ko]
    lost = [v for v in vo if key(v) not in kn]
    if not lost:
        return [Change("ENUM_ARRAY_EXTENDED", where, True, False, f"values added: {_show(gained)}")]
    if not gained:
        return [Change("ENUM_ARRAY_NARROWED", where, False, True, f"values removed: {_show(lost)}")]
    return [
        Change(
            "ENUM_ARRAY_CHANGED",
            where,
            False,
            False,
            f"values added {_show(gained)} and removed {_show(lost)}",
        )
    ]


def _show(values: list[object]) -> str:
    import json

    text = ", ".join(json.dumps(v, ensure_ascii=False) for v in values[:5])
    return text + (f" (+{len(values) - 5} more)" if len(values) > 5 else "")


Bound = tuple[Fraction, bool]  # value, exclusive


def _bound(n: Norm, inclusive: str, exclusive: str, upper: bool) -> Bound | None:
    found: list[Bound] = []
    if inclusive in n.kw:
        found.append((n.kw[inclusive], False))
    if exclusive in n.kw:
        found.append((n.kw[exclusive], True))
    if not found:
        return None
    # The tighter bound wins; at equal values the exclusive one is tighter.
    return min(found, key=lambda b: (b[0], not b[1])) if upper else max(found, key=lambda b: (b[0], b[1]))


def _looser(new: Bound | None, old: Bound | None, upper: bool) -> bool:
    """Does bound ``new`` accept every number ``old`` accepts?"""
    if new is None:
        return True
    if old is None:
        return False
    if new[0] != old[0]:
        return new[0] > old[0] if upper else new[0] < old[0]
    return not new[1] or old[1]


def _numeric(o: Norm, n: Norm, path: str) -> list[Change]:
    out = []
    for inclusive, exclusive, upper in (
        ("maximum", "exclusiveMaximum", True),
        ("minimum", "exclusiveMinimum", False),
    ):
        bo, bn = _bound(o, inclusive, exclusive, upper), _bound(n, inclusive, exclusive, upper)
        if bo == bn:
            continue
        b, f = _looser(bn, bo, upper), _looser(bo, bn, upper)
        changed = [w for w in (inclusive, exclusive) if o.kw.get(w) != n.kw.get(w)]
        word = changed[0] if len(changed) == 1 else (exclusive if bn and bn[1] else inclusive)
        before, after = o.kw.get(word), n.kw.get(word)
        if len(changed) > 1:
            verb = "CHANGED"
        elif before is None:
            verb = "ADDED"
        elif after is None:
            verb = "REMOVED"
        else:
            verb = "INCREASED" if after > before else "DECREASED"
        text = f"{'upper' if upper else 'lower'} bound {_show_bound(bo, upper)} -> {_show_bound(bn, upper)}"
        out.append(Change(f"{snake(word)}_{verb}", join(path, word), b, f, text))
    return out


def _show_bound(b: Bound | None, upper: bool) -> str:
    if b is None:
        return "none"
    sign = ("<" if b[1] else "<=") if upper else (">" if b[1] else ">=")
    return f"{sign} {b[0]}"


def count(o: Norm, n: Norm, path: str, word: str, *, upper: bool, default: int | None = None) -> list[Change]:
    """Integer bounds: maxLength, minItems, maxProperties, minContains ..."""
    before, after = o.kw.get(word, default), n.kw.get(word, default)
    if before == after:
        return []
    if after is None:
        verb, looser = "REMOVED", True
    elif before is None:
        verb, looser = "ADDED", False
    else:
        verb = "INCREASED" if after > before else "DECREASED"
        looser = after > before if upper else after < before
    text = f"{word} {'none' if before is None else before} -> {'none' if after is None else after}"
    return [Change(f"{snake(word)}_{verb}", join(path, word), looser, not looser, text)]


def _multiple_of(o: Norm, n: Norm, path: str) -> list[Change]:
    mo, mn = o.kw.get("multipleOf"), n.kw.get("multipleOf")
    if mo == mn:
        return []
    where = join(path, "multipleOf")
    if mn is None:
        return [Change("MULTIPLE_OF_REMOVED", where, True, False, f"multipleOf {mo} removed")]
    if mo is None:
        return [Change("MULTIPLE_OF_ADDED", where, False, True, f"multipleOf {mn} added")]
    text = f"multipleOf {mo} -> {mn}"
    if (mo / mn).denominator == 1:
        return [Change("MULTIPLE_OF_REDUCED", where, True, False, f"{text}: every old multiple is a new one")]
    if (mn / mo).denominator == 1:
        return [
            Change("MULTIPLE_OF_EXPANDED", where, False, True, f"{text}: every new multiple is an old one")
        ]
    return [Change("MULTIPLE_OF_CHANGED", where, False, False, f"{text}: neither divides the other")]


def _pattern(c: Comparer, o: Norm, n: Norm, path: str) -> list[Change]:
    po, pn = o.kw.get("pattern"), n.kw.get("pattern")
    if po == pn:
        return []
    where = join(path, "pattern")
    if pn is None:
        return [Change("PATTERN_REMOVED", where, True, False, f"pattern {po!r} removed")]
    if po is None:
        return [Change("PATTERN_ADDED", where, False, True, f"pattern {pn!r} added")]
    back, forth = c.patterns(po, pn, where)
    text = f"pattern changed {po!r} -> {pn!r}"
    if back.verdict is True and forth.verdict is True:
        text += ": both match the same strings"
        return [disputed(Change("PATTERN_CHANGED", where, True, True, text, semantic=False), _CONFLUENT)]
    if back.verdict is True or forth.verdict is True:
        wider = "new" if back.verdict is True else "old"
        text += f": the {wider} pattern matches every string the other does, and more"
    reasons = dict.fromkeys(d.reason for d in (back, forth) if d.verdict is None)
    if reasons:
        text += "; not decided: " + "; ".join(reasons) + " (a counterexample turns this into incompatible)"
    return [disputed(Change("PATTERN_CHANGED", where, back.verdict, forth.verdict, text), _CONFLUENT)]


_CONFLUENT = (False, False)  # Confluent compares pattern text: any change breaks both ways
