"""``blue realm admin ...`` as functions: init, join, leave, domain, contract, binding.

Every change validates its names, refuses to overwrite what exists (the error's hint names the
flag that updates instead), enforces one owner per contract and that only the owner's binding
exports it, keeps the provider -> consumer graph acyclic, and commits exactly the files it
touched to the realm repo with a message saying what changed. A change that fails half-way
(commit refused by a hook, disk full) puts the files back. Results are values; nothing prints.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git, semver
from blue_tui.core.realm import index as realm_index
from blue_tui.core.realm.clone import clone_realm, record_checkout
from blue_tui.core.realm.compatcheck import compare
from blue_tui.core.realm.errors import (
    AlreadyExists,
    CycleError,
    IncompatibleChange,
    InvalidInput,
    ItemNotFound,
    NotInRepo,
    OwnershipError,
    RealmDirty,
    RealmError,
    RealmInvalid,
    RealmNotFound,
)
from blue_tui.core.realm.fsutil import locked, write_atomic
from blue_tui.core.realm.graph import DependencyGraph, Edge, realm_edges
from blue_tui.core.realm.loader import REALM_PATHSPECS, is_realm, load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import (
    REALM_FILE,
    Contract,
    Realm,
    binding_file,
    contract_file,
    domain_file,
    repo_file,
)
from blue_tui.core.realm.names import check_name, name_problem, relpath_problem, resolve_inside
from blue_tui.core.realm.problems import Problem
from blue_tui.core.realm.repo_config import Membership, read_membership, remove_membership, write_membership
from blue_tui.core.realm.validate import (
    POLICIES,
    binding_doc,
    contract_doc,
    domain_doc,
    parse_compat_word,
    realm_doc,
    repo_doc,
)
from blue_tui.core.realm.yamlfile import dump, parse_text
from blue_tui.core.sessions.contracts import notify_contract_change

DEFAULT_PERMISSIONS = {
    "repos/{repo}.yaml": ["repo_maintainers"],
    "domains/{domain}/domain.yaml": ["domain_owners"],
    "domains/{domain}/contracts/{name}.yaml": ["contract_owner"],
    "domains/{domain}/bindings/{repo}.yaml": ["repo_maintainers"],
}


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class AdminResult:
    action: str
    realm: str
    realm_path: str
    summary: str
    changed: tuple[str, ...] = ()
    commit: str | None = None
    warnings: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "realm": self.realm,
            "realm_path": self.realm_path,
            "summary": self.summary,
            "changed": list(self.changed),
            "commit": self.commit,
            "warnings": list(self.warnings),
            **self.details,
        }


# ---- the write transaction -------------------------------------------------------------------------


class Txn:
    """Files written in one admin change, with their old contents for rollback."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.old: dict[str, bytes | None] = {}

    def _remember(self, rel: str) -> Path:
        path = self.root / rel
        if rel not in self.old:
            self.old[rel] = path.read_bytes() if path.exists() else None
        return path

    def write(self, rel: str, text: str) -> None:
        write_atomic(self._remember(rel), text)

    def delete(self, rel: str) -> None:
        path = self._remember(rel)
        if path.exists():
            path.unlink()

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(sorted(self.old))

    def rollback(self) -> None:
        for rel, content in self.old.items():
            path = self.root / rel
            try:
                if content is None:
                    if path.exists():
                        path.unlink()
                else:
                    write_atomic(path, content.decode("utf-8"))
            except OSError:
                continue

    def commit(self, settings: Settings, message: str) -> str:
        config = git.identity_config(self.root, settings.user)
        return git.commit(self.root, self.changed, message, config=config)


def _lock_path(root: Path) -> Path:
    dot_git = root / ".git"
    return dot_git / "blue-admin.lock" if dot_git.is_dir() else root / ".blue" / "admin.lock"


@contextmanager
def transaction(root: Path) -> Iterator[Txn]:
    """Lock the realm, refuse a dirty tree, and roll back on any failure inside the block."""
    if not git.is_repo(root):
        raise RealmError(
            f"{root} is not a git repository; a realm is a git repo",
            hint=f"run `git init` in {root} (or create the realm with `blue realm admin init`)",
        )
    with locked(_lock_path(root)):
        dirty = git.changed_paths(root, REALM_PATHSPECS)
        if dirty:
            raise RealmDirty(str(root), dirty)
        txn = Txn(root)
        try:
            yield txn
        except BaseException:
            txn.rollback()
            raise


def _commit(txn: Txn, settings: Settings, message: str) -> str | None:
    if not txn.changed:
        return None
    try:
        return txn.commit(settings, message)
    except BaseException:
        txn.rollback()
        raise


def _load(root: Path) -> Realm:
    return load_realm(root)


def _self_check(kind: str, rel: str, text: str, realm: Realm, **ids: str) -> None:
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
        realm_doc(parsed, rel, realm.root.name, out)
    errors = [p for p in out if p.severity == "error"]
    if errors:
        first = errors[0]
        raise RealmInvalid(f"refusing to write {rel}: {first.key or ''} {first.message}".replace("  ", " "))


def _require_repo(realm: Realm, name: str, what: str) -> None:
    if name not in realm.repos:
        raise ItemNotFound(
            f"{what} {name!r} is not a registered repo in realm {realm.name!r} ({repo_file(name)} is missing)",
            hint=f"register it first: run `blue realm admin join {realm.name}` in that repo's checkout",
        )


def _require_domain(realm: Realm, name: str) -> None:
    if name not in realm.domains:
        known = ", ".join(sorted(realm.domains)) or "none yet"
        raise ItemNotFound(
            f"no domain {name!r} in realm {realm.name!r} (domains: {known})",
            hint=f"create it with `blue realm admin domain {name} --repos A,B`",
        )


def _own_file_ok(realm: Realm, rel: str) -> None:
    """The file this change rewrites must itself load without errors (we would lose the bad part)."""
    bad = [p for p in realm.problems if p.file == rel and p.severity == "error"]
    if bad:
        first = bad[0]
        where = f"{rel}:{first.line}" if first.line else rel
        raise RealmInvalid(
            f"{where}: {first.message}", hint=f"fix {rel} by hand first, then run the command again"
        )


# ---- init / join / leave ------------------------------------------------------------------------------


def init_realm(
    settings: Settings, name: str, *, path: Path | None = None, description: str = ""
) -> AdminResult:
    check_name(name, "realm")
    idx = realm_index.read_index(settings)
    existing = idx.get(name)
    if existing is not None and is_realm(existing.path):
        raise AlreadyExists(
            f"realm {name!r} is already in {idx.path} at {existing.path}",
            hint=f"use it with --realm {name}, or pick another name",
        )
    target = (path or settings.realms_dir / name).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        hint = (
            f"it is a realm already: `blue realm admin join {target}`"
            if is_realm(target)
            else "pass --path DIR to create the realm somewhere else"
        )
        raise AlreadyExists(f"{target} already exists and is not empty", hint=hint)
    doc = {
        "name": name,
        "version": "1.0.0",
        "description": description,
        "created_at": now(),
        "governance": {
            "admission": "approval",
            "approvers": [settings.user],
            "breaking_changes": {"require_approval": True, "grace_period_days": 14},
        },
        "trust": {"mode": "collaborative", "require_signed_commits": False},
        "permissions": DEFAULT_PERMISSIONS,
    }
    text = dump(doc)
    created = not target.exists()
    try:
        git.init(target)
        probe = Realm(root=target, meta=None)
        _self_check("realm", REALM_FILE, text, probe)
        write_atomic(target / REALM_FILE, text)
        write_atomic(target / ".gitignore", "# blue's local cache and locks\n.blue/\n")
        config = git.identity_config(target, settings.user)
        sha = git.commit(target, [REALM_FILE, ".gitignore"], f"realm: create realm {name}", config=config)
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        raise
    realm_index.upsert(settings, realm_index.IndexEntry(name, target))
    return AdminResult(
        "init",
        name,
        str(target),
        f"created realm {name} at {target}",
        (REALM_FILE, ".gitignore"),
        sha,
        details={"index": str(idx.path)},
    )


def _looks_like_url(arg: str) -> bool:
    return "://" in arg or (":" in arg and "@" in arg.split(":", 1)[0]) or arg.endswith(".git")


def _resolve_join_target(settings: Settings, target: str) -> tuple[Path, str | None, bool]:
    """``(realm root, url, cloned)`` for a realm name, a local realm folder, or a git URL."""
    idx = realm_index.read_index(settings)
    entry = idx.get(target)
    if entry is not None and is_realm(entry.path):
        return entry.path.resolve(), entry.url, False
    local = Path(target).expanduser()
    if local.is_dir() and is_realm(local):
        # A realm checkout on this machine: use it in place.
        return local.resolve(), git.remote_url(local.resolve()) if git.is_repo(local) else None, False
    # Anything else that exists locally (a bare repo, say) or looks like a URL is cloned.
    if not (_looks_like_url(target) or local.is_dir()):
        known = ", ".join(e.name for e in idx.entries) or "none"
        raise RealmNotFound(
            f"{target!r} is not a realm name in {idx.path} (known: {known}), a realm folder, or a git URL",
            hint="e.g. `blue realm admin join git@host:org/realm.git`",
        )
    settings.realms_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".clone-", dir=str(settings.realms_dir)))
    clone_dir = tmp / "realm"
    try:
        clone_realm(settings, str(local.resolve()) if local.is_dir() else target, clone_dir)
        if not is_realm(clone_dir):
            raise RealmNotFound(f"{target} has no realm.yaml at its top level: not a realm repo")
        meta = realm_doc(
            parse_text((clone_dir / REALM_FILE).read_text(encoding="utf-8")), REALM_FILE, clone_dir.name, []
        )
        if meta is None:
            raise RealmNotFound(
                f"{target}: realm.yaml has no valid name", hint="fix realm.yaml in the realm repo"
            )
        dest = settings.realms_dir / meta.name
        if dest.exists():
            if is_realm(dest):
                return dest.resolve(), target, False
            raise AlreadyExists(f"{dest} exists and is not the realm {meta.name!r}", hint=f"move {dest} away")
        os.replace(clone_dir, dest)
        return dest.resolve(), target, True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def join_realm(
    settings: Settings,
    target: str,
    *,
    cwd: Path,
    repo_name: str | None = None,
    url: str | None = None,
    maintainers: Sequence[str] = (),
    update: bool = False,
) -> AdminResult:
    repo_root = git.find_toplevel(cwd)
    if repo_root is None:
        raise NotInRepo(
            f"{cwd} is not inside a git repository",
            hint="run `blue realm admin join` from your code repo's checkout",
        )
    if is_realm(repo_root):
        raise InvalidInput(
            f"{repo_root} is a realm repo itself; join from a code repo",
            hint="cd into the code repo that should take part in the realm",
        )
    membership = read_membership(repo_root)
    name = repo_name or (membership.repo if membership else repo_root.name)
    why = name_problem(name)
    if why:
        raise InvalidInput(f"repo name {why}", hint="pick a name with --repo NAME")
    root, realm_url, cloned = _resolve_join_target(settings, target)
    realm = _load(root)
    if realm.meta is None:
        raise RealmInvalid(f"{root}/{REALM_FILE} is invalid", hint=f"run `blue realm check --realm {root}`")
    rname = realm.meta.name
    if membership is not None and membership.name != rname:
        raise AlreadyExists(
            f"{repo_root} is already in realm {membership.name!r}",
            hint="leave it first with `blue realm admin leave` (one realm per repo)",
        )
    rel = repo_file(name)
    registered = name in realm.repos or (root / rel).exists()
    same_repo = membership is not None and membership.repo == name
    commit = None
    changed: tuple[str, ...] = ()
    warnings: list[str] = []
    if registered and not (update or same_repo):
        raise AlreadyExists(
            f"repo {name!r} is already registered in realm {rname!r} ({rel})",
            hint="if this is that repo, re-run with --update; otherwise choose another name with --repo NAME",
        )
    if not registered or update:
        if registered:
            _own_file_ok(realm, rel)
        old = realm.repos.get(name)
        doc: dict[str, Any] = {"name": name}
        origin = url or (old.url if old else None) or git.remote_url(repo_root)
        if origin:
            doc["url"] = origin
        if old and old.org:
            doc["org"] = old.org
        if old and old.description:
            doc["description"] = old.description
        doc["maintainers"] = list(maintainers) or (
            list(old.maintainers) if old and old.maintainers else [settings.user]
        )
        if old and old.default_branch:
            doc["default_branch"] = old.default_branch
        doc["joined_at"] = old.joined_at if old and old.joined_at else now()
        text = dump(doc)
        _self_check("repo", rel, text, realm, stem=name)
        with transaction(root) as txn:
            if (root / rel).exists() and (root / rel).read_text(encoding="utf-8") == text:
                pass
            else:
                txn.write(rel, text)
                verb = "update" if registered else "register"
                commit = _commit(txn, settings, f"realm: {verb} repo {name}")
                changed = txn.changed
    elif registered:
        warnings.append(f"repo {name!r} was already registered; nothing changed in the realm")
    write_membership(
        repo_root,
        Membership(
            rname,
            name,
            realm_url or (membership.url if membership else None),
            dict(membership.extra) if membership else {},
        ),
    )
    realm_index.upsert(settings, realm_index.IndexEntry(rname, root, realm_url))
    record_checkout(settings, rname, name, repo_root)
    summary = f"{name} joined realm {rname}" if not registered else f"{name} is in realm {rname}"
    return AdminResult(
        "join",
        rname,
        str(root),
        summary,
        changed,
        commit,
        tuple(warnings),
        {
            "repo": name,
            "repo_root": str(repo_root),
            "config": str(repo_root / ".blue/config.yaml"),
            "cloned": cloned,
        },
    )


def leave_realm(settings: Settings, located: Located) -> AdminResult:
    if located.repo_root is None or located.membership is None:
        raise NotInRepo(
            "this directory is not in a realm member repo (no realm: block in .blue/config.yaml)",
            hint="cd into the member repo's checkout",
        )
    realm = _load(located.root)
    name = located.membership.repo
    involvement = realm.involvement(name)
    if involvement:
        raise RealmError(
            f"repo {name!r} still takes part in realm {realm.name!r}: {'; '.join(involvement)}",
            hint="remove its bindings, hand its contracts to another owner, and drop it from domains first",
        )
    commit = None
    changed: tuple[str, ...] = ()
    rel = repo_file(name)
    if (located.root / rel).exists():
        with transaction(located.root) as txn:
            txn.delete(rel)
            commit = _commit(txn, settings, f"realm: remove repo {name}")
            changed = txn.changed
    remove_membership(located.repo_root)
    return AdminResult(
        "leave",
        realm.name,
        str(located.root),
        f"{name} left realm {realm.name}",
        changed,
        commit,
        details={"repo": name},
    )


# ---- domains ---------------------------------------------------------------------------------------------


def _check_graph(realm: Realm, new_edges: list[Edge], *, drop_domain: str | None = None, what: str) -> None:
    graph = DependencyGraph()
    for edge in realm_edges(realm):
        if drop_domain is not None and edge.via == drop_domain:
            continue
        graph.add(edge.provider, edge.consumer, edge.via)
    found = graph.check_new(new_edges)
    if found is not None:
        raise CycleError(found[0], via=found[1], what=what)


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
    realm = _load(located.root)
    rel = domain_file(name)
    old = realm.domains.get(name)
    exists = old is not None or (located.root / rel).exists()
    if exists and not update:
        raise AlreadyExists(
            f"domain {name!r} already exists ({rel})",
            hint=f"change it with `blue realm admin domain {name} --update` "
            "(--repos to replace members, --add/--remove to edit them)",
        )
    if not exists and update:
        raise ItemNotFound(
            f"no domain {name!r} to update", hint=f"create it: `blue realm admin domain {name} --repos A,B`"
        )
    if exists:
        _own_file_ok(realm, rel)
    if not exists and not repos and not add:
        raise InvalidInput(
            f"domain {name!r} needs members", hint=f"`blue realm admin domain {name} --repos A,B`"
        )
    members = list(repos) if repos is not None else list(old.members if old else ())
    members += [r for r in add if r not in members]
    gone = [r for r in remove if r in members]
    members = [r for r in members if r not in remove]
    members = list(dict.fromkeys(members))
    for member in members:
        _require_repo(realm, member, "member")
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
    if old is not None:
        dropped = set(old.members) - set(members)
        for r in sorted(dropped):
            uses = [f"binding {b.file}" for b in realm.bindings_in(name) if b.repo == r]
            uses += [f"owner of {c.ref}" for c in realm.contracts_in(name) if c.owner == r]
            if uses:
                raise RealmError(
                    f"cannot remove {r!r} from domain {name!r}: {'; '.join(uses)}",
                    hint="remove its binding and hand over its contracts first",
                )
    new_edges = [Edge(p, m, name) for p in provs for m in members if m != p and m not in provs]
    _check_graph(realm, new_edges, drop_domain=name, what=f"domain {name!r}")
    doc: dict[str, Any] = {
        "name": name,
        "description": description if description is not None else (old.description if old else ""),
    }
    doc["members"] = members
    if provs:
        doc["providers"] = provs
    doc["created_at"] = old.created_at if old and old.created_at else now()
    text = dump(doc)
    _self_check("domain", rel, text, realm, domain=name)
    if exists and (located.root / rel).read_text(encoding="utf-8") == text:
        return AdminResult("domain", realm.name, str(located.root), f"domain {name} unchanged")
    with transaction(located.root) as txn:
        txn.write(rel, text)
        detail = f"members: {', '.join(members)}" + (f"; providers: {', '.join(provs)}" if provs else "")
        if gone:
            detail += f"; removed: {', '.join(gone)}"
        sha = _commit(txn, settings, f"realm: {'update' if exists else 'add'} domain {name} ({detail})")
        return AdminResult(
            "domain",
            realm.name,
            str(located.root),
            f"{'updated' if exists else 'created'} domain {name} ({detail})",
            txn.changed,
            sha,
            details={"domain": name, "members": members, "providers": provs},
        )


# ---- contracts --------------------------------------------------------------------------------------------


def _compat_block(word: str | None, policy: str | None, old: dict[str, Any] | None) -> dict[str, Any]:
    block: dict[str, Any] = dict(old) if isinstance(old, dict) else {}
    if isinstance(old, str):
        parsed_old = parse_compat_word(old)
        if parsed_old:
            block = {"backwards": parsed_old[0], "forwards": parsed_old[1], "transitive": parsed_old[2]}
    if not block:
        block = {"backwards": True, "forwards": True, "transitive": True, "policy": "lenient"}
    if word is not None:
        parsed = parse_compat_word(word)
        if parsed is None:
            raise InvalidInput(
                f"--compatibility {word!r} is not a mode",
                hint="full, backward, forward or none, with an optional _transitive suffix",
            )
        for k in ("mode", "backward", "forward"):
            block.pop(k, None)
        block.update({"backwards": parsed[0], "forwards": parsed[1], "transitive": parsed[2]})
    if policy is not None:
        if policy not in POLICIES:
            raise InvalidInput(f"--policy {policy!r} is not one of {', '.join(POLICIES)}")
        block["policy"] = policy
    block.setdefault("policy", "lenient")
    return block


def _hook_list(values: Sequence[str]) -> list[str]:
    for v in values:
        try:
            argv = shlex.split(v)
        except ValueError as exc:
            raise InvalidInput(f"hook {v!r}: {exc}") from None
        why = relpath_problem(argv[0]) if argv else "is empty"
        if why:
            raise InvalidInput(
                f"hook {v!r}: program {why}", hint="give a script inside the repo, e.g. scripts/check.sh"
            )
    return list(values)


def _next_version(version: str, level: str) -> str:
    core = version.split("-", 1)[0].split("+", 1)[0]
    major, minor, patch = (int(x) for x in core.split("."))
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def set_contract(
    settings: Settings,
    located: Located,
    name: str,
    *,
    domain: str,
    owner: str | None = None,
    version: str | None = None,
    schema_file: Path | None = None,
    compatibility: str | None = None,
    policy: str | None = None,
    prereleases: bool | None = None,
    description: str | None = None,
    changes: Sequence[str] = (),
    exporter_hooks: Sequence[str] = (),
    importer_hooks: Sequence[str] = (),
    ci_hooks: Sequence[str] = (),
    update: bool = False,
) -> AdminResult:
    check_name(name, "contract")
    check_name(domain, "domain")
    if owner is not None:
        check_name(owner, "owner repo")
    realm = _load(located.root)
    _require_domain(realm, domain)
    rel = contract_file(domain, name)
    acting = located.member(realm.name)
    old = realm.contracts.get((domain, name))
    exists = old is not None or (located.root / rel).exists()
    if exists and not update:
        raise AlreadyExists(
            f"contract {domain}/{name} already exists ({rel})",
            hint=f"change it with `blue realm admin contract {name} --domain {domain} --update "
            "--version X.Y.Z --schema FILE`",
        )
    if not exists and update:
        raise ItemNotFound(
            f"no contract {domain}/{name} to update",
            hint=f"create it: `blue realm admin contract {name} --domain {domain} --owner REPO`",
        )
    schema: Any = None
    if schema_file is not None:
        from blue_tui.core.realm.compat import SchemaFileError, load_schema_file

        try:
            schema = load_schema_file(schema_file)
        except SchemaFileError:
            raise
        except OSError as exc:
            raise InvalidInput(f"--schema {schema_file}: {exc.strerror or exc}") from None
    warnings: list[str] = []
    if not exists:
        owner = owner or acting
        if owner is None:
            raise InvalidInput(
                f"contract {domain}/{name} needs an owner",
                hint="give --owner REPO (the one repo that exports it)",
            )
        _require_repo(realm, owner, "owner")
        if owner not in realm.domains[domain].members:
            raise InvalidInput(
                f"owner {owner!r} is not a member of domain {domain!r}",
                hint=f"`blue realm admin domain {domain} --update --add {owner}`",
            )
        version = version or "1.0.0"
        allow_pre = bool(prereleases)
        why = semver.version_problem(version, allow_prerelease=allow_pre)
        if why:
            raise InvalidInput(f"--version {why}")
        doc: dict[str, Any] = {"name": name, "version": version, "owner": owner}
        if description:
            doc["description"] = description
        doc["compatibility"] = _compat_block(compatibility, policy, None)
        if prereleases:
            doc["prereleases"] = True
        doc["schema"] = schema if schema is not None else {"type": "object"}
        validation = _validation_block(None, exporter_hooks, importer_hooks, ci_hooks)
        if validation:
            doc["validation"] = validation
        doc["evolution"] = [{"version": version, "changes": list(changes) or ["Initial version"]}]
        text = dump(doc)
        _self_check("contract", rel, text, realm, domain=domain, stem=name)
        with transaction(located.root) as txn:
            txn.write(rel, text)
            sha = _commit(txn, settings, f"realm: add contract {domain}/{name} {version} (owner: {owner})")
            notify_contract_change(
                settings,
                realm=realm.name,
                domain=domain,
                contract=name,
                owner=owner,
                version=version,
                changes=doc["evolution"][-1]["changes"],
                commit=sha,
            )
            return AdminResult(
                "contract",
                realm.name,
                str(located.root),
                f"created contract {domain}/{name} {version} (owner: {owner})",
                txn.changed,
                sha,
                details={"domain": domain, "contract": name, "version": version, "owner": owner},
            )

    _own_file_ok(realm, rel)
    assert old is not None
    if acting is not None and acting != old.owner:
        raise OwnershipError(
            f"contract {domain}/{name} is owned by {old.owner!r}; {acting!r} cannot change it",
            hint=f"run this from {old.owner}'s checkout, or ask its maintainers",
        )
    raw = parse_text((located.root / rel).read_text(encoding="utf-8")).data
    assert isinstance(raw, dict)
    doc = dict(raw)
    new_owner = owner or old.owner
    if new_owner != old.owner:
        _require_repo(realm, new_owner, "owner")
        if new_owner not in realm.domains[domain].members:
            raise InvalidInput(
                f"new owner {new_owner!r} is not a member of domain {domain!r}",
                hint=f"`blue realm admin domain {domain} --update --add {new_owner}`",
            )
        others = [r for r in realm.exporters_of(domain, name) if r != new_owner]
        if others:
            raise OwnershipError(
                f"cannot hand {domain}/{name} to {new_owner!r}: {', '.join(others)} still exports it",
                hint=f"drop that export first: `blue realm admin binding {domain} --repo "
                f"{others[0]} --update --drop {name}`",
            )
        doc["owner"] = new_owner
    allow_pre = old.prereleases if prereleases is None else prereleases
    if prereleases is not None:
        if prereleases:
            doc["prereleases"] = True
        else:
            doc.pop("prereleases", None)
    if description is not None:
        doc["description"] = description
    if compatibility is not None or policy is not None:
        doc["compatibility"] = _compat_block(compatibility, policy, raw.get("compatibility"))
    if exporter_hooks or importer_hooks or ci_hooks:
        doc["validation"] = _validation_block(raw.get("validation"), exporter_hooks, importer_hooks, ci_hooks)
    new_schema = schema if schema is not None else old.schema
    schema_changed = schema is not None and schema != old.schema
    new_version = version or old.version
    details: dict[str, Any] = {"domain": domain, "contract": name, "from": old.version, "to": new_version}
    if version is not None:
        why = semver.version_problem(version, allow_prerelease=allow_pre)
        if why:
            raise InvalidInput(f"--version {why}")
    level_note = ""
    if schema_changed or version is not None:
        # Policy and directions of the contract as it will be after this change.
        probe = contract_doc(
            parse_text(dump(doc | {"schema": new_schema, "version": new_version})), rel, domain, name, []
        )
        compat = probe.compatibility if probe is not None else old.compatibility
        from blue_tui.core.realm.compat import required_bump

        report = compare(old.schema, new_schema, compat)
        if version is None:
            need = required_bump(
                report,
                directions=compat.directions,
                old_version=old.version,
                new_version=_next_version(old.version, "major"),
            )
            suggestion = _next_version(old.version, need.required or "patch")
            raise InvalidInput(
                f"the schema of {domain}/{name} changed: give --version "
                f"(it needs at least a {need.required or 'patch'} bump)",
                hint=f"e.g. --version {suggestion}",
            )
        verdict = required_bump(
            report, directions=compat.directions, old_version=old.version, new_version=version
        )
        if not verdict.ok:
            suggestion = _next_version(old.version, verdict.required or "patch")
            breaking = [
                f"{c.rule} at {c.path or '/'}"
                for c in report.changes
                if any(getattr(c, d) is not True for d in compat.directions)
            ][:5]
            more = f" ({'; '.join(breaking)})" if breaking else ""
            raise IncompatibleChange(
                f"{domain}/{name} {old.version} -> {version}: {verdict.message}{more}",
                hint=f"use --version {suggestion}" if verdict.required else None,
            )
        if compat.transitive:
            from blue_tui.core.realm.history import ContractHistory

            history = ContractHistory(realm)
            for entry in old.evolution:
                if entry.version == old.version or semver.compare(entry.version, version) >= 0:
                    continue
                past = history.schema(domain, name, entry.version)
                if past is None:
                    warnings.append(
                        f"no commit has {domain}/{name} at {entry.version}; not checked against it"
                    )
                    continue
                rep = compare(past.schema, new_schema, compat)
                v = required_bump(
                    rep, directions=compat.directions, old_version=entry.version, new_version=version
                )
                if not v.ok:
                    raise IncompatibleChange(
                        f"{domain}/{name} {version} breaks {entry.version} (transitive check): {v.message}",
                        hint=f"use --version {_next_version(old.version, v.required or 'major')}, or set "
                        "compatibility.transitive: false",
                    )
        level_note = verdict.required or "no change"
        compatible = all(getattr(report, d) is True for d in compat.directions)
        doc["version"] = version
        doc["schema"] = new_schema
        evolution = list(raw.get("evolution") or [])
        if version != old.version:
            summary_changes = list(changes) or [c.message for c in report.changes][:5] or ["No schema change"]
            evolution.append({"version": version, "changes": summary_changes, "compatible": compatible})
        doc["evolution"] = evolution
        details.update(
            {
                "required_bump": verdict.required,
                "compatible": compatible,
                "changes": [c.as_json() for c in report.changes],
            }
        )
    text = dump(doc)
    _self_check("contract", rel, text, realm, domain=domain, stem=name)
    if text == (located.root / rel).read_text(encoding="utf-8"):
        return AdminResult(
            "contract", realm.name, str(located.root), f"contract {domain}/{name} unchanged", details=details
        )
    with transaction(located.root) as txn:
        txn.write(rel, text)
        what = f"{old.version} -> {new_version}" if new_version != old.version else new_version
        extra = f" ({level_note})" if level_note and new_version != old.version else ""
        owner_note = f"; owner {old.owner} -> {new_owner}" if new_owner != old.owner else ""
        sha = _commit(txn, settings, f"realm: update contract {domain}/{name} {what}{extra}{owner_note}")
        if sha and new_version != old.version:
            notify_contract_change(
                settings,
                realm=realm.name,
                domain=domain,
                contract=name,
                owner=new_owner,
                version=new_version,
                previous=old.version,
                compatible=details.get("compatible"),
                changes=doc["evolution"][-1]["changes"],
                commit=sha,
            )
        return AdminResult(
            "contract",
            realm.name,
            str(located.root),
            f"updated contract {domain}/{name} {what}{extra}{owner_note}",
            txn.changed,
            sha,
            tuple(warnings),
            details,
        )


def _validation_block(
    old: Any, exporter: Sequence[str], importer: Sequence[str], ci: Sequence[str]
) -> dict[str, Any]:
    block: dict[str, Any] = dict(old) if isinstance(old, dict) else {}
    if exporter:
        block["exporter"] = _hook_list(exporter) if len(exporter) > 1 else _hook_list(exporter)[0]
    if importer:
        block["importer"] = _hook_list(importer) if len(importer) > 1 else _hook_list(importer)[0]
    if ci:
        block["ci_only"] = _hook_list(ci)
    return block


# ---- bindings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSpec:
    contract: str
    source_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportSpec:
    contract: str
    range: str
    binding: str | None = None


def set_binding(
    settings: Settings,
    located: Located,
    domain: str,
    *,
    repo: str | None = None,
    role: str | None = None,
    exports: Sequence[ExportSpec] = (),
    imports: Sequence[ImportSpec] = (),
    drop: Sequence[str] = (),
    refresh: bool = False,
    update: bool = False,
) -> AdminResult:
    check_name(domain, "domain")
    realm = _load(located.root)
    _require_domain(realm, domain)
    acting = located.member(realm.name)
    repo = repo or acting
    if repo is None:
        raise InvalidInput("which repo's binding? give --repo NAME (or run this from the repo's checkout)")
    check_name(repo, "repo")
    _require_repo(realm, repo, "repo")
    dom = realm.domains[domain]
    if repo not in dom.members:
        raise InvalidInput(
            f"repo {repo!r} is not a member of domain {domain!r}",
            hint=f"`blue realm admin domain {domain} --update --add {repo}`",
        )
    rel = binding_file(domain, repo)
    old = realm.bindings.get((domain, repo))
    exists = old is not None or (located.root / rel).exists()
    if exists and not update:
        raise AlreadyExists(
            f"binding {rel} already exists",
            hint=f"change it with `blue realm admin binding {domain} --repo {repo} --update "
            "--import/--export/--drop ...`",
        )
    if not exists and update:
        raise ItemNotFound(f"no binding {rel} to update", hint="create it without --update")
    if exists:
        _own_file_ok(realm, rel)
    if role is not None and role not in ("provider", "consumer", "both"):
        raise InvalidInput(f"--role {role!r} is not provider, consumer or both")
    checkout = located.repo_root if acting == repo else None
    warnings: list[str] = []

    old_exports: dict[str, dict[str, Any]] = {}
    old_imports: dict[str, dict[str, Any]] = {}
    if old is not None:
        for e in old.exports:
            item: dict[str, Any] = {"contract": e.contract}
            if e.source_files:
                item["source_files"] = list(e.source_files)
            old_exports[e.contract] = item
        for i in old.imports:
            old_imports[i.contract] = {
                k: v
                for k, v in (
                    ("contract", i.contract),
                    ("version", i.range),
                    ("binding", i.binding),
                    ("status", i.status),
                    ("resolved_version", i.resolved_version),
                    ("resolved_at", i.resolved_at),
                )
                if v is not None
            }
    for c in drop:
        check_name(c, "contract")
        if c not in old_exports and c not in old_imports:
            raise ItemNotFound(f"--drop {c}: the binding neither imports nor exports {c!r}")
        old_exports.pop(c, None)
        old_imports.pop(c, None)

    def contract_in_domain(c: str) -> Contract:
        check_name(c, "contract")
        con = realm.contracts.get((domain, c))
        if con is None:
            known = ", ".join(x.name for x in realm.contracts_in(domain)) or "none yet"
            raise ItemNotFound(
                f"no contract {c!r} in domain {domain!r} (contracts: {known})",
                hint=f"create it: `blue realm admin contract {c} --domain {domain} --owner REPO`",
            )
        return con

    def check_file(path: str, what: str) -> None:
        why = relpath_problem(path)
        if why:
            raise InvalidInput(f"{what} {why}")
        if checkout is not None:
            target = resolve_inside(checkout, path)
            if target is None or not target.exists():
                raise InvalidInput(
                    f"{what} {path!r} does not exist in {checkout}",
                    hint="paths are relative to the repo root",
                )

    for spec in exports:
        con = contract_in_domain(spec.contract)
        if con.owner != repo:
            raise OwnershipError(
                f"{repo!r} cannot export {domain}/{spec.contract}: its owner is {con.owner!r}",
                hint="only the owner's binding exports a contract; import it instead",
            )
        for f in spec.source_files:
            check_file(f, "source file")
        item = {"contract": spec.contract}
        if spec.source_files:
            item["source_files"] = list(spec.source_files)
        old_exports[spec.contract] = item
    new_edges: list[Edge] = []
    stamp = now()
    for ispec in imports:
        con = contract_in_domain(ispec.contract)
        if con.owner == repo:
            raise InvalidInput(
                f"{repo!r} owns {domain}/{ispec.contract}; a repo does not import its own contract"
            )
        why = semver.range_problem(ispec.range, allow_prerelease=con.prereleases)
        if why:
            raise InvalidInput(f"--import {ispec.contract}@{ispec.range}: range {why}")
        if ispec.binding:
            check_file(ispec.binding, "binding file")
        entry: dict[str, Any] = {"contract": ispec.contract, "version": ispec.range}
        if ispec.binding:
            entry["binding"] = ispec.binding
        elif ispec.contract in old_imports and old_imports[ispec.contract].get("binding"):
            entry["binding"] = old_imports[ispec.contract]["binding"]
        old_imports[ispec.contract] = entry
        if ispec.contract not in {i.contract for i in (old.imports if old else ())}:
            new_edges.append(Edge(con.owner, repo, f"{domain}/{ispec.contract}"))
    # Resolve imports named now (and all of them with --refresh) against the current contract versions.
    for c, entry in old_imports.items():
        if not (refresh or any(s.contract == c for s in imports)):
            continue
        current = realm.contracts.get((domain, c))
        if current is None:
            continue
        if semver.satisfies(current.version, entry["version"]):
            if entry.get("resolved_version") != current.version or entry.get("status") != "current":
                entry.update({"status": "current", "resolved_version": current.version, "resolved_at": stamp})
        else:
            entry["status"] = "pending" if not entry.get("resolved_version") else "broken"
            warnings.append(
                f"{domain}/{c} {current.version} does not satisfy {entry['version']!r} yet "
                f"(status: {entry['status']})"
            )
    _check_graph(realm, new_edges, what=f"binding {domain}/{repo}")
    ex_list = list(old_exports.values())
    im_list = list(old_imports.values())
    if not ex_list and not im_list and not exists and role is None:
        raise InvalidInput(
            "an empty binding says nothing", hint="add --import CONTRACT@RANGE or --export CONTRACT"
        )
    inferred = "both" if ex_list and im_list else ("provider" if ex_list else "consumer")

    def clashes(r: str) -> bool:
        return (r == "consumer" and bool(ex_list)) or (r == "provider" and bool(im_list))

    if role is not None:
        if clashes(role):
            raise InvalidInput(
                f"--role {role} does not fit a binding that "
                f"{'exports' if role == 'consumer' else 'imports'} contracts",
                hint=f"use --role {inferred} (or both)",
            )
        effective = role
    elif old is not None and old.role and not clashes(old.role):
        effective = old.role
    else:
        effective = inferred
    doc: dict[str, Any] = {"repo": repo, "role": effective}
    if ex_list:
        doc["exports"] = ex_list
    if im_list:
        doc["imports"] = im_list
    text = dump(doc)
    _self_check("binding", rel, text, realm, domain=domain, stem=repo)
    if exists and (located.root / rel).read_text(encoding="utf-8") == text:
        return AdminResult(
            "binding",
            realm.name,
            str(located.root),
            f"binding {domain}/{repo} unchanged",
            warnings=tuple(warnings),
        )
    parts = [f"import {s.contract} {s.range}" for s in imports] + [f"export {s.contract}" for s in exports]
    parts += [f"drop {c}" for c in drop] + (["refresh"] if refresh else [])
    note = "; ".join(parts) or f"role {effective}"
    with transaction(located.root) as txn:
        txn.write(rel, text)
        sha = _commit(
            txn, settings, f"realm: {'update' if exists else 'add'} binding {domain}/{repo} ({note})"
        )
        return AdminResult(
            "binding",
            realm.name,
            str(located.root),
            f"{'updated' if exists else 'created'} binding {domain}/{repo} ({note})",
            txn.changed,
            sha,
            tuple(warnings),
            {"domain": domain, "repo": repo, "role": effective, "imports": im_list, "exports": ex_list},
        )
