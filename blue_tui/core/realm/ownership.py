"""Who may change which realm file: the rule ``realm sync`` enforces before it publishes anything
(seed 004 round 11: "Reject if non-owner tries to modify").

``permissions`` in realm.yaml maps path patterns to groups (defaults below). Groups:

- ``repo_maintainers``: the repo named by the path's ``{repo}`` (its own ``repos/`` file and bindings);
- ``contract_owner``: the contract's owner, before and after the change (so an owner may hand a
  contract over, but nobody may take one);
- ``domain_owners``: the domain's governance ``primary`` when it has one, else its members;
- ``realm_approvers``: a person listed in ``governance.approvers`` (by ``BLUE_USER``/git email);
- ``anyone``.

A file no pattern matches (``realm.yaml`` itself, anything outside ``repos/`` and ``domains/``)
needs a realm approver.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from blue_tui.core.realm.model import Realm

DEFAULT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "repos/{repo}.yaml": ("repo_maintainers",),
    "domains/{domain}/domain.yaml": ("domain_owners",),
    "domains/{domain}/governance.yaml": ("domain_owners",),
    "domains/{domain}/contracts/{name}.yaml": ("contract_owner",),
    "domains/{domain}/bindings/{repo}.yaml": ("repo_maintainers",),
}
_PLACEHOLDER = re.compile(r"\{(repo|domain|name|contract)\}")


@dataclass(frozen=True)
class FileVerdict:
    path: str
    #: ``A`` added, ``M`` modified, ``D`` deleted
    change: str
    allowed: bool
    #: Who may change it, in words (``repo aperture``, ``contract owner fungal``...).
    owner: str

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "change": self.change, "allowed": self.allowed, "owner": self.owner}


def _pattern(template: str) -> re.Pattern[str]:
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[pos : m.start()]))
        key = "name" if m.group(1) == "contract" else m.group(1)
        out.append(f"(?P<{key}>[^/]{{1,200}})")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(out) + "$")


def _permissions(realm: Realm) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    perms: Mapping[str, Sequence[str]] = DEFAULT_PERMISSIONS
    if realm.meta is not None and realm.meta.permissions:
        perms = {**DEFAULT_PERMISSIONS, **{k: tuple(v) for k, v in realm.meta.permissions.items()}}
    return [(_pattern(t), tuple(g)) for t, g in perms.items() if isinstance(t, str)]


def approvers(realm: Realm) -> list[str]:
    gov = realm.meta.governance if realm.meta is not None else {}
    raw = gov.get("approvers") if isinstance(gov, dict) else None
    return [str(a) for a in raw] if isinstance(raw, list) else []


class Judge:
    """Decides, for one repo and one person, which changed files they may publish."""

    def __init__(self, old: Realm, new: Realm, repo: str, user: str) -> None:
        self.old = old
        self.new = new
        self.repo = repo
        self.user = user
        self.rules = _permissions(old if old.meta is not None else new)

    def _group(self, group: str, ids: dict[str, str]) -> tuple[bool, str]:
        repo = self.repo
        if group in ("anyone", "*"):
            return True, "anyone"
        if group == "repo_maintainers":
            named = ids.get("repo")
            return named == repo, f"repo {named}" if named else "its repo"
        if group == "contract_owner":
            domain, name = ids.get("domain", ""), ids.get("name", "")
            owners = {
                c.owner
                for c in (self.old.contract(domain, name), self.new.contract(domain, name))
                if c is not None
            }
            if not owners:
                return False, "the contract's owner (unknown: the file does not load)"
            return owners == {repo}, "contract owner " + " / ".join(sorted(owners))
        if group == "domain_owners":
            domain = ids.get("domain", "")
            dom = self.old.domains.get(domain) or self.new.domains.get(domain)
            if dom is None:
                return False, f"domain {domain}'s owners (unknown: domain.yaml does not load)"
            gov = dom.governance
            if gov is not None and gov.primary:
                return gov.primary == repo, f"domain primary {gov.primary}"
            members = set(dom.members)
            if domain not in self.old.domains:  # a new domain: whoever is a member of it
                members = set(self.new.domains[domain].members) if domain in self.new.domains else members
            return repo in members, f"members of domain {domain}"
        if group in ("realm_approvers", "approvers"):
            names = approvers(self.old) or approvers(self.new)
            return self.user in names, "realm approvers (" + (", ".join(names) or "none listed") + ")"
        return False, f"group {group!r}"

    def verdict(self, change: str, path: str) -> FileVerdict:
        for pattern, groups in self.rules:
            m = pattern.match(path)
            if m is None:
                continue
            ids = {k: v for k, v in m.groupdict().items() if v is not None}
            labels = []
            for group in groups:
                ok, label = self._group(group, ids)
                labels.append(label)
                if ok:
                    return FileVerdict(path, change, True, label)
            return FileVerdict(path, change, False, " or ".join(labels) or "nobody")
        ok, label = self._group("realm_approvers", {})
        return FileVerdict(path, change, ok, label)

    def judge(self, changes: Iterable[tuple[str, str]]) -> list[FileVerdict]:
        return [self.verdict(change, path) for change, path in changes]
