"""The local realm clone under ``$BLUE_HOME/realms/{name}``: where it came from, how old it is,
which branch of the remote it follows, and where this machine keeps the member repos' checkouts.

Read commands never touch the network: they read the clone, and :func:`freshness` says how long
ago it was last fetched (``blue realm sync`` fetches). The checkouts map (``checkouts:`` in the
realm's ``index.yaml`` entry, written by ``admin join``) tells ``realm worktree`` where each
member repo lives on this machine; it is machine-specific, so it never goes into the realm.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm import index as realm_index
from blue_tui.core.realm.fsutil import locked
from blue_tui.core.realm.names import name_problem
from blue_tui.core.realm.remote import STAMP, auth_env, git_dir_of, redact, remote_url, stamp

CHECKOUTS_KEY = "checkouts"


def clone_realm(settings: Settings, url: str, dest: Path) -> None:
    """``git clone URL DEST`` (credentials for https URLs), stamped as fetched now."""
    if url.startswith("-"):
        git.clone(url, dest)  # raises: a URL must not start with '-'
    dest.parent.mkdir(parents=True, exist_ok=True)
    git.run(
        ["clone", "-q", "--end-of-options", url, str(dest)],
        dest.parent,
        timeout=600.0,
        env=auth_env(settings, "*", url),
    )
    stamp(dest)


def current_branch(root: Path) -> str | None:
    proc = git.run(["symbolic-ref", "-q", "--short", "HEAD"], root, check=False)
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None


def base_branch(root: Path, remote: str = "origin") -> str:
    """The remote's default branch (``origin/HEAD``), else the one the current branch tracks,
    else the current branch, else ``main``."""
    proc = git.run(["symbolic-ref", "-q", "--short", f"refs/remotes/{remote}/HEAD"], root, check=False)
    out = proc.stdout.decode().strip()
    if proc.returncode == 0 and out.startswith(f"{remote}/"):
        return out[len(remote) + 1 :]
    branch = current_branch(root)
    if branch:
        merge = (
            git.run(["config", "--get", f"branch.{branch}.merge"], root, check=False).stdout.decode().strip()
        )
        if merge.startswith("refs/heads/"):
            return merge[len("refs/heads/") :]
        return branch
    return "main"


_SECTION = re.compile(r'^\[\s*(remote|branch)\s+"([^"\\]{1,200})"\s*\]\s*$')
_KEY = re.compile(r"^(url|merge)\s*=\s*([^\s\"#;\\]{1,2000})\s*$")


def _plain_config(git_dir: Path) -> dict[str, str] | None:
    """``remote.*.url`` and ``branch.*.merge`` from ``.git/config`` when the file is plain (no
    includes, quotes or escapes); None otherwise, and git itself is asked."""
    try:
        text = (git_dir / "config").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "include" in text or "\\" in text:
        return None
    values: dict[str, str] = {}
    section: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            m = _SECTION.match(line)
            section = f"{m.group(1)}.{m.group(2)}" if m else None
            continue
        if section is not None and section.startswith(("remote.", "branch.")):
            k = _KEY.match(line)
            if k:
                values[f"{section}.{k.group(1)}"] = k.group(2)
            elif line.split("=", 1)[0].strip() in ("url", "merge"):
                return None  # quoted or unusual: let git read it
    return values


def read_ref(root: Path, ref: str) -> str | None:
    """The commit a full ref name points at: its loose file or ``packed-refs``, else git."""
    git_dir = git_dir_of(root)
    if git_dir is not None:
        try:
            text = (git_dir / ref).read_text(encoding="ascii").strip()
            if len(text) == 40 and all(c in "0123456789abcdef" for c in text):
                return text
        except (OSError, UnicodeDecodeError):
            pass
        try:
            for line in (git_dir / "packed-refs").read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition(" ")
                if name == ref and len(sha) == 40:
                    return sha
        except (OSError, UnicodeDecodeError):
            pass
    return git.resolve(root, ref)


@dataclass(frozen=True)
class CloneRefs:
    url: str | None
    branch: str | None
    base: str


def clone_refs(root: Path, remote: str = "origin") -> CloneRefs:
    """The remote's URL, the checked-out branch and the remote's default branch, read from the
    clone's files when they are plain (no git process), else from git."""
    git_dir = git_dir_of(root)
    values = _plain_config(git_dir) if git_dir is not None else None
    if values is None:
        proc = git.run(
            ["config", "-z", "--get-regexp", rf"^(remote\.{remote}\.url|branch\..*\.merge)$"],
            root,
            check=False,
        )
        values = {}
        for item in proc.stdout.decode("utf-8", "replace").split("\0"):
            key, _, value = item.partition("\n")
            if key:
                values[key] = value
    branch: str | None = None
    base: str | None = None
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip() if git_dir else ""
        branch = head[len("ref: refs/heads/") :] if head.startswith("ref: refs/heads/") else None
        origin_head = (
            (git_dir / f"refs/remotes/{remote}/HEAD").read_text(encoding="utf-8").strip() if git_dir else ""
        )
        prefix = f"ref: refs/remotes/{remote}/"
        base = origin_head[len(prefix) :] if origin_head.startswith(prefix) else None
    except OSError:
        pass
    if git_dir is None or not (git_dir / "HEAD").is_file():
        branch = current_branch(root)
    if base is None:
        merge = values.get(f"branch.{branch}.merge", "") if branch else ""
        base = merge[len("refs/heads/") :] if merge.startswith("refs/heads/") else base_branch(root, remote)
    return CloneRefs(values.get(f"remote.{remote}.url"), branch, base)


def _fetched_at(root: Path, remote: str) -> float | None:
    git_dir = git_dir_of(root)
    if git_dir is None:
        return None
    stamp_file = git_dir / STAMP
    try:
        return datetime.fromisoformat(stamp_file.read_text(encoding="utf-8").strip()).timestamp()
    except (OSError, ValueError):
        pass
    # Not fetched by blue: the newest of git's own traces of talking to the remote.
    times = []
    for rel in ("FETCH_HEAD", f"refs/remotes/{remote}", "packed-refs"):
        try:
            times.append((git_dir / rel).stat().st_mtime)
        except OSError:
            continue
    return max(times) if times else None


def humanize(seconds: float) -> str:
    s = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if s >= size:
            return f"{s // size} {unit} ago"
    return f"{s} s ago"


@dataclass(frozen=True)
class Freshness:
    """How current the local clone is, from what is on disk (no network)."""

    path: str
    remote: str
    url: str
    branch: str | None
    base: str
    fetched_at: float | None
    #: Local commits not on the remote branch, and remote commits not merged locally (as of the
    #: last fetch).
    ahead: int
    behind: int

    @property
    def age_seconds(self) -> float | None:
        return None if self.fetched_at is None else max(0.0, time.time() - self.fetched_at)

    def describe(self) -> str:
        age = self.age_seconds
        when = "never fetched" if age is None else f"fetched {humanize(age)}"
        extra = []
        if self.ahead:
            extra.append(f"{self.ahead} local commit(s) not yet synced")
        if self.behind:
            extra.append(f"{self.behind} remote commit(s) not yet pulled")
        tail = f"; {', '.join(extra)}" if extra else ""
        return f"realm clone of {self.url}, {when}{tail}"

    def as_json(self) -> dict[str, Any]:
        age = self.age_seconds
        return {
            "path": self.path,
            "remote": self.remote,
            "url": self.url,
            "branch": self.branch,
            "base": self.base,
            "fetched_at": None
            if self.fetched_at is None
            else datetime.fromtimestamp(self.fetched_at).astimezone().isoformat(timespec="seconds"),
            "age_seconds": None if age is None else round(age),
            "ahead": self.ahead,
            "behind": self.behind,
        }


def freshness(root: Path, remote: str = "origin") -> Freshness | None:
    """None when the realm has no remote (a realm made here with ``admin init``)."""
    if not git.is_repo(root):
        return None
    url = remote_url(root, remote)
    if url is None:
        return None
    branch = current_branch(root)
    base = base_branch(root, remote)
    ahead = behind = 0
    tracking = f"refs/remotes/{remote}/{base}"
    if git.resolve(root, tracking) and git.head(root):
        proc = git.run(["rev-list", "--left-right", "--count", f"HEAD...{tracking}"], root, check=False)
        parts = proc.stdout.decode().split()
        if proc.returncode == 0 and len(parts) == 2:
            ahead, behind = int(parts[0]), int(parts[1])
    return Freshness(str(root), remote, redact(url), branch, base, _fetched_at(root, remote), ahead, behind)


# ---- where this machine keeps the member repos --------------------------------------------------------


def checkouts(settings: Settings, realm: str) -> dict[str, Path]:
    """``{repo: checkout path}`` recorded for ``realm`` on this machine."""
    entry = realm_index.read_index(settings).get(realm)
    raw = entry.extra.get(CHECKOUTS_KEY) if entry is not None else None
    out: dict[str, Path] = {}
    if isinstance(raw, dict):
        for repo, path in raw.items():
            if isinstance(repo, str) and name_problem(repo) is None and isinstance(path, str) and path:
                out[repo] = Path(path).expanduser()
    return out


def record_checkout(settings: Settings, realm: str, repo: str, path: Path) -> bool:
    """Remember that ``repo`` of ``realm`` is checked out at ``path``; True when it changed.

    Written under index.yaml's own lock; other keys of the entry are kept."""
    with locked(settings.index_path.with_name("index.yaml.lock"), what="index.yaml"):
        index = realm_index.read_index(settings)
        entry = index.get(realm)
        if entry is None:
            return False
        current = entry.extra.get(CHECKOUTS_KEY)
        current = dict(current) if isinstance(current, dict) else {}
        target = str(path.resolve())
        if current.get(repo) == target:
            return False
        current[repo] = target
        extra = {**entry.extra, CHECKOUTS_KEY: dict(sorted(current.items()))}
        index.entries = [
            realm_index.IndexEntry(e.name, e.path, e.url, extra) if e.name == realm else e
            for e in index.entries
        ]
        realm_index._write(index)  # the index module's writer (atomic); the lock is held here
        return True
