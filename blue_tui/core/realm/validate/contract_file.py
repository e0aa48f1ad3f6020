"""``domains/{d}/contracts/{name}.yaml``: version, owner, compatibility, schema, hooks, evolution."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from blue_tui.core.realm.model import HOOK_MODES, Compatibility, Contract, EvolutionEntry, Hook, Validation
from blue_tui.core.realm.names import relpath_problem, type_name
from blue_tui.core.realm.problems import Problem
from blue_tui.core.realm.validate.filecheck import FileCheck, text
from blue_tui.core.realm.yamlfile import Parsed, join_key

MAX_HOOK_TIMEOUT = 3600.0

# ---- domains/{d}/contracts/{name}.yaml ------------------------------------------------------------

COMPAT_WORDS = {
    "full": (True, True),
    "backward": (True, False),
    "backwards": (True, False),
    "forward": (False, True),
    "forwards": (False, True),
    "none": (False, False),
}
POLICIES = ("strict", "lenient")


def parse_compat_word(word: str) -> tuple[bool, bool, bool] | None:
    """``full_transitive`` -> (backward, forward, transitive); None if not a known mode."""
    w = word.strip().lower()
    transitive = w.endswith("_transitive")
    base = w.removesuffix("_transitive")
    if base not in COMPAT_WORDS:
        return None
    b, f = COMPAT_WORDS[base]
    return b, f, transitive


def _compatibility(c: FileCheck, value: Any) -> Compatibility:
    if value is None:
        return Compatibility()
    modes = ", ".join(f"{w}[_transitive]" for w in ("full", "backward", "forward")) + ", none"
    if isinstance(value, str):
        parsed = parse_compat_word(value)
        if parsed is None:
            c.error("bad-value", "compatibility", f"compatibility {value!r} is not a mode ({modes})")
            return Compatibility()
        return Compatibility(parsed[0], parsed[1], parsed[2])
    m = c.mapping(value, "compatibility", "a mapping or a mode word")
    if m is None:
        return Compatibility()
    p = "compatibility"
    c.keys(
        m,
        p,
        (
            "backwards",
            "forwards",
            "backward",
            "forward",
            "transitive",
            "policy",
            "mode",
            "readers_apply_defaults",
        ),
    )
    backward = forward = True
    transitive = True
    mode = c.string(m, p, "mode")
    if mode is not None:
        parsed = parse_compat_word(mode)
        if parsed is None:
            c.error("bad-value", "compatibility.mode", f"compatibility.mode {mode!r} is not a mode ({modes})")
        else:
            backward, forward, transitive = parsed
    given_b = "backwards" in m or "backward" in m
    given_f = "forwards" in m or "forward" in m
    if given_b or given_f:
        if mode is not None:
            c.error("bad-value", p, "give either compatibility.mode or backwards/forwards, not both")
        # When only one direction is named, the other is off (what `backwards: true` alone means).
        backward = c.boolean(m, p, "backwards" if "backwards" in m else "backward", False)
        forward = c.boolean(m, p, "forwards" if "forwards" in m else "forward", False)
    if "transitive" in m:
        transitive = c.boolean(m, p, "transitive", True)
    policy = c.enum(m, p, "policy", POLICIES, "lenient") or "lenient"
    return Compatibility(
        backward, forward, transitive, policy, c.boolean(m, p, "readers_apply_defaults", False)
    )


def _hook(c: FileCheck, value: Any, key: str, *, ci_only: bool) -> Hook | None:
    timeout: float | None = None
    mode = "both"
    if isinstance(value, dict):
        c.keys(value, key, ("run", "timeout", "mode") if ci_only else ("run", "timeout"), required=("run",))
        timeout = c.number(value, key, "timeout", minimum=0.001, maximum=MAX_HOOK_TIMEOUT)
        if ci_only:
            mode = c.enum(value, key, "mode", HOOK_MODES, "both") or "both"
        run = value.get("run")
        key = join_key(key, "run")
    else:
        run = value
    argv: list[str]
    if isinstance(run, str):
        try:
            argv = shlex.split(run)
        except ValueError as exc:
            c.error("bad-value", key, f"{key}: cannot split {run!r} into arguments ({exc})")
            return None
    elif isinstance(run, list) and run and all(isinstance(a, str) for a in run):
        argv = list(run)
    elif run is None and isinstance(value, dict):
        return None
    else:
        c.error(
            "wrong-type", key, f"{key} must be a command string or a list of strings, not {type_name(run)}"
        )
        return None
    if not argv:
        c.error("bad-value", key, f"{key} is empty")
        return None
    why = relpath_problem(argv[0])
    if why:
        c.error(
            "unsafe-path",
            key,
            f"hook program {why}",
            "hooks run a file inside the checking repo (e.g. scripts/check.sh), never a shell or PATH lookup",
        )
        return None
    return Hook(tuple(argv), timeout, mode, ci_only, key)


def _hooks(c: FileCheck, m: Mapping[str, Any], k: str, *, ci_only: bool = False) -> tuple[Hook, ...]:
    """One hook (a command string or a ``{run: ...}`` mapping) or a list of them."""
    value = m.get(k)
    key = join_key("validation", k)
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    hooks = []
    for i, item in enumerate(items):
        sub = f"{key}[{i}]" if isinstance(value, list) else key
        hook = _hook(c, item, sub, ci_only=ci_only)
        if hook is not None:
            hooks.append(hook)
    return tuple(hooks)


def _validation(c: FileCheck, value: Any) -> Validation:
    if value is None:
        return Validation()
    m = c.mapping(value, "validation")
    if m is None:
        return Validation()
    c.keys(m, "validation", ("exporter", "importer", "ci_only", "timeout"))
    return Validation(
        exporter=_hooks(c, m, "exporter"),
        importer=_hooks(c, m, "importer"),
        ci_only=_hooks(c, m, "ci_only", ci_only=True),
        timeout=c.number(m, "validation", "timeout", minimum=0.001, maximum=MAX_HOOK_TIMEOUT),
    )


def _evolution(c: FileCheck, value: Any, prereleases: bool) -> tuple[EvolutionEntry, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        c.error("wrong-type", "evolution", f"evolution must be a list of versions, not {type_name(value)}")
        return ()
    out: list[EvolutionEntry] = []
    for i, item in enumerate(value):
        key = f"evolution[{i}]"
        m = c.mapping(item, key)
        if m is None:
            continue
        c.keys(m, key, ("version", "changes", "compatible", "date"), required=("version",))
        version = c.version(m, key, "version", allow_prerelease=prereleases)
        changes = c.strings(m, key, "changes", single_ok=True)
        compatible = m.get("compatible")
        if compatible is not None and not isinstance(compatible, bool):
            c.error("wrong-type", f"{key}.compatible", f"{key}.compatible must be true or false")
            compatible = None
        if "date" in m:
            text(c, m, "date", key)
        if version is not None:
            out.append(EvolutionEntry(version, tuple(changes), compatible))
    return tuple(out)


def contract_doc(parsed: Parsed, file: str, domain: str, stem: str, out: list[Problem]) -> Contract | None:
    c = FileCheck(file, parsed, out, domain=domain, contract=stem)
    c.parse_issues()
    doc = c.mapping(parsed.data, "")
    if doc is None:
        return None
    c.keys(
        doc,
        "",
        (
            "name",
            "version",
            "owner",
            "description",
            "compatibility",
            "prereleases",
            "schema",
            "validation",
            "evolution",
        ),
        required=("version", "owner", "schema"),
    )
    c.name_matches(doc, "name", stem, "file")
    prereleases = c.boolean(doc, "", "prereleases", False)
    version = c.version(doc, "", "version", allow_prerelease=prereleases)
    owner: str | None = None
    if "owner" in doc:
        raw_owner = doc["owner"]
        if isinstance(raw_owner, list):
            c.error(
                "one-owner",
                "owner",
                "a contract has exactly one owner, not a list",
                "pick the one repo that exports it; split the contract if two repos produce it",
            )
        else:
            owner = c.name_value(raw_owner, "owner", "owner repo")
    schema = doc.get("schema")
    if "schema" in doc and not isinstance(schema, dict | bool):
        c.error(
            "wrong-type",
            "schema",
            f"schema must be a JSON Schema (a mapping or true/false), not {type_name(schema)}",
        )
        schema = None
    compatibility = _compatibility(c, doc.get("compatibility"))
    validation = _validation(c, doc.get("validation"))
    evolution = _evolution(c, doc.get("evolution"), prereleases)
    description = c.string(doc, "", "description", default="") or ""
    if version is None or owner is None or schema is None:
        return None
    return Contract(
        domain=domain,
        name=stem,
        version=version,
        owner=owner,
        schema=schema,
        description=description,
        compatibility=compatibility,
        prereleases=prereleases,
        validation=validation,
        evolution=evolution,
    )
