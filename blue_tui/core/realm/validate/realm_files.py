"""``realm.yaml``, ``repos/{repo}.yaml``, ``domains/{d}/domain.yaml`` and ``governance.yaml``."""

from __future__ import annotations

from typing import Any

from blue_tui.core.realm.model import Domain, DomainGovernance, RealmMeta, Repo
from blue_tui.core.realm.names import relpath_problem
from blue_tui.core.realm.problems import Problem
from blue_tui.core.realm.validate.filecheck import FileCheck, text
from blue_tui.core.realm.yamlfile import Parsed, join_key

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
        created_at=text(c, doc, "created_at"),
        governance=governance,
        trust=trust,
        permissions=permissions,
    )


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
        joined_at=text(c, doc, "joined_at"),
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
        created_at=text(c, doc, "created_at"),
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
