"""Realm membership: ``admin init`` (a new realm repo), ``join`` (register this repo, clone the
realm if needed, write the ``realm:`` block of ``.blue/config.yaml``) and ``leave``."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git, safefs
from blue_tui.core.realm import index as realm_index
from blue_tui.core.realm.admin.preconditions import own_file_ok, self_check
from blue_tui.core.realm.admin.transaction import AdminResult, now, transaction
from blue_tui.core.realm.clone import clone_realm, record_checkout
from blue_tui.core.realm.errors import (
    AlreadyExists,
    InvalidInput,
    NotInRepo,
    RealmError,
    RealmInvalid,
    RealmNotFound,
)
from blue_tui.core.realm.loader import is_realm, load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import REALM_FILE, Realm, repo_file
from blue_tui.core.realm.names import check_name, name_problem
from blue_tui.core.realm.repo_config import Membership, read_membership, remove_membership, write_membership
from blue_tui.core.realm.validate import realm_doc
from blue_tui.core.realm.yamlfile import dump, parse_text

DEFAULT_PERMISSIONS = {
    "repos/{repo}.yaml": ["repo_maintainers"],
    "domains/{domain}/domain.yaml": ["domain_owners"],
    "domains/{domain}/contracts/{name}.yaml": ["contract_owner"],
    "domains/{domain}/bindings/{repo}.yaml": ["repo_maintainers"],
}
GITIGNORE = "# blue's local cache and locks\n.blue/\n"


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
        self_check("realm", REALM_FILE, text, target.name)
        with safefs.RealmFiles(target) as files:
            files.write_atomic(REALM_FILE, text)
            files.write_atomic(".gitignore", GITIGNORE)
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
        meta = realm_doc(parse_text(safefs.read_text(clone_dir, REALM_FILE)), REALM_FILE, clone_dir.name, [])
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


def _repo_doc(
    settings: Settings, realm: Realm, name: str, url: str | None, maintainers: Sequence[str], repo_root: Path
) -> str:
    """The ``repos/{name}.yaml`` a join writes: given values, else the registered ones, else defaults."""
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
    return dump(doc)


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
    realm = load_realm(root)
    if realm.meta is None:
        raise RealmInvalid(f"{root}/{REALM_FILE} is invalid", hint=f"run `blue realm check --realm {root}`")
    rname = realm.meta.name
    if membership is not None and membership.name != rname:
        raise AlreadyExists(
            f"{repo_root} is already in realm {membership.name!r}",
            hint="leave it first with `blue realm admin leave` (one realm per repo)",
        )
    rel = repo_file(name)
    registered = name in realm.repos or safefs.exists(root, rel)
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
            own_file_ok(realm, rel)
        text = _repo_doc(settings, realm, name, url, maintainers, repo_root)
        self_check("repo", rel, text, root.name, stem=name)
        with transaction(root) as txn:
            if not (txn.files.exists(rel) and txn.files.read_text(rel) == text):
                txn.write(rel, text)
                commit = txn.commit(settings, f"realm: {'update' if registered else 'register'} repo {name}")
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
    realm = load_realm(located.root)
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
    if safefs.exists(located.root, rel):
        with transaction(located.root) as txn:
            txn.delete(rel)
            commit = txn.commit(settings, f"realm: remove repo {name}")
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
