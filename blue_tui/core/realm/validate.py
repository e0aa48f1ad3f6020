"""Validation of each realm file kind, and of the references between files.

Each ``*_doc`` function turns one parsed file into a model value (or None when the file is too
broken to model) and appends every problem it sees to ``out``: unknown keys, wrong types, bad
semver, unsafe names. It never stops at the first problem. :func:`cross_check` then checks the
references between files (registered repos, domain membership, contracts named by bindings,
ownership). Keys starting with ``x-`` are extension keys and are never reported.
"""

from __future__ import annotations

import difflib
import math
import shlex
from collections.abc import Mapping
from typing import Any

from blue_tui.core.realm import semver
from blue_tui.core.realm.model import (
    HOOK_MODES,
    IMPORT_STATUSES,
    ROLES,
    Binding,
    Compatibility,
    Contract,
    Domain,
    DomainGovernance,
    EvolutionEntry,
    Export,
    Hook,
    Import,
    Realm,
    RealmMeta,
    Repo,
    Validation,
    repo_file,
)
from blue_tui.core.realm.names import name_problem, relpath_problem, type_name
from blue_tui.core.realm.problems import Problem, Severity
from blue_tui.core.realm.yamlfile import Parsed, join_key

_MISSING = object()
MAX_HOOK_TIMEOUT = 3600.0

#: Keys that people put in the wrong place, with where they belong.
_MOVED = {
    "path": "local paths are per machine: they live in $BLUE_HOME/index.yaml, not in the realm",
    "value": "a contract describes documents with `schema`; the exporter's code produces the values",
    "trust.permissions": "`permissions` belongs at the top level of realm.yaml",
}


class FileCheck:
    """Problem collection for one file, with line lookup and typed getters."""

    __slots__ = ("contract", "domain", "file", "out", "parsed", "repo")

    def __init__(
        self,
        file: str,
        parsed: Parsed | None,
        out: list[Problem],
        *,
        domain: str | None = None,
        contract: str | None = None,
        repo: str | None = None,
    ) -> None:
        self.file = file
        self.parsed = parsed
        self.out = out
        self.domain = domain
        self.contract = contract
        self.repo = repo

    def add(
        self, severity: Severity, rule: str, key: str | None, message: str, hint: str | None = None
    ) -> None:
        line = self.parsed.line(key) if self.parsed is not None else None
        self.out.append(
            Problem(
                severity,
                rule,
                message,
                file=self.file,
                key=key or None,
                line=line,
                domain=self.domain,
                contract=self.contract,
                repo=self.repo,
                hint=hint,
            )
        )

    def error(self, rule: str, key: str | None, message: str, hint: str | None = None) -> None:
        self.add("error", rule, key, message, hint)

    def warning(self, rule: str, key: str | None, message: str, hint: str | None = None) -> None:
        self.add("warning", rule, key, message, hint)

    # ---- shapes ------------------------------------------------------------------------------

    def mapping(self, value: Any, key: str, what: str = "a mapping") -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.error("wrong-type", key, f"{key or 'the file'} must be {what}, not {type_name(value)}")
        return None

    def keys(
        self, m: Mapping[Any, Any], prefix: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> None:
        for k in m:
            if not isinstance(k, str):
                self.error("wrong-type", prefix, f"key {k!r} in {prefix or 'the file'} must be a string")
                continue
            if k in allowed or k.startswith("x-"):
                continue
            full = join_key(prefix, k)
            hint = _MOVED.get(full) or _MOVED.get(k)
            if hint is None:
                close = difflib.get_close_matches(k, allowed, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(allowed)}"
            self.error("unknown-key", full, f"unknown key {k!r}", hint)
        for k in required:
            if k not in m:
                self.error("missing-key", prefix or None, f"missing required key {join_key(prefix, k)!r}")

    def get(self, m: Mapping[str, Any], prefix: str, k: str) -> Any:
        return m.get(k, _MISSING)

    def string(
        self, m: Mapping[str, Any], prefix: str, k: str, *, default: str | None = None, empty_ok: bool = True
    ) -> str | None:
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return default
        key = join_key(prefix, k)
        if not isinstance(value, str):
            self.error("wrong-type", key, f"{key} must be a string, not {type_name(value)}")
            return default
        if not empty_ok and not value.strip():
            self.error("wrong-type", key, f"{key} must not be empty")
            return default
        return value

    def boolean(self, m: Mapping[str, Any], prefix: str, k: str, default: bool) -> bool:
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, bool):
            key = join_key(prefix, k)
            self.error("wrong-type", key, f"{key} must be true or false, not {type_name(value)}")
            return default
        return value

    def number(
        self,
        m: Mapping[str, Any],
        prefix: str,
        k: str,
        *,
        integer: bool = False,
        minimum: float = 0,
        maximum: float | None = None,
    ) -> float | None:
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return None
        key = join_key(prefix, k)
        ok_type = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            self.error(
                "wrong-type",
                key,
                f"{key} must be {'an integer' if integer else 'a number'}, not {type_name(value)}",
            )
            return None
        if math.isnan(value) or value < minimum or (maximum is not None and value > maximum):
            bound = f" and at most {maximum:g}" if maximum is not None else ""
            self.error("bad-value", key, f"{key} must be at least {minimum:g}{bound}, not {value}")
            return None
        return float(value)

    def enum(
        self, m: Mapping[str, Any], prefix: str, k: str, choices: tuple[str, ...], default: str | None
    ) -> str | None:
        value = self.string(m, prefix, k)
        if value is None:
            return default
        if value not in choices:
            key = join_key(prefix, k)
            self.error("bad-value", key, f"{key} must be one of {', '.join(choices)}, not {value!r}")
            return default
        return value

    def strings(self, m: Mapping[str, Any], prefix: str, k: str, *, single_ok: bool = False) -> list[str]:
        value = m.get(k, _MISSING)
        key = join_key(prefix, k)
        if value is _MISSING or value is None:
            return []
        if single_ok and isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.error("wrong-type", key, f"{key} must be a list of strings, not {type_name(value)}")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.error("wrong-type", f"{key}[{i}]", f"{key}[{i}] must be a string, not {type_name(item)}")
        return out

    def name_value(self, value: Any, key: str, what: str) -> str | None:
        why = name_problem(value)
        if why:
            self.error("unsafe-name" if isinstance(value, str) else "wrong-type", key, f"{what}: {why}")
            return None
        assert isinstance(value, str)
        return value

    def names(self, m: Mapping[str, Any], prefix: str, k: str, what: str) -> list[str]:
        key = join_key(prefix, k)
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.error("wrong-type", key, f"{key} must be a list of {what} names, not {type_name(value)}")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            name = self.name_value(item, f"{key}[{i}]", what)
            if name is not None:
                if name in out:
                    self.warning("duplicate", f"{key}[{i}]", f"{what} {name!r} is listed twice in {key}")
                else:
                    out.append(name)
        return out

    def version(
        self, m: Mapping[str, Any], prefix: str, k: str, *, allow_prerelease: bool = True
    ) -> str | None:
        value = m.get(k, _MISSING)
        if value is _MISSING or value is None:
            return None
        why = semver.version_problem(value, allow_prerelease=allow_prerelease)
        if why:
            key = join_key(prefix, k)
            self.error("bad-semver", key, f"{key} {why}")
            return None
        assert isinstance(value, str)
        return value

    def relpath(self, value: Any, key: str, what: str) -> str | None:
        why = relpath_problem(value)
        if why:
            self.error("unsafe-path" if isinstance(value, str) else "wrong-type", key, f"{what} {why}")
            return None
        assert isinstance(value, str)
        return value

    def parse_issues(self) -> None:
        if self.parsed is not None:
            for issue in self.parsed.issues:
                self.out.append(
                    Problem(
                        "error",
                        "duplicate-key",
                        issue.message,
                        file=self.file,
                        key=issue.key,
                        line=issue.line,
                        domain=self.domain,
                        contract=self.contract,
                        repo=self.repo,
                    )
                )

    def name_matches(self, m: Mapping[str, Any], k: str, expected: str, what: str) -> None:
        """The ``name``/``repo`` key, when given, must equal the file or folder name."""
        value = m.get(k, _MISSING)
        if value is _MISSING:
            return
        if not isinstance(value, str):
            self.error("wrong-type", k, f"{k} must be a string, not {type_name(value)}")
        elif value != expected:
            self.error(
                "name-mismatch",
                k,
                f"{k} {value!r} does not match the {what} name {expected!r}",
                f"rename the {what} or set {k}: {expected}",
            )


# ---- realm.yaml -------------------------------------------------------------------------------

ADMISSIONS = ("open", "approval", "invite-only")
TRUST_MODES = ("collaborative", "vendor-customer", "federation")


def realm_doc(parsed: Parsed, file: str, folder_name: str, out: list[Problem]) -> RealmMeta | None:
    c = FileCheck(file, parsed, out)
    c.parse_issues()
    doc = c.mapping(parsed.data, "")
    if doc is None:
        return None
    c.keys(
        doc,
        "",
        ("name", "version", "description", "created_at", "governance", "trust", "permissions"),
        required=("name",),
    )
    name = c.name_value(doc["name"], "name", "realm name") if "name" in doc else None
    version = c.version(doc, "", "version") or "1.0.0"
    governance: dict[str, Any] = {}
    gov = doc.get("governance")
    if gov is not None and (g := c.mapping(gov, "governance")) is not None:
        c.keys(g, "governance", ("admission", "approvers", "breaking_changes"))
        governance["admission"] = c.enum(g, "governance", "admission", ADMISSIONS, "approval")
        governance["approvers"] = c.strings(g, "governance", "approvers")
        bc = g.get("breaking_changes")
        if bc is not None and (b := c.mapping(bc, "governance.breaking_changes")) is not None:
            p = "governance.breaking_changes"
            c.keys(b, p, ("require_approval", "grace_period_days"))
            governance["breaking_changes"] = {
                "require_approval": c.boolean(b, p, "require_approval", True),
                "grace_period_days": c.number(b, p, "grace_period_days", integer=True, minimum=0),
            }
    trust: dict[str, Any] = {}
    tr = doc.get("trust")
    if tr is not None and (t := c.mapping(tr, "trust")) is not None:
        c.keys(t, "trust", ("mode", "require_signed_commits", "require_pr_approval", "allowed_signers"))
        trust = {
            "mode": c.enum(t, "trust", "mode", TRUST_MODES, "collaborative"),
            "require_signed_commits": c.boolean(t, "trust", "require_signed_commits", False),
            "require_pr_approval": c.boolean(t, "trust", "require_pr_approval", False),
        }
        signers = c.string(t, "trust", "allowed_signers")
        if signers is not None:
            trust["allowed_signers"] = c.relpath(signers, "trust.allowed_signers", "trust.allowed_signers")
    permissions: dict[str, tuple[str, ...]] = {}
    perms = doc.get("permissions")
    if perms is not None and (pm := c.mapping(perms, "permissions")) is not None:
        for pattern in pm:
            key = join_key("permissions", pattern)
            if not isinstance(pattern, str):
                c.error("wrong-type", "permissions", f"permission pattern {pattern!r} must be a string")
                continue
            permissions[pattern] = tuple(c.strings(pm, "permissions", pattern, single_ok=True))
            if relpath_problem(pattern.replace("*", "x").replace("{", "").replace("}", "")):
                c.error(
                    "bad-value", key, f"permission pattern {pattern!r} must be a realm-relative path pattern"
                )
    if name is None:
        return None
    return RealmMeta(
        name=name,
        version=version,
        description=c.string(doc, "", "description", default="") or "",
        created_at=_text(c, doc, "created_at"),
        governance=governance,
        trust=trust,
        permissions=permissions,
    )


def _text(c: FileCheck, doc: Mapping[str, Any], k: str, prefix: str = "") -> str | None:
    """A free-text field such as a timestamp: a string, or a number/date written bare."""
    value = doc.get(k)
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    key = join_key(prefix, k)
    c.error("wrong-type", key, f"{key} must be a string, not {type_name(value)}")
    return None


# ---- repos/{repo}.yaml --------------------------------------------------------------------------


def repo_doc(parsed: Parsed, file: str, stem: str, out: list[Problem]) -> Repo | None:
    c = FileCheck(file, parsed, out, repo=stem)
    c.parse_issues()
    doc = c.mapping(parsed.data, "")
    if doc is None:
        return None
    c.keys(doc, "", ("name", "url", "org", "description", "maintainers", "default_branch", "joined_at"))
    c.name_matches(doc, "name", stem, "file")
    return Repo(
        name=stem,
        url=c.string(doc, "", "url"),
        org=c.string(doc, "", "org"),
        description=c.string(doc, "", "description", default="") or "",
        maintainers=tuple(c.strings(doc, "", "maintainers")),
        default_branch=c.string(doc, "", "default_branch"),
        joined_at=_text(c, doc, "joined_at"),
    )


# ---- domains/{d}/domain.yaml and governance.yaml --------------------------------------------------


def domain_doc(parsed: Parsed, file: str, dirname: str, out: list[Problem]) -> Domain | None:
    c = FileCheck(file, parsed, out, domain=dirname)
    c.parse_issues()
    doc = c.mapping(parsed.data, "")
    if doc is None:
        return None
    c.keys(doc, "", ("name", "description", "members", "providers", "created_at"))
    c.name_matches(doc, "name", dirname, "folder")
    members = c.names(doc, "", "members", "repo")
    providers = c.names(doc, "", "providers", "repo")
    for i, p in enumerate(providers):
        if p not in members:
            c.error(
                "not-a-member",
                f"providers[{i}]",
                f"provider {p!r} is not a member of domain {dirname!r}",
                f"add {p} to members",
            )
    if not members and "members" in doc:
        c.warning("empty-domain", "members", f"domain {dirname!r} has no members")
    return Domain(
        name=dirname,
        description=c.string(doc, "", "description", default="") or "",
        members=tuple(members),
        providers=tuple(providers),
        created_at=_text(c, doc, "created_at"),
    )


REQUIRE = ("all_stakeholders", "majority", "primary_only", "none")
ESCALATION = ("primary_decides", "realm_approvers", "none")
NOTIFY = ("all_stakeholders", "primary_only", "none")


def governance_doc(parsed: Parsed, file: str, domain: str, out: list[Problem]) -> DomainGovernance | None:
    c = FileCheck(file, parsed, out, domain=domain)
    c.parse_issues()
    doc = c.mapping(parsed.data, "")
    if doc is None:
        return None
    c.keys(doc, "", ("ownership", "decisions", "meetings"))
    primary: str | None = None
    stakeholders: list[str] = []
    data: dict[str, Any] = {}
    own = doc.get("ownership")
    if own is not None and (o := c.mapping(own, "ownership")) is not None:
        c.keys(o, "ownership", ("primary", "stakeholders"))
        if "primary" in o:
            primary = c.name_value(o["primary"], "ownership.primary", "primary repo")
        stakeholders = c.names(o, "ownership", "stakeholders", "repo")
    dec = doc.get("decisions")
    if dec is not None and (d := c.mapping(dec, "decisions")) is not None:
        c.keys(d, "decisions", ("breaking_changes", "new_versions"))
        decisions: dict[str, Any] = {}
        bc = d.get("breaking_changes")
        if bc is not None and (b := c.mapping(bc, "decisions.breaking_changes")) is not None:
            p = "decisions.breaking_changes"
            c.keys(b, p, ("require", "timeout_days", "escalation"))
            decisions["breaking_changes"] = {
                "require": c.enum(b, p, "require", REQUIRE, "all_stakeholders"),
                "timeout_days": c.number(b, p, "timeout_days", integer=True, minimum=0),
                "escalation": c.enum(b, p, "escalation", ESCALATION, None),
            }
        nv = d.get("new_versions")
        if nv is not None and (n := c.mapping(nv, "decisions.new_versions")) is not None:
            p = "decisions.new_versions"
            c.keys(n, p, ("require", "notify"))
            decisions["new_versions"] = {
                "require": c.enum(n, p, "require", REQUIRE, "primary_only"),
                "notify": c.enum(n, p, "notify", NOTIFY, "all_stakeholders"),
            }
        data["decisions"] = decisions
    meet = doc.get("meetings")
    if meet is not None and (mt := c.mapping(meet, "meetings")) is not None:
        c.keys(mt, "meetings", ("sync_cadence", "channel"))
        data["meetings"] = {k: c.string(mt, "meetings", k) for k in ("sync_cadence", "channel") if k in mt}
    return DomainGovernance(primary=primary, stakeholders=tuple(stakeholders), data=data)


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
            _text(c, m, "date", key)
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


# ---- domains/{d}/bindings/{repo}.yaml --------------------------------------------------------------


def binding_doc(parsed: Parsed, file: str, domain: str, stem: str, out: list[Problem]) -> Binding | None:
    c = FileCheck(file, parsed, out, domain=domain, repo=stem)
    c.parse_issues()
    doc = c.mapping(parsed.data, "")
    if doc is None:
        return None
    c.keys(doc, "", ("repo", "role", "exports", "imports"))
    c.name_matches(doc, "repo", stem, "file")
    role = c.enum(doc, "", "role", ROLES, None)
    exports: list[Export] = []
    raw = doc.get("exports")
    if raw is not None and not isinstance(raw, list):
        c.error("wrong-type", "exports", f"exports must be a list, not {type_name(raw)}")
    for i, item in enumerate(raw if isinstance(raw, list) else ()):
        key = f"exports[{i}]"
        m = c.mapping(item, key)
        if m is None:
            continue
        c.keys(m, key, ("contract", "source_files"), required=("contract",))
        name = c.name_value(m["contract"], f"{key}.contract", "contract") if "contract" in m else None
        files = []
        for j, f in enumerate(c.strings(m, key, "source_files")):
            ok = c.relpath(f, f"{key}.source_files[{j}]", "source file")
            if ok is not None:
                files.append(ok)
        if name is not None:
            if any(e.contract == name for e in exports):
                c.error(
                    "duplicate", f"{key}.contract", f"contract {name!r} is exported twice in this binding"
                )
            exports.append(Export(name, tuple(files), i))
    imports: list[Import] = []
    raw = doc.get("imports")
    if raw is not None and not isinstance(raw, list):
        c.error("wrong-type", "imports", f"imports must be a list, not {type_name(raw)}")
    for i, item in enumerate(raw if isinstance(raw, list) else ()):
        key = f"imports[{i}]"
        m = c.mapping(item, key)
        if m is None:
            continue
        c.keys(
            m,
            key,
            ("contract", "version", "binding", "status", "resolved_version", "resolved_at"),
            required=("contract", "version"),
        )
        name = c.name_value(m["contract"], f"{key}.contract", "contract") if "contract" in m else None
        rng = m.get("version")
        if rng is not None and not isinstance(rng, str):
            hint = 'quote it: version: ">=1.0.0 <2.0.0"'
            c.error(
                "wrong-type",
                f"{key}.version",
                f"{key}.version must be a range string, not {type_name(rng)}",
                hint,
            )
            rng = None
        # The range's syntax and prerelease use are checked in cross_check, which knows the contract.
        bfile = m.get("binding")
        binding_path = c.relpath(bfile, f"{key}.binding", "binding file") if bfile not in (None, "") else None
        status = c.enum(m, key, "status", IMPORT_STATUSES, "pending") or "pending"
        resolved = c.version(m, key, "resolved_version")
        if name is not None and rng is not None:
            if any(x.contract == name for x in imports):
                c.error(
                    "duplicate", f"{key}.contract", f"contract {name!r} is imported twice in this binding"
                )
            imports.append(
                Import(name, rng, binding_path, status, resolved, _text(c, m, "resolved_at", key), i)
            )
    if role == "consumer" and exports:
        c.error(
            "role-mismatch",
            "role",
            "role is consumer, but the binding exports contracts",
            "set role: provider (or both)",
        )
    if role == "provider" and imports:
        c.error(
            "role-mismatch",
            "role",
            "role is provider, but the binding imports contracts",
            "set role: consumer (or both)",
        )
    return Binding(domain, stem, role, tuple(exports), tuple(imports))


# ---- references between files ----------------------------------------------------------------------


def cross_check(realm: Realm, locate: Any) -> None:
    """Check references between files; append to ``realm.problems``.

    ``locate(file, key) -> line | None`` finds lines for problems in files already parsed.
    """
    out = realm.problems
    repos = realm.repos
    skip = realm.unusable

    def add(
        severity: Severity,
        rule: str,
        file: str,
        key: str | None,
        message: str,
        *,
        hint: str | None = None,
        domain: str | None = None,
        contract: str | None = None,
        repo: str | None = None,
    ) -> None:
        out.append(
            Problem(
                severity,
                rule,
                message,
                file=file,
                key=key,
                line=locate(file, key),
                domain=domain,
                contract=contract,
                repo=repo,
                hint=hint,
            )
        )

    def unknown_repo(name: str) -> bool:
        return name not in repos and f"repo:{name}" not in skip

    join_hint = "register it with `blue realm admin join REALM --repo NAME` from that repo"
    for dname, dom in realm.domains.items():
        for i, member in enumerate(dom.members):
            if unknown_repo(member):
                add(
                    "error",
                    "unknown-repo",
                    dom.file,
                    f"members[{i}]",
                    f"member {member!r} is not a registered repo ({repo_file(member)} is missing)",
                    hint=join_hint,
                    domain=dname,
                )
        gov = dom.governance
        if gov is not None:
            gfile = f"domains/{dname}/governance.yaml"
            people = ([("ownership.primary", gov.primary)] if gov.primary else []) + [
                (f"ownership.stakeholders[{i}]", s) for i, s in enumerate(gov.stakeholders)
            ]
            for key, name in people:
                if unknown_repo(name):
                    add(
                        "error",
                        "unknown-repo",
                        gfile,
                        key,
                        f"{name!r} is not a registered repo",
                        hint=join_hint,
                        domain=dname,
                    )
                elif name not in dom.members:
                    add(
                        "error",
                        "not-a-member",
                        gfile,
                        key,
                        f"{name!r} is not a member of domain {dname!r}",
                        domain=dname,
                    )

    for (dname, cname), con in realm.contracts.items():
        cdom = realm.domains.get(dname)
        if unknown_repo(con.owner):
            add(
                "error",
                "unknown-repo",
                con.file,
                "owner",
                f"owner {con.owner!r} is not a registered repo",
                hint=join_hint,
                domain=dname,
                contract=cname,
            )
        elif cdom is not None and con.owner not in cdom.members:
            add(
                "error",
                "not-a-member",
                con.file,
                "owner",
                f"owner {con.owner!r} is not a member of domain {dname!r}",
                hint=f"add it: `blue realm admin domain {dname} --update --add {con.owner}`",
                domain=dname,
                contract=cname,
            )

    for (dname, rname), b in realm.bindings.items():
        bdom = realm.domains.get(dname)
        if unknown_repo(rname):
            add(
                "error",
                "unknown-repo",
                b.file,
                "repo",
                f"binding for {rname!r}, which is not a registered repo",
                hint=join_hint,
                domain=dname,
                repo=rname,
            )
        elif bdom is not None and rname not in bdom.members:
            add(
                "error",
                "not-a-member",
                b.file,
                None,
                f"repo {rname!r} has a binding but is not a member of domain {dname!r}",
                hint=f"`blue realm admin domain {dname} --update --add {rname}`",
                domain=dname,
                repo=rname,
            )

        def unknown_contract(
            verb: str, key: str, contract: str, b: Binding = b, dname: str = dname, rname: str = rname
        ) -> None:
            if f"contract:{dname}/{contract}" in skip:
                return  # the contract's own file failed to load: reported there
            known = ", ".join(c.name for c in realm.contracts_in(dname)) or "none"
            add(
                "error",
                "unknown-contract",
                b.file,
                f"{key}.contract",
                f"{verb} contract {contract!r}, which is not in domain {dname!r}",
                hint=f"contracts in {dname}: {known}",
                domain=dname,
                contract=contract,
                repo=rname,
            )

        for e in b.exports:
            exported = realm.contracts.get((dname, e.contract))
            if exported is None:
                unknown_contract("exports", e.key, e.contract)
            elif exported.owner != rname:
                add(
                    "error",
                    "not-owner",
                    b.file,
                    f"{e.key}.contract",
                    f"{rname!r} exports {e.contract!r}, but its owner is {exported.owner!r}; only the owner's binding "
                    "may export it",
                    domain=dname,
                    contract=e.contract,
                    repo=rname,
                )
        for imp in b.imports:
            imported = realm.contracts.get((dname, imp.contract))
            if imported is None:
                unknown_contract("imports", imp.key, imp.contract)
                why = semver.range_problem(imp.range, allow_prerelease=True)
            else:
                why = semver.range_problem(imp.range, allow_prerelease=imported.prereleases)
                if imported.owner == rname:
                    add(
                        "error",
                        "self-import",
                        b.file,
                        f"{imp.key}.contract",
                        f"{rname!r} imports its own contract {imp.contract!r}",
                        domain=dname,
                        contract=imp.contract,
                        repo=rname,
                    )
            if why:
                add(
                    "error",
                    "bad-range",
                    b.file,
                    f"{imp.key}.version",
                    f"{imp.key}.version {why}",
                    domain=dname,
                    contract=imp.contract,
                    repo=rname,
                )
