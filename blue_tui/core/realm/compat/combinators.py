"""Composition: ``anyOf``/``oneOf`` (unions), ``allOf`` members left as separate conjuncts,
``not`` and ``if``/``then``/``else`` (coordination.md 2.3 rows 19-22, 33).

Branches are paired first by equality, then by position, then greedily by the fewest breaks.
``oneOf`` adds exclusivity: a change is only called compatible where the branches are provably
disjoint (different types, different constant values, string patterns no string matches both of,
or a required discriminator property).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blue_tui.core.realm.compat import automata
from blue_tui.core.realm.compat.jsonvalue import join, key
from blue_tui.core.realm.compat.model import Change, Verdict, disputed, overall
from blue_tui.core.realm.compat.normalize import Norm, effective_types, type_meet
from blue_tui.core.realm.compat.resolve import S

if TYPE_CHECKING:
    from blue_tui.core.realm.compat.context import Comparer

UNIONS = ("anyOf", "oneOf")
MAX_BRANCHES = 24

Branch = tuple[S, str]  # schema, its path


def _union_of(n: Norm) -> str | None:
    kinds = [k for k in UNIONS if k in n.kw]
    return kinds[0] if len(kinds) == 1 else None


def _only_union(n: Norm, kind: str) -> bool:
    return set(n.kw) == {kind} and not n.rest


def single_union(c: Comparer, so: S, sn: S, o: Norm, n: Norm, path: str) -> list[Change] | None:
    """``T`` <-> ``anyOf: [T, ...]``: compare the plain side as a union of one (rows 19-20)."""
    ko, kn = _union_of(o), _union_of(n)
    if kn and not any(k in o.kw for k in UNIONS) and _only_union(n, kn):
        return unions(c, None, [(so, path)], kn, _branches(n, kn, path), path)
    if ko and not any(k in n.kw for k in UNIONS) and _only_union(o, ko):
        return unions(c, ko, _branches(o, ko, path), None, [(sn, path)], path)
    return None


def _branches(n: Norm, kind: str, path: str) -> list[Branch]:
    return [(s, join(path, kind, i)) for i, s in enumerate(n.kw[kind])]


def diff(c: Comparer, o: Norm, n: Norm, path: str) -> list[Change]:
    out: list[Change] = []
    ko = [k for k in UNIONS if k in o.kw]
    kn = [k for k in UNIONS if k in n.kw]
    if len(ko) == 1 and len(kn) == 1:
        out += unions(c, ko[0], _branches(o, ko[0], path), kn[0], _branches(n, kn[0], path), path)
    else:
        for kind in UNIONS:
            if kind in o.kw and kind in n.kw:
                out += unions(c, kind, _branches(o, kind, path), kind, _branches(n, kind, path), path)
            elif kind in n.kw:
                out.append(
                    Change(
                        "SCHEMA_ADDED", join(path, kind), False, True, f"{kind} added beside other keywords"
                    )
                )
            elif kind in o.kw:
                out.append(Change("SCHEMA_REMOVED", join(path, kind), True, False, f"{kind} removed"))
    out += _conjuncts(c, o, n, path)
    out += _not(c, o, n, path)
    out += _conditional(c, o, n, path)
    return out


def _pair(
    c: Comparer, old: list[Branch], new: list[Branch]
) -> tuple[list[tuple[int, int, list[Change]]], list[int], list[int]]:
    """Pair old and new branches: equal ones first, then by position, then by fewest breaks."""
    cache: dict[tuple[int, int], list[Change]] = {}

    def d(i: int, j: int) -> list[Change]:
        if (i, j) not in cache:
            cache[(i, j)] = c.diff(old[i][0], new[j][0], new[j][1])
        return cache[(i, j)]

    left_o, left_n = list(range(len(old))), list(range(len(new)))
    pairs = []
    for i in list(left_o):
        for j in left_n:
            if not d(i, j) or all(x.backward is True and x.forward is True for x in d(i, j)):
                pairs.append((i, j, d(i, j)))
                left_o.remove(i)
                left_n.remove(j)
                break
    if len(left_o) == len(left_n):
        pairs += [(i, j, d(i, j)) for i, j in zip(left_o, left_n, strict=True)]
        return pairs, [], []
    for i in list(left_o):
        if not left_n:
            break
        j = min(left_n, key=lambda j: _score(d(i, j)))
        if _score(d(i, j))[0] >= 2:  # breaks both ways: call it a removal and an addition instead
            continue
        pairs.append((i, j, d(i, j)))
        left_o.remove(i)
        left_n.remove(j)
    return pairs, left_o, left_n


def _score(changes: list[Change]) -> tuple[int, int]:
    b, f = overall(x.backward for x in changes), overall(x.forward for x in changes)
    return (int(b is False) + int(f is False), int(b is None) + int(f is None))


def unions(
    c: Comparer, kind_o: str | None, old: list[Branch], kind_n: str | None, new: list[Branch], path: str
) -> list[Change]:
    if len(old) * len(new) > MAX_BRANCHES * MAX_BRANCHES:
        return [Change("COMBINED_TYPE_TOO_LARGE", path, None, None, "too many branches to pair")]
    if "oneOf" in (kind_o, kind_n):  # exclusivity is not monotone: no lenient relaxation inside
        with c.strict():
            pairs, removed, added = _pair(c, old, new)
    else:
        pairs, removed, added = _pair(c, old, new)
    out: list[Change] = []
    for _, _, changes in pairs:
        out += changes
    for i in removed:
        if not c.is_false(old[i][0]):
            out.append(
                Change(
                    "SUM_TYPE_NARROWED",
                    old[i][1],
                    False,
                    True,
                    "alternative removed: documents that matched only it are rejected",
                )
            )
    for j in added:
        if not c.is_false(new[j][0]):
            out.append(
                Change(
                    "SUM_TYPE_EXTENDED",
                    new[j][1],
                    True,
                    False,
                    "alternative added: old readers reject documents that match only it",
                )
            )
    if kind_o and kind_n and kind_o != kind_n and len(old) > 1 and len(new) > 1:
        out.append(_kind_change(c, kind_o, old, new, join(path, kind_n)))
    if out or kind_o != kind_n:
        b: Verdict = True
        f: Verdict = True
        if kind_n == "oneOf" and len(new) > 1 and not _disjoint_all(c, [s for s, _ in new]):
            b = None
        if kind_o == "oneOf" and len(old) > 1 and not _disjoint_all(c, [s for s, _ in old]):
            f = None
        if b is None or f is None:
            out.append(Change(
                "ONE_OF_OVERLAP", join(path, "oneOf"), b, f,
                "oneOf branches may overlap (a document matching two is rejected); exclusivity is not proven",
            ))  # fmt: skip
    return out


def _kind_change(c: Comparer, kind_o: str, old: list[Branch], new: list[Branch], where: str) -> Change:
    """``oneOf`` <-> ``anyOf``: the same documents when the ``oneOf`` branches are provably disjoint.

    Confluent compares the keywords and calls ``oneOf`` -> ``anyOf`` forward-incompatible and
    ``anyOf`` -> ``oneOf`` backward-incompatible whatever the branches; where blue proves
    otherwise, the change is marked disputed and carries Confluent's verdicts.
    """
    if kind_o == "oneOf":
        rule, side, confluent = "COMBINED_TYPE_EXTENDED", old, (True, False)
        text = "oneOf -> anyOf: documents may now match several branches"
    else:
        rule, side, confluent = "COMBINED_TYPE_CHANGED", new, (False, True)
        text = "anyOf -> oneOf: documents matching several branches are rejected"
    if not _disjoint_all(c, [s for s, _ in side]):
        return Change(rule, where, *confluent, text)
    text = f"{kind_o} -> {'anyOf' if kind_o == 'oneOf' else 'oneOf'}: no document matches two of the oneOf branches, so both accept the same documents"
    return disputed(Change(rule, where, True, True, text, semantic=False), confluent)


def _disjoint_all(c: Comparer, schemas: list[S]) -> bool:
    return all(disjoint(c, a, b) for i, a in enumerate(schemas) for b in schemas[i + 1 :])


def disjoint(c: Comparer, a: S, b: S, depth: int = 0) -> bool:
    """Can no document match both? Only provable cases answer True."""
    na, nb = c.norm(a), c.norm(b)
    if na.is_false or nb.is_false:
        return True
    if na.problems or nb.problems or depth > 4:
        return False
    ta, tb = effective_types(na), effective_types(nb)
    if ta is not None and tb is not None and not type_meet(ta, tb):
        return True
    pa, pb = na.kw.get("pattern"), nb.kw.get("pattern")
    strings = frozenset({"string"})
    only_strings = (ta is not None and ta <= strings) or (tb is not None and tb <= strings)
    if pa and pb and only_strings and automata.disjoint(pa, pb):
        return True  # only strings can match both, and no string matches both patterns
    va, vb = na.kw.get("values"), nb.kw.get("values")
    if va is not None and vb is not None and not ({key(v) for v in va} & {key(v) for v in vb}):
        return True
    if (ta is not None and ta <= {"object"}) or (tb is not None and tb <= {"object"}):
        pa, pb = na.kw.get("properties", {}), nb.kw.get("properties", {})
        ra, rb = na.kw.get("required", frozenset()), nb.kw.get("required", frozenset())
        for name in ra & rb:  # a discriminator: required on both sides with disjoint values
            if name in pa and name in pb and disjoint(c, pa[name], pb[name], depth + 1):
                return True
        if any(_forbids(c, nb, name) for name in ra) or any(_forbids(c, na, name) for name in rb):
            return True
    return False


def _forbids(c: Comparer, n: Norm, name: str) -> bool:
    """Does schema ``n`` reject every object that has property ``name``?"""
    props = n.kw.get("properties", {})
    if name in props:
        return c.is_false(props[name])
    if n.kw.get("patternProperties"):
        return False
    addl = n.kw.get("additionalProperties")
    return addl is not None and c.is_false(addl)


def _conjuncts(c: Comparer, o: Norm, n: Norm, path: str) -> list[Change]:
    """``allOf`` members (and ``$ref`` with siblings) that could not be merged into the schema."""
    if not o.rest and not n.rest:
        return []
    old = [(s, join(path, *suffix.split("/"))) for s, suffix in o.rest]
    new = [(s, join(path, *suffix.split("/"))) for s, suffix in n.rest]
    pairs, removed, added = _pair(c, old, new)
    out: list[Change] = []
    for _, _, changes in pairs:
        out += changes
    for i in removed:
        if not c.is_true(old[i][0]):
            out.append(
                Change(
                    "PRODUCT_TYPE_NARROWED",
                    old[i][1],
                    True,
                    False,
                    "allOf member removed: one constraint fewer",
                )
            )
    for j in added:
        if not c.is_true(new[j][0]):
            out.append(
                Change(
                    "PRODUCT_TYPE_EXTENDED", new[j][1], False, True, "allOf member added: one constraint more"
                )
            )
    return out


def _not(c: Comparer, o: Norm, n: Norm, path: str) -> list[Change]:
    no, nn = o.kw.get("not"), n.kw.get("not")
    where = join(path, "not")
    if no is None and nn is None:
        return []
    if no is None:
        return (
            []
            if c.is_false(nn)
            else [Change("SCHEMA_ADDED", where, False, True, "not added: it rejects documents")]
        )
    if nn is None:
        return [] if c.is_false(no) else [Change("SCHEMA_REMOVED", where, True, False, "not removed")]
    with c.strict():
        inner = c.diff(no, nn, where)
    if all(x.backward is True and x.forward is True for x in inner):
        return inner  # annotations only
    # not A -> not B: the new accepts every old document iff B accepts no more than A does.
    b, f = overall(x.forward for x in inner), overall(x.backward for x in inner)
    rule = (
        "NOT_TYPE_NARROWED"
        if b is True and f is not True
        else "NOT_TYPE_EXTENDED"
        if f is True and b is not True
        else "NOT_TYPE_CHANGED"
    )
    rules = ", ".join(dict.fromkeys(x.rule for x in inner))
    return [Change(rule, where, b, f, f"schema under not changed ({rules}); directions swap under not")]


def _conditional(c: Comparer, o: Norm, n: Norm, path: str) -> list[Change]:
    def parts(x: Norm) -> tuple[S, S | None, S | None] | None:
        cond = x.kw.get("if")
        if cond is None or ("then" not in x.kw and "else" not in x.kw):
            return None
        return cond, x.kw.get("then"), x.kw.get("else")

    po, pn = parts(o), parts(n)
    where = join(path, "if")
    if po is None and pn is None:
        return []
    if po is None:
        return [
            Change(
                "IF_THEN_ELSE_ADDED",
                where,
                None,
                True,
                "if/then/else added: which old documents it rejects is not decided here",
            )
        ]
    if pn is None:
        return [
            Change(
                "IF_THEN_ELSE_REMOVED",
                where,
                True,
                None,
                "if/then/else removed: which new documents the old one rejects is not decided here",
            )
        ]
    if any(x.backward is not True or x.forward is not True for x in c.diff(po[0], pn[0], where)):
        return [
            Change(
                "IF_THEN_ELSE_CHANGED",
                where,
                None,
                None,
                "the if condition changed: which documents take then/else differs; not decided here",
            )
        ]
    return c.sub(po[1], pn[1], join(path, "then"), what="then") + c.sub(
        po[2], pn[2], join(path, "else"), what="else"
    )
