"""What every admin change checks before it writes: the things it names exist, the file it
rewrites loads cleanly, the file it writes would load cleanly, and the graph stays acyclic."""

from __future__ import annotations

from blue_tui.core.realm import safefs
from blue_tui.core.realm.errors import AlreadyExists, CycleError, ItemNotFound, RealmInvalid
from blue_tui.core.realm.graph import DependencyGraph, Edge, realm_edges
from blue_tui.core.realm.model import Realm, repo_file
from blue_tui.core.realm.problems import Problem
from blue_tui.core.realm.validate import binding_doc, contract_doc, domain_doc, realm_doc, repo_doc
from blue_tui.core.realm.yamlfile import parse_text


def self_check(kind: str, rel: str, text: str, realm_folder: str, **ids: str) -> None:
    """Refuse to write a file that would not load cleanly (a bug guard; inputs are checked before)."""
    parsed = parse_text(text)
    out: list[Problem] = []
    if kind == "repo":
        repo_doc(parsed, rel, ids["stem"], out)
    elif kind == "domain":
        domain_doc(parsed, rel, ids["domain"], out)
    elif kind == "contract":
        contract_doc(parsed, rel, ids["domain"], ids["stem"], out)
    elif kind == "binding":
        binding_doc(parsed, rel, ids["domain"], ids["stem"], out)
    elif kind == "realm":
        realm_doc(parsed, rel, realm_folder, out)
    errors = [p for p in out if p.severity == "error"]
    if errors:
        first = errors[0]
        raise RealmInvalid(f"refusing to write {rel}: {first.key or ''} {first.message}".replace("  ", " "))


def require_repo(realm: Realm, name: str, what: str) -> None:
    if name not in realm.repos:
        raise ItemNotFound(
            f"{what} {name!r} is not a registered repo in realm {realm.name!r} ({repo_file(name)} is missing)",
            hint=f"register it first: run `blue realm admin join {realm.name}` in that repo's checkout",
        )


def require_domain(realm: Realm, name: str) -> None:
    if name not in realm.domains:
        known = ", ".join(sorted(realm.domains)) or "none yet"
        raise ItemNotFound(
            f"no domain {name!r} in realm {realm.name!r} (domains: {known})",
            hint=f"create it with `blue realm admin domain {name} --repos A,B`",
        )


def own_file_ok(realm: Realm, rel: str) -> None:
    """The file this change rewrites must itself load without errors (we would lose the bad part)."""
    bad = [p for p in realm.problems if p.file == rel and p.severity == "error"]
    if bad:
        first = bad[0]
        where = f"{rel}:{first.line}" if first.line else rel
        raise RealmInvalid(
            f"{where}: {first.message}", hint=f"fix {rel} by hand first, then run the command again"
        )


def check_graph(realm: Realm, new_edges: list[Edge], *, drop_domain: str | None = None, what: str) -> None:
    """Refuse ``new_edges`` if one closes a cycle (``drop_domain``'s old edges are left out first)."""
    graph = DependencyGraph()
    for edge in realm_edges(realm):
        if drop_domain is not None and edge.via == drop_domain:
            continue
        graph.add(edge.provider, edge.consumer, edge.via)
    found = graph.check_new(new_edges)
    if found is not None:
        raise CycleError(found[0], via=found[1], what=what)


def create_or_update(
    realm: Realm,
    rel: str,
    *,
    known: bool,
    update: bool,
    exists: tuple[str, str],
    missing: tuple[str, str],
) -> bool:
    """Whether ``rel`` exists; refuse to overwrite it without ``--update`` and to update nothing.

    ``exists`` and ``missing`` are ``(message, hint)`` for the two refusals. A file that exists is
    rewritten, so it must itself load without errors first.
    """
    there = known or safefs.exists(realm.root, rel)
    if there and not update:
        raise AlreadyExists(exists[0], hint=exists[1])
    if not there and update:
        raise ItemNotFound(missing[0], hint=missing[1])
    if there:
        own_file_ok(realm, rel)
    return there


def unchanged(realm: Realm, rel: str, text: str) -> bool:
    """Is ``text`` exactly what ``rel`` holds now?"""
    return safefs.exists(realm.root, rel) and safefs.read_text(realm.root, rel) == text
