"""Array rules: ``items`` / ``prefixItems`` (tuple content models), ``additionalItems``,
``contains``, ``uniqueItems`` and item counts (coordination.md 2.3 rows 25-26, 29-31)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from blue_tui.core.realm.compat.jsonvalue import join, key
from blue_tui.core.realm.compat.model import Change, Verdict, overall
from blue_tui.core.realm.compat.normalize import Norm
from blue_tui.core.realm.compat.resolve import S
from blue_tui.core.realm.compat.scalars import count

if TYPE_CHECKING:
    from blue_tui.core.realm.compat.context import Comparer


def _rest(c: Comparer, n: Norm) -> tuple[str, S | None, str]:
    """(kind, schema, keyword) for the items after the tuple prefix."""
    rest = n.kw.get("items")
    word = n.words.get("rest", "items")
    if rest is None and "unevaluatedItems" in n.kw:
        if n.applicators:
            return "unknown", None, "unevaluatedItems"
        rest, word = n.kw["unevaluatedItems"], "unevaluatedItems"
    if rest is None or c.is_true(rest):
        return "open", None, word
    if c.is_false(rest):
        return "closed", rest, word
    return "partial", rest, word


def diff(c: Comparer, so: S, sn: S, o: Norm, n: Norm, path: str) -> list[Change]:
    out: list[Change] = []
    prefix_o, prefix_n = o.kw.get("prefixItems", []), n.kw.get("prefixItems", [])
    pword = n.words.get("prefix") or o.words.get("prefix") or "prefixItems"
    kind_o, rest_o, word_o = _rest(c, o)
    kind_n, rest_n, word_n = _rest(c, n)
    if "unknown" in (kind_o, kind_n):
        if key(so.raw) != key(sn.raw):
            out.append(Change(
                "UNEVALUATED_ITEMS_UNDECIDED", join(path, "unevaluatedItems"), None, None,
                "unevaluatedItems depends on items evaluated by subschemas; not decided here",
            ))  # fmt: skip
    else:
        for i in range(max(len(prefix_o), len(prefix_n))):
            where = join(path, pword, i)
            if i < len(prefix_o) and i < len(prefix_n):
                out += c.diff(prefix_o[i], prefix_n[i], where)
            elif i < len(prefix_n):
                out += _item(c, "ADDED", kind_o, rest_o, prefix_n[i], where, word_o)
            else:
                out += _item(c, "REMOVED", kind_n, rest_n, prefix_o[i], where, word_n)
        out += _rest_change(c, (kind_o, rest_o), (kind_n, rest_n), path, word_n if kind_n != "open" else word_o,
                            bool(prefix_o or prefix_n))  # fmt: skip
    out += count(o, n, path, "maxItems", upper=True)
    out += count(o, n, path, "minItems", upper=False)
    if o.kw.get("uniqueItems") != n.kw.get("uniqueItems"):
        if n.kw.get("uniqueItems"):
            out.append(
                Change(
                    "UNIQUE_ITEMS_ADDED", join(path, "uniqueItems"), False, True, "items must now be unique"
                )
            )
        else:
            out.append(
                Change("UNIQUE_ITEMS_REMOVED", join(path, "uniqueItems"), True, False, "items may now repeat")
            )
    out += _contains(c, o, n, path)
    return out


def _item(
    c: Comparer, verb: str, kind: str, rest: S | None, declared: S, where: str, word: str
) -> list[Change]:
    """A tuple position declared on one side only, judged against the other side's rest model."""
    added = verb == "ADDED"
    if kind == "open":
        if c.is_true(declared):
            return [Change(f"ITEM_WITH_EMPTY_SCHEMA_{verb}_{'TO' if added else 'FROM'}_OPEN_CONTENT_MODEL",
                           where, True, True, f"tuple item {verb.lower()} with an empty schema")]  # fmt: skip
        b, f = (False, True) if added else (True, False)
        rule = f"ITEM_{verb}_{'TO' if added else 'FROM'}_OPEN_CONTENT_MODEL"
        return [Change(rule, where, b, f, f"tuple item {verb.lower()}; the other side allows any item here")]
    if kind == "closed":
        if c.is_false(declared):
            return [Change(f"ITEM_WITH_FALSE_{verb}_{'TO' if added else 'FROM'}_CLOSED_CONTENT_MODEL",
                           where, True, True, f"tuple item {verb.lower()} with schema false")]  # fmt: skip
        b, f = (True, False) if added else (False, True)
        rule = f"ITEM_{verb}_{'TO' if added else 'FROM'}_CLOSED_CONTENT_MODEL"
        return [Change(rule, where, b, f, f"tuple item {verb.lower()}; the other side allows no item here")]
    assert rest is not None
    subs = c.diff(rest, declared, where) if added else c.diff(declared, rest, where)
    covered = overall(x.backward for x in subs) is True and overall(x.forward for x in subs) is True
    rule = f"ITEM_{verb}_{'IS' if covered else 'NOT'}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    text = f"tuple item {verb.lower()}; {word} {'covers' if covered else 'does not cover'} it"
    return [Change(rule, where, True, True, text), *subs]


_REST_RULES: dict[tuple[str, str], tuple[str, Verdict, Verdict]] = {
    ("closed", "open"): ("ADDED", True, False), ("open", "closed"): ("REMOVED", False, True),
    ("open", "partial"): ("NARROWED", False, True), ("partial", "open"): ("EXTENDED", True, False),
    ("closed", "partial"): ("EXTENDED", True, False), ("partial", "closed"): ("NARROWED", False, True),
}  # fmt: skip


def _rest_change(c: Comparer, old: tuple[str, S | None], new: tuple[str, S | None], path: str, word: str,
                 tuple_form: bool) -> list[Change]:  # fmt: skip
    (kind_o, rest_o), (kind_n, rest_n) = old, new
    if kind_o == kind_n and kind_o != "partial":
        return []
    where = join(path, word)
    if kind_o == "partial" and kind_n == "partial":
        assert rest_o is not None and rest_n is not None
        return c.diff(rest_o, rest_n, where)
    if not tuple_form:  # plain `items`: row 30
        if kind_o == "open":
            return c.sub(None, rest_n, where, what=word)
        if kind_n == "open":
            return c.sub(rest_o, None, where, what=word)
        assert rest_o is not None and rest_n is not None
        return c.diff(rest_o, rest_n, where)
    verb, b, f = _REST_RULES[(kind_o, kind_n)]
    prefix = "UNEVALUATED_ITEMS" if word == "unevaluatedItems" else "ADDITIONAL_ITEMS"
    return [Change(f"{prefix}_{verb}", where, b, f, f"items after the tuple: {kind_o} -> {kind_n}")]


def _contains(c: Comparer, o: Norm, n: Norm, path: str) -> list[Change]:
    co, cn = o.kw.get("contains"), n.kw.get("contains")
    if co is None and cn is None:
        return []
    out = []
    if co is not None and cn is not None:
        sub = c.diff(co, cn, join(path, "contains"))
        if sub and ("maxContains" in o.kw or "maxContains" in n.kw):
            out.append(Change(
                "CONTAINS_CHANGED", join(path, "contains"), None, None,
                "contains changed under maxContains: more matching items can break the upper bound; not decided",
            ))  # fmt: skip
        else:
            out += sub
        out += count(o, n, path, "minContains", upper=False, default=1)
        out += count(o, n, path, "maxContains", upper=True)
        return out
    if co is None:
        return [
            Change(
                "SCHEMA_ADDED",
                join(path, "contains"),
                False,
                True,
                "contains added: arrays need a matching item",
            )
        ]
    return [Change("SCHEMA_REMOVED", join(path, "contains"), True, False, "contains removed")]
