"""``admin domain``: create a domain (members, declared providers) or change its members.

A member that still has a binding or owns a contract in the domain cannot be removed, and
declared providers add provider -> member edges that must not close a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm.admin.preconditions import (
    check_graph,
    create_or_update,
    require_repo,
    self_check,
    unchanged,
)
from blue_tui.core.realm.admin.transaction import AdminResult, now, transaction
from blue_tui.core.realm.errors import InvalidInput, RealmError
from blue_tui.core.realm.graph import Edge
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import Domain, Realm, domain_file
from blue_tui.core.realm.names import check_name
from blue_tui.core.realm.yamlfile import dump


def _members(
    realm: Realm,
    name: str,
    old: Domain | None,
    repos: Sequence[str] | None,
    add: Sequence[str],
    remove: Sequence[str],
) -> tuple[list[str], list[str]]:
    """``(members, removed)`` after the change; refuses unknown repos and members still in use."""
    members = list(repos) if repos is not None else list(old.members if old else ())
    members += [r for r in add if r not in members]
    gone = [r for r in remove if r in members]
    members = list(dict.fromkeys(r for r in members if r not in remove))
    for member in members:
        require_repo(realm, member, "member")
    for r in sorted(set(old.members) - set(members) if old else ()):
        uses = [f"binding {b.file}" for b in realm.bindings_in(name) if b.repo == r]
        uses += [f"owner of {c.ref}" for c in realm.contracts_in(name) if c.owner == r]
        if uses:
            raise RealmError(
                f"cannot remove {r!r} from domain {name!r}: {'; '.join(uses)}",
                hint="remove its binding and hand over its contracts first",
            )
    return members, gone


def set_domain(
    settings: Settings,
    located: Located,
    name: str,
    *,
    repos: Sequence[str] | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    providers: Sequence[str] | None = None,
    description: str | None = None,
    update: bool = False,
) -> AdminResult:
    check_name(name, "domain")
    for r in (*(repos or ()), *add, *remove, *(providers or ())):
        check_name(r, "repo")
    realm = load_realm(located.root)
    rel = domain_file(name)
    old = realm.domains.get(name)
    exists = create_or_update(
        realm,
        rel,
        known=old is not None,
        update=update,
        exists=(
            f"domain {name!r} already exists ({rel})",
            f"change it with `blue realm admin domain {name} --update` "
            "(--repos to replace members, --add/--remove to edit them)",
        ),
        missing=(f"no domain {name!r} to update", f"create it: `blue realm admin domain {name} --repos A,B`"),
    )
    if not exists and not repos and not add:
        raise InvalidInput(
            f"domain {name!r} needs members", hint=f"`blue realm admin domain {name} --repos A,B`"
        )
    members, gone = _members(realm, name, old, repos, add, remove)
    provs = (
        list(providers)
        if providers is not None
        else [p for p in (old.providers if old else ()) if p in members]
    )
    for p in provs:
        if p not in members:
            raise InvalidInput(
                f"provider {p!r} is not a member of domain {name!r}", hint=f"add it: --add {p}"
            )
    new_edges = [Edge(p, m, name) for p in provs for m in members if m != p and m not in provs]
    check_graph(realm, new_edges, drop_domain=name, what=f"domain {name!r}")
    doc: dict[str, Any] = {
        "name": name,
        "description": description if description is not None else (old.description if old else ""),
        "members": members,
    }
    if provs:
        doc["providers"] = provs
    doc["created_at"] = old.created_at if old and old.created_at else now()
    text = dump(doc)
    self_check("domain", rel, text, realm.root.name, domain=name)
    if exists and unchanged(realm, rel, text):
        return AdminResult("domain", realm.name, str(located.root), f"domain {name} unchanged")
    detail = f"members: {', '.join(members)}" + (f"; providers: {', '.join(provs)}" if provs else "")
    if gone:
        detail += f"; removed: {', '.join(gone)}"
    with transaction(located.root) as txn:
        txn.write(rel, text)
        sha = txn.commit(settings, f"realm: {'update' if exists else 'add'} domain {name} ({detail})")
        return AdminResult(
            "domain",
            realm.name,
            str(located.root),
            f"{'updated' if exists else 'created'} domain {name} ({detail})",
            txn.changed,
            sha,
            details={"domain": name, "members": members, "providers": provs},
        )
