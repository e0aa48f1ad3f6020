"""Load a realm repo into a :class:`~.model.Realm`, collecting every problem on the way.

One unreadable, unparsable or invalid file is reported (file, key path, line, rule) and skipped;
it never hides the rest of the realm. Nothing here prints, prompts or exits. With a cache, a realm
whose working tree is clean at a commit already seen is rebuilt from ``.blue/cache.db`` instead
of re-parsing its files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from blue_tui.core.realm import git, snapshot, validate
from blue_tui.core.realm.cache import Cache
from blue_tui.core.realm.cache_auth import checker_version
from blue_tui.core.realm.discover import SYMLINK_HINT, FileRef, discover
from blue_tui.core.realm.errors import RealmError, RealmNotFound
from blue_tui.core.realm.model import DOMAINS_DIR, REALM_FILE, REPOS_DIR, DomainGovernance, Realm
from blue_tui.core.realm.problems import Problem, ProblemSink, sort_key
from blue_tui.core.realm.safefs import RealmFiles, SymlinkInRealm
from blue_tui.core.realm.yamlfile import Parsed, YamlError, parse_bytes

#: ``progress(phase, done, total)``; called from the loading thread.
Progress = Callable[[str, int, int], None]

REALM_PATHSPECS = (REALM_FILE, REPOS_DIR, DOMAINS_DIR)


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
                with RealmFiles(self.root) as files:
                    self._parsed[file] = parse_bytes(files.read_bytes(file))
            except (OSError, ValueError, YamlError, RealmError):
                self._parsed[file] = None
        parsed = self._parsed[file]
        return parsed.line(key) if parsed is not None else None


def snapshot_format() -> str:
    """The snapshot encoding and the checker that computed it: a snapshot of other code is a miss."""
    return f"realm-v{snapshot.FORMAT}/{checker_version()}"


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
        if cache is not None and cache.enabled:
            data = cache.get_snapshot(realm_key, commit, snapshot_format())
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
    if cache is not None and cache.enabled and not dirty and not git.changed_paths(root, REALM_PATHSPECS):
        # Still clean after reading: the files read are the commit's files.
        cache.put_snapshot(realm_key, commit, snapshot_format(), snapshot.encode(realm))
    return realm


def load_files(root: Path, *, progress: Progress | None = None) -> Realm:
    """Parse and validate every file under ``root`` (no cache)."""
    problems: list[Problem] = []
    sink = ProblemSink(problems)
    realm = Realm(root=root, meta=None, problems=problems)
    with RealmFiles(root) as files:
        refs = discover(files, sink)
        total = len(refs)
        step = max(1, total // 100)
        governance: dict[str, DomainGovernance] = {}
        for done, ref in enumerate(refs, 1):
            if progress is not None and (done % step == 0 or done == total):
                progress("load", done, total)
            _load_one(realm, files, sink, ref, governance)
    for domain, gov in governance.items():
        dom = realm.domains.get(domain)
        if dom is not None:
            realm.domains[domain] = replace(dom, governance=gov)
    validate.cross_check(realm, Locator(root))
    problems.sort(key=sort_key)
    return realm


def _load_one(
    realm: Realm, files: RealmFiles, sink: ProblemSink, ref: FileRef, governance: dict[str, DomainGovernance]
) -> None:
    try:
        raw = files.read_bytes(ref.path)
    except SymlinkInRealm:
        sink.add("error", "symlink", "symlinks are not allowed in a realm", file=ref.path, hint=SYMLINK_HINT)
        _mark_unusable(realm, ref)
        return
    except OSError as exc:
        sink.add("error", "unreadable", f"cannot read: {exc.strerror}", file=ref.path, domain=ref.domain)
        _mark_unusable(realm, ref)
        return
    try:
        parsed = parse_bytes(raw)
    except YamlError as exc:
        sink.add(
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
        _mark_unusable(realm, ref)
        return
    _build(realm, ref, parsed, governance)


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
