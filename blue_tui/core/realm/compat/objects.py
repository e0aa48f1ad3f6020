"""Object rules: properties and content models, ``required``, ``additionalProperties``,
``patternProperties``, dependencies, ``propertyNames`` (coordination.md 2.3 rows 1-16, 32).

A property present on one side only is judged against the *other* side's content model for that
name: open (anything goes), closed (``false``) or partially open (a schema from
``additionalProperties``/``patternProperties``). Its value verdict and its presence verdict
(``required``) are combined into one change named after Confluent's B-side ``Difference``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from blue_tui.core.realm.compat import automata, dependencies
from blue_tui.core.realm.compat.jsonvalue import join, key
from blue_tui.core.realm.compat.model import Change, Verdict, overall
from blue_tui.core.realm.compat.model import disputed as disputed_change
from blue_tui.core.realm.compat.normalize import Norm
from blue_tui.core.realm.compat.resolve import S
from blue_tui.core.realm.compat.scalars import count

if TYPE_CHECKING:
    from blue_tui.core.realm.compat.context import Comparer


@dataclass(frozen=True)
class Model:
    """What a schema says about property names it does not declare."""

    kind: str  # open | closed | partial | unknown
    schemas: tuple[S, ...] = ()
    word: str = "additionalProperties"
    reason: str = ""


def content_model(c: Comparer, n: Norm) -> Model:
    addl = n.kw.get("additionalProperties")
    word = "additionalProperties"
    if addl is None and "unevaluatedProperties" in n.kw:
        word = "unevaluatedProperties"
        if n.applicators:
            return Model(
                "unknown", word=word,
                reason="unevaluatedProperties depends on properties declared in subschemas; not decided here",
            )  # fmt: skip
        addl = n.kw["unevaluatedProperties"]
    if addl is None or c.is_true(addl):
        return Model("open", word=word)
    if c.is_false(addl):
        return Model("closed", word=word)
    return Model("partial", (addl,), word=word)


def model_for(c: Comparer, n: Norm, model: Model, name: str) -> Model:
    """The content model that governs an undeclared property ``name``."""
    matching = []
    for pattern, schema in n.kw.get("patternProperties", {}).items():
        hit = automata.search(pattern, name)
        if hit is None:
            return Model(
                "unknown", reason=f"whether patternProperties {pattern!r} matches {name!r} is not decided"
            )
        if hit:
            matching.append(schema)
    if matching:
        return Model("partial", tuple(matching), word="patternProperties")
    return model


def _matching(n: Norm, name: str) -> set[str]:
    found = set()
    for pattern in n.kw.get("patternProperties", {}):
        hit = automata.search(pattern, name)
        if hit is None:
            found.add(f"<undecided {pattern}>")
        elif hit:
            found.add(pattern)
    return found


def diff(c: Comparer, so: S, sn: S, o: Norm, n: Norm, path: str) -> list[Change]:
    model_o, model_n = content_model(c, o), content_model(c, n)
    props_o, props_n = o.kw.get("properties", {}), n.kw.get("properties", {})
    req_o, req_n = o.kw.get("required", frozenset()), n.kw.get("required", frozenset())
    names = dict.fromkeys([*props_o, *props_n, *sorted(req_o | req_n)])
    out: list[Change] = []
    for name in names:
        out += _property(c, o, n, name, path, model_o, model_n)
    out += _others(c, so, sn, o, n, path, model_o, model_n)
    out += count(o, n, path, "maxProperties", upper=True)
    out += count(o, n, path, "minProperties", upper=False)
    out += c.sub(
        o.kw.get("propertyNames"),
        n.kw.get("propertyNames"),
        join(path, "propertyNames"),
        what="propertyNames",
    )
    out += dependencies.diff(c, o, n, path)
    return out


def _presence(required_by_reader: bool, required_by_writer: bool, default: bool, defaults: bool) -> Verdict:
    """Does every writer document have the property the reader requires (``defaults``: readers
    fill in a missing property's default first)?"""
    if required_by_reader and not required_by_writer:
        return bool(defaults and default)
    return True


def _property(
    c: Comparer, o: Norm, n: Norm, name: str, path: str, model_o: Model, model_n: Model
) -> list[Change]:
    props_o, props_n = o.kw.get("properties", {}), n.kw.get("properties", {})
    ro, rn = name in o.kw.get("required", ()), name in n.kw.get("required", ())
    po, pn = props_o.get(name), props_n.get(name)
    default_o = po is not None and c.norm(po).has_default
    default_n = pn is not None and c.norm(pn).has_default
    where = join(path, "properties", name)
    pres_b, pres_f = _presence(rn, ro, default_n, c.defaults), _presence(ro, rn, default_o, c.defaults)
    confluent = _presence(rn, ro, default_n, True), _presence(ro, rn, default_o, True)
    disputed = (rn and not ro and default_n) or (ro and not rn and default_o)
    out: list[Change] = []

    if po is not None and pn is not None:
        out += c.diff(po, pn, where)
        if _matching(o, name) != _matching(n, name):
            out.append(
                Change(
                    "PATTERN_PROPERTIES_COVERAGE_CHANGED",
                    where,
                    None,
                    None,
                    "a different set of patternProperties now applies to this property; not decided here",
                )
            )
    elif pn is not None:  # added
        model = model_for(c, o, model_o, name)
        rule, b, f, subs, text = _added(c, model, pn, rn, default_n, where, ro)
        text = f"{name!r}: {text}"
        if rn and not ro:
            text += "; it is required" + (" (with a default)" if default_n else "")
        out.append(
            _change(
                rule,
                where,
                both(b, pres_b),
                both(f, pres_f),
                text,
                disputed,
                (both(b, confluent[0]), both(f, confluent[1])),
            )
        )
        return out + subs
    elif po is not None:  # removed
        model = model_for(c, n, model_n, name)
        rule, b, f, subs, text = _removed(c, model, po, where, rn)
        text = f"{name!r}: {text}"
        if rn and not ro:
            text += "; and it is now required"
        elif ro and not rn:
            text += "; it was required"
        out.append(
            _change(
                rule,
                where,
                both(b, pres_b),
                both(f, pres_f),
                text,
                disputed,
                (both(b, confluent[0]), both(f, confluent[1])),
            )
        )
        return out + subs

    found: list[Change] = []
    if rn and not ro:
        rule = "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED" if default_n else "REQUIRED_ATTRIBUTE_ADDED"
        text = f"{name!r} is now required: old documents may lack it"
        found.append(_change(rule, where, pres_b, True, text, disputed, (confluent[0], True)))
    elif ro and not rn:
        text = f"{name!r} is no longer required: old readers reject new documents without it"
        found.append(
            _change("REQUIRED_ATTRIBUTE_REMOVED", where, True, pres_f, text, disputed, (True, confluent[1]))
        )
    if found and po is None and pn is None:  # required, but declared in neither schema's properties
        note = "; it is not declared in properties, and Confluent only looks at declared properties"
        found = [disputed_change(replace(x, message=x.message + note), (True, True)) for x in found]
    return out + found


def both(a: Verdict, b: Verdict) -> Verdict:
    return overall((a, b))


def _change(
    rule: str,
    where: str,
    b: Verdict,
    f: Verdict,
    text: str,
    disputed: bool,
    confluent: tuple[Verdict, Verdict],
) -> Change:
    if disputed:
        text += (
            " (disputed: Confluent counts this compatible because readers apply the default; "
            "a validating reader does not)"
        )
    return Change(rule, where, b, f, text, disputed=disputed, confluent=confluent if disputed else None)


def _added(
    c: Comparer, model: Model, pn: S, required: bool, default: bool, where: str, old_required: bool
) -> tuple[str, Verdict, Verdict, list[Change], str]:
    """A property the new schema declares and the old does not: the old model decides."""
    new = c.norm(pn)
    req = (
        ("REQUIRED_PROPERTY_WITH_DEFAULT_ADDED" if default else "REQUIRED_PROPERTY_ADDED") if required else ""
    )
    if model.kind == "open":
        if required:
            rule = f"{req}_TO_OPEN_CONTENT_MODEL"
        elif new.is_true:
            rule = "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
        else:
            rule = "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
        # lenient: old writers never send it, unless the old schema required it undeclared
        b = bool(new.is_true or (c.lenient and not old_required))
        text = "property added; the old schema allowed any value under this name"
        return rule, b, True, [], text
    if model.kind == "closed":
        rule = (
            f"{req}_TO_UNOPEN_CONTENT_MODEL"
            if required
            else "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
        )
        f = bool(new.is_false or c.lenient)
        return rule, True, f, [], "property added; the old schema did not allow this name"
    if model.kind == "partial" and len(model.schemas) == 1:
        subs = c.diff(model.schemas[0], pn, where)
        return _partial("ADDED", req, subs, model)
    reason = model.reason or "several patternProperties cover this name; their conjunction is not compared"
    return (f"{req}_TO_UNOPEN_CONTENT_MODEL" if required else "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
            None, None, [], f"property added: {reason}")  # fmt: skip


def _removed(
    c: Comparer, model: Model, po: S, where: str, new_required: bool
) -> tuple[str, Verdict, Verdict, list[Change], str]:
    """A property the old schema declares and the new does not: the new model decides."""
    old = c.norm(po)
    if model.kind == "open":
        f = bool(old.is_true or (c.lenient and not new_required))
        return (
            "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
            True,
            f,
            [],
            "property removed; the new schema allows any value under this name",
        )
    if model.kind == "closed":
        if old.is_false:
            return (
                "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                True,
                True,
                [],
                "property (schema false) removed",
            )
        b = bool(c.lenient)
        return (
            "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
            b,
            True,
            [],
            "property removed; the new schema does not allow this name",
        )
    if model.kind == "partial" and len(model.schemas) == 1:
        subs = c.diff(po, model.schemas[0], where)
        return _partial("REMOVED", "", subs, model)
    reason = model.reason or "several patternProperties cover this name; their conjunction is not compared"
    return (
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        None,
        None,
        [],
        f"property removed: {reason}",
    )


def _partial(
    verb: str, req: str, subs: list[Change], model: Model
) -> tuple[str, Verdict, Verdict, list[Change], str]:
    """Partially open model: the declared schema against the covering one; sub-changes carry verdicts."""
    covered = overall(x.backward for x in subs) is True and overall(x.forward for x in subs) is True
    if req:
        rule = f"{req}_TO_UNOPEN_CONTENT_MODEL"
    else:
        rule = f"PROPERTY_{verb}_{'IS' if covered else 'NOT'}_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    text = f"property {verb.lower()}; {model.word} {'covers' if covered else 'does not cover'} its schema"
    return rule, True, True, subs, text


def _others(
    c: Comparer, so: S, sn: S, o: Norm, n: Norm, path: str, model_o: Model, model_n: Model
) -> list[Change]:
    """Undeclared names: ``additionalProperties`` / ``unevaluatedProperties`` and ``patternProperties``."""
    if model_o.kind == "unknown" or model_n.kind == "unknown":
        if key(so.raw) == key(sn.raw):
            return []
        reason = model_o.reason or model_n.reason
        return [
            Change(
                "UNEVALUATED_PROPERTIES_UNDECIDED", join(path, "unevaluatedProperties"), None, None, reason
            )
        ]
    out = _model_change(c, model_o, model_n, path)
    pats_o, pats_n = o.kw.get("patternProperties", {}), n.kw.get("patternProperties", {})
    for pattern in dict.fromkeys([*pats_o, *pats_n]):
        where = join(path, "patternProperties", pattern)
        if pattern in pats_o and pattern in pats_n:
            out += c.diff(pats_o[pattern], pats_n[pattern], where)
            continue
        added = pattern in pats_n
        schema = pats_n[pattern] if added else pats_o[pattern]
        model = model_o if added else model_n
        others = bool(pats_o) if added else bool(pats_n)
        b: Verdict
        f: Verdict
        if model.kind == "open":
            b, f = (c.is_true(schema), True) if added else (True, c.is_true(schema))
            subs: list[Change] = []
        elif model.kind == "closed":
            b, f = (True, c.is_false(schema)) if added else (c.is_false(schema), True)
            subs = []
        else:
            subs = (
                c.diff(model.schemas[0], schema, where) if added else c.diff(schema, model.schemas[0], where)
            )
            b = f = True
        rule = "PATTERN_PROPERTY_ADDED" if added else "PATTERN_PROPERTY_REMOVED"
        text = (
            f"patternProperties {pattern!r} {'added' if added else 'removed'} ({model.kind} model elsewhere)"
        )
        if others:
            text += "; other patterns may overlap it, which is not decided here"
            b = None if b is not False else b
            f = None if f is not False else f
            subs = []
        out.append(Change(rule, where, b, f, text))
        out += subs
    return out


_MODEL_RULES = {
    ("closed", "open"): ("ADDED", True, False), ("open", "closed"): ("REMOVED", False, True),
    ("open", "partial"): ("NARROWED", False, True), ("partial", "open"): ("EXTENDED", True, False),
    ("closed", "partial"): ("EXTENDED", True, False), ("partial", "closed"): ("NARROWED", False, True),
}  # fmt: skip


def _model_change(c: Comparer, model_o: Model, model_n: Model, path: str) -> list[Change]:
    if model_o.kind == model_n.kind and model_o.kind != "partial":
        return []
    word = model_n.word if model_n.kind != "open" else model_o.word
    if model_o.kind == "partial" and model_n.kind == "partial":
        return c.diff(model_o.schemas[0], model_n.schemas[0], join(path, word))
    verb, b, f = _MODEL_RULES[(model_o.kind, model_n.kind)]
    prefix = "UNEVALUATED_PROPERTIES" if word == "unevaluatedProperties" else "ADDITIONAL_PROPERTIES"
    if c.lenient:  # readers ignore undeclared properties, writers never send them
        b = f = True
    text = f"{word}: {model_o.kind} -> {model_n.kind} for undeclared property names"
    return [Change(f"{prefix}_{verb}", join(path, word), b, f, text)]
