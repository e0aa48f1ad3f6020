"""Load a realm repo into a :class:`~.model.Realm`, collecting every problem on the way.

One unreadable, unparsable or invalid file is reported (file, key path, line, rule) and skipped;
it never hides the rest of the realm. Nothing here prints, prompts or exits. With a cache, a realm
whose working tree is clean at a commit already seen is rebuilt from ``.blue/cache.db`` instead
of re-parsing its files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from blue_tui import __version__
from blue_tui.core.realm import git, snapshot, validate
from blue_tui.core.realm.cache import Cache
from blue_tui.core.realm.errors import RealmNotFound
from blue_tui.core.realm.model import (
    BINDINGS_DIR,
    CONTRACTS_DIR,
    DOMAIN_FILE,
    DOMAINS_DIR,
    GOVERNANCE_FILE,
    REALM_FILE,
    REPOS_DIR,
    DomainGovernance,
    Realm,
)
from blue_tui.core.realm.names import name_problem
from blue_tui.core.realm.problems import Problem, sort_key
from blue_tui.core.realm.yamlfile import Parsed, YamlError, parse_bytes

#: ``progress(phase, done, total)``; called from the loading thread.
Progress = Callable[[str, int, int], None]

SNAPSHOT_FORMAT = f"realm-v{snapshot.FORMAT}/{__version__}"
REALM_PATHSPECS = (REALM_FILE, REPOS_DIR, DOMAINS_DIR)


@dataclass(frozen=True)
class FileRef:
    kind: str  # realm | repo | domain | governance | contract | binding
    path: str  # realm-relative, POSIX
    domain: str | None = None
    stem: str | None = None


class Locator:
    """Finds the line of a key path in a realm file, parsing the file only when asked."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._parsed: dict[str, Parsed | None] = {}

    def remember(self, file: str, parsed: Parsed) -> None:
        self._parsed[file] = parsed

    def forget_all(self) -> None:
        self._parsed.clear()

    def __call__(self, file: str | None, key: str | None) -> int | None:
        if not file:
            return None
        if file not in self._parsed:
            try:
                self._parsed[file] = parse_bytes((self.root / file).read_bytes())
            except (OSError, YamlError):
                self._parsed[file] = None
        parsed = self._parsed[file]
        return parsed.line(key) if parsed is not None else None


def is_realm(path: Path) -> bool:
    return (path / REALM_FILE).is_file()


def realm_state(root: Path) -> tuple[str | None, bool]:
    """``(HEAD commit, dirty)`` of a realm repo; dirty = uncommitted changes to realm files."""
    if not git.is_repo(root):
        return None, True
    commit = git.head(root)
    if commit is None:
        return None, True
    return commit, bool(git.changed_paths(root, REALM_PATHSPECS))


def load_realm(root: Path, *, cache: Cache | None = None, progress: Progress | None = None) -> Realm:
    """Load and validate the realm at ``root``. Raises only :class:`RealmNotFound`."""
    root = root.resolve()
    if not is_realm(root):
        raise RealmNotFound(
            f"{root} is not a realm: {REALM_FILE} is missing",
            hint="create one with `blue realm admin init NAME`, or pass --realm NAME|PATH",
        )
    realm_key = str(root)
    commit = git.head(root) if git.is_repo(root) else None
    if commit is None:
        realm = load_files(root, progress=progress)
        realm.dirty = True
        return realm
    # git scans the working tree while the snapshot (if any) is decoded: the two overlap.
    probe = git.StatusProbe(root, REALM_PATHSPECS)
    cached: Realm | None = None
    try:
        if cache is not None:
            data = cache.get_snapshot(realm_key, commit, SNAPSHOT_FORMAT)
            if data is not None:
                try:
                    cached = snapshot.decode(data, root)
                except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                    cached = None
    finally:
        dirty = bool(probe.result())
    if cached is not None and not dirty:
        cached.commit, cached.dirty, cached.source = commit, False, "cache"
        return cached
    realm = load_files(root, progress=progress)
    realm.commit, realm.dirty = commit, dirty
    if cache is not None and not dirty and not git.changed_paths(root, REALM_PATHSPECS):
        # Still clean after reading: the files read are the commit's files.
        cache.put_snapshot(realm_key, commit, SNAPSHOT_FORMAT, snapshot.encode(realm))
    return realm


def discover(root: Path, problems: list[Problem]) -> list[FileRef]:
    """Every realm file to load, with problems for stray, unsafe or symlinked entries."""
    refs = [FileRef("realm", REALM_FILE)]

    def problem(
        severity: str, rule: str, path: str, message: str, hint: str | None = None, domain: str | None = None
    ) -> None:
        problems.append(
            Problem(
                "error" if severity == "error" else "warning",
                rule,
                message,
                file=path,
                domain=domain,
                hint=hint,
            )
        )

    def entries(folder: str, rel: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as it:
                found = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            return []
        except OSError as exc:
            problem("error", "unreadable", rel, f"cannot list {rel}: {exc.strerror}")
            return []
        seen: dict[str, str] = {}
        out = []
        for entry in found:
            if entry.name.startswith("."):
                continue
            low = entry.name.lower()
            if low in seen:
                problem(
                    "error",
                    "case-collision",
                    f"{rel}/{entry.name}",
                    f"{entry.name!r} differs from {seen[low]!r} only by case (breaks on macOS and Windows)",
                )
                continue
            seen[low] = entry.name
            if entry.is_symlink():
                problem(
                    "error",
                    "symlink",
                    f"{rel}/{entry.name}",
                    "symlinks are not allowed in a realm",
                    "replace it with a regular file or folder",
                )
                continue
            out.append(entry)
        return out

    def yaml_stem(entry: os.DirEntry[str], rel: str, what: str, domain: str | None = None) -> str | None:
        path = f"{rel}/{entry.name}"
        if entry.is_dir():
            problem(
                "warning", "unexpected-file", path, f"unexpected folder in {rel}/ (ignored)", domain=domain
            )
            return None
        if entry.name.endswith(".yml"):
            problem(
                "warning",
                "unexpected-file",
                path,
                "ignored: realm files end in .yaml",
                f"rename it to {entry.name[:-4]}.yaml",
                domain=domain,
            )
            return None
        if not entry.name.endswith(".yaml"):
            return None
        stem = entry.name[:-5]
        why = name_problem(stem)
        if why:
            problem("error", "unsafe-name", path, f"{what} file name {why}", domain=domain)
            return None
        return stem

    base = str(root)
    for entry in entries(os.path.join(base, REPOS_DIR), REPOS_DIR):
        stem = yaml_stem(entry, REPOS_DIR, "repo")
        if stem:
            refs.append(FileRef("repo", f"{REPOS_DIR}/{entry.name}", stem=stem))

    for dentry in entries(os.path.join(base, DOMAINS_DIR), DOMAINS_DIR):
        rel = f"{DOMAINS_DIR}/{dentry.name}"
        if not dentry.is_dir():
            if dentry.name.endswith((".yaml", ".yml")):
                problem(
                    "warning",
                    "unexpected-file",
                    rel,
                    f"unexpected file: each domain is a folder ({DOMAINS_DIR}/NAME/{DOMAIN_FILE})",
                )
            continue
        why = name_problem(dentry.name)
        if why:
            problem("error", "unsafe-name", rel, f"domain folder name {why}")
            continue
        domain = dentry.name
        children = {e.name: e for e in entries(dentry.path, rel)}
        if DOMAIN_FILE in children and children[DOMAIN_FILE].is_file():
            refs.append(FileRef("domain", f"{rel}/{DOMAIN_FILE}", domain=domain, stem=domain))
        else:
            problem(
                "error",
                "missing-file",
                f"{rel}/{DOMAIN_FILE}",
                f"domain {domain!r} has no {DOMAIN_FILE}",
                f"create it with `blue realm admin domain {domain} --repos A,B`",
                domain=domain,
            )
        if GOVERNANCE_FILE in children and children[GOVERNANCE_FILE].is_file():
            refs.append(FileRef("governance", f"{rel}/{GOVERNANCE_FILE}", domain=domain, stem=domain))
        for sub, kind in ((CONTRACTS_DIR, "contract"), (BINDINGS_DIR, "binding")):
            folder = children.get(sub)
            if folder is None:
                continue
            if not folder.is_dir():
                problem(
                    "warning", "unexpected-file", f"{rel}/{sub}", f"{sub} should be a folder", domain=domain
                )
                continue
            for item in entries(folder.path, f"{rel}/{sub}"):
                stem = yaml_stem(item, f"{rel}/{sub}", kind, domain)
                if stem:
                    refs.append(FileRef(kind, f"{rel}/{sub}/{item.name}", domain=domain, stem=stem))
        for name, entry in children.items():
            if name not in (DOMAIN_FILE, GOVERNANCE_FILE, CONTRACTS_DIR, BINDINGS_DIR) and (
                entry.is_dir() or name.endswith((".yaml", ".yml"))
            ):
                problem(
                    "warning",
                    "unexpected-file",
                    f"{rel}/{name}",
                    f"unexpected entry in domain {domain!r} (ignored)",
                    domain=domain,
                )
    return refs


def load_files(root: Path, *, progress: Progress | None = None) -> Realm:
    """Parse and validate every file under ``root`` (no cache)."""
    problems: list[Problem] = []
    realm = Realm(root=root, meta=None, problems=problems)
    refs = discover(root, problems)
    locator = Locator(root)
    base = str(root)
    total = len(refs)
    step = max(1, total // 100)
    governance: dict[str, DomainGovernance] = {}
    for done, ref in enumerate(refs, 1):
        if progress is not None and (done % step == 0 or done == total):
            progress("load", done, total)
        try:
            with open(os.path.join(base, ref.path), "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            problems.append(
                Problem(
                    "error", "unreadable", f"cannot read: {exc.strerror}", file=ref.path, domain=ref.domain
                )
            )
            _mark_unusable(realm, ref)
            continue
        try:
            parsed = parse_bytes(raw)
        except YamlError as exc:
            problems.append(
                Problem(
                    "error",
                    "yaml-syntax",
                    exc.message,
                    file=ref.path,
                    line=exc.line,
                    domain=ref.domain,
                    contract=ref.stem if ref.kind == "contract" else None,
                    repo=ref.stem if ref.kind in ("repo", "binding") else None,
                    hint="fix the YAML syntax at that line; the rest of the realm was still checked",
                )
            )
            _mark_unusable(realm, ref)
            continue
        _build(realm, ref, parsed, governance)
    for domain, gov in governance.items():
        dom = realm.domains.get(domain)
        if dom is not None:
            realm.domains[domain] = replace(dom, governance=gov)
    validate.cross_check(realm, locator)
    problems.sort(key=sort_key)
    return realm


def _mark_unusable(realm: Realm, ref: FileRef) -> None:
    tag = {
        "repo": f"repo:{ref.stem}",
        "domain": f"domain:{ref.domain}",
        "contract": f"contract:{ref.domain}/{ref.stem}",
        "binding": f"binding:{ref.domain}/{ref.stem}",
    }.get(ref.kind)
    if tag:
        realm.unusable.add(tag)
    if ref.kind == "domain" and ref.domain:
        # The domain's own file is broken: its contracts and bindings still load.
        realm.unusable.add(f"domain:{ref.domain}")


def _build(realm: Realm, ref: FileRef, parsed: Parsed, governance: dict[str, DomainGovernance]) -> None:
    out = realm.problems
    if ref.kind == "realm":
        realm.meta = validate.realm_doc(parsed, ref.path, realm.root.name, out)
        return
    assert ref.stem is not None
    if ref.kind == "repo":
        repo = validate.repo_doc(parsed, ref.path, ref.stem, out)
        if repo is None:
            _mark_unusable(realm, ref)
        else:
            realm.repos[repo.name] = repo
        return
    assert ref.domain is not None
    if ref.kind == "domain":
        dom = validate.domain_doc(parsed, ref.path, ref.domain, out)
        if dom is None:
            _mark_unusable(realm, ref)
        else:
            realm.domains[dom.name] = dom
    elif ref.kind == "governance":
        gov = validate.governance_doc(parsed, ref.path, ref.domain, out)
        if gov is not None:
            governance[ref.domain] = gov
    elif ref.kind == "contract":
        con = validate.contract_doc(parsed, ref.path, ref.domain, ref.stem, out)
        if con is None:
            _mark_unusable(realm, ref)
        else:
            realm.contracts[(con.domain, con.name)] = con
    elif ref.kind == "binding":
        b = validate.binding_doc(parsed, ref.path, ref.domain, ref.stem, out)
        if b is None:
            _mark_unusable(realm, ref)
        else:
            realm.bindings[(b.domain, b.repo)] = b
