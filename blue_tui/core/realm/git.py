"""The git binary, run without a shell, without prompts, and never redirected by the caller's env.

Every call passes list arguments, sets ``GIT_TERMINAL_PROMPT=0`` (a missing credential fails
instead of hanging) and ``GIT_OPTIONAL_LOCKS=0`` (read-only calls never take ``index.lock``, so
two processes can check one realm at once), and drops ``GIT_DIR`` and friends (set when blue runs
inside a git hook) so the repo named by ``cwd`` is the one used.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from blue_tui.core.realm.errors import GitError, GitMissing

_DROP = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
)
DEFAULT_TIMEOUT = 120.0


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "LANGUAGE": "C"})
    if extra:
        env.update(extra)
    return env


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    check: bool = True,
    input_bytes: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    env: Mapping[str, str] | None = None,
    config: Sequence[str] = (),
) -> subprocess.CompletedProcess[bytes]:
    """``git [-c k=v ...] ARGS`` in ``cwd``; raises GitError on a non-zero exit when ``check``."""
    cmd = ["git"]
    for item in config:
        cmd += ["-c", item]
    cmd += list(args)
    try:
        proc = subprocess.run(
            cmd,
            cwd=str(cwd),
            input=input_bytes,
            capture_output=True,
            timeout=timeout,
            check=False,
            env=_env(env),
        )
    except FileNotFoundError as exc:
        if not cwd.is_dir():
            raise GitError(args, -1, f"no such directory: {cwd}", cwd=str(cwd)) from exc
        raise GitMissing() from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(args, -1, f"timed out after {timeout:g} s", cwd=str(cwd)) from exc
    if check and proc.returncode != 0:
        raise GitError(args, proc.returncode, proc.stderr.decode("utf-8", "replace"), cwd=str(cwd))
    return proc


def find_toplevel(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder or a worktree file)."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def is_repo(path: Path) -> bool:
    return (path / ".git").exists()


def head(root: Path) -> str | None:
    """The commit at HEAD, or None in a repo without commits (or outside git)."""
    if not is_repo(root):
        return None
    proc = run(["rev-parse", "--verify", "-q", "HEAD^{commit}"], root, check=False)
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None


def resolve(root: Path, ref: str) -> str | None:
    if ref.startswith("-"):
        return None
    proc = run(["rev-parse", "--verify", "-q", "--end-of-options", f"{ref}^{{commit}}"], root, check=False)
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None


def _status_args(pathspecs: Sequence[str], exclude: Sequence[str]) -> list[str]:
    specs = list(pathspecs) or ["."]
    specs += [f":(exclude){e}" for e in exclude]
    return ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *specs]


def _parse_status(out: bytes) -> list[str]:
    paths: list[str] = []
    entries = out.split(b"\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:].decode("utf-8", "replace")
        paths.append(path)
        if status[:1] in (b"R", b"C"):
            i += 1  # the rename's source follows as its own NUL-terminated entry
    return paths


def changed_paths(
    root: Path, pathspecs: Sequence[str] = (), *, exclude: Sequence[str] = (".blue",)
) -> list[str]:
    """Uncommitted changes (staged, unstaged, untracked) under ``pathspecs``, minus ``exclude``."""
    return _parse_status(run(_status_args(pathspecs, exclude), root).stdout)


class StatusProbe:
    """``changed_paths`` started in the background, so the caller can work while git scans."""

    def __init__(
        self, root: Path, pathspecs: Sequence[str] = (), *, exclude: Sequence[str] = (".blue",)
    ) -> None:
        self.root = root
        self.args = _status_args(pathspecs, exclude)
        try:
            self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                ["git", *self.args],
                cwd=str(root),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=_env(),
            )
        except FileNotFoundError as exc:
            raise GitMissing() from exc

    def result(self, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
        assert self.proc is not None
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.proc.kill()
            self.proc.communicate()
            raise GitError(self.args, -1, f"timed out after {timeout:g} s", cwd=str(self.root)) from exc
        if self.proc.returncode != 0:
            raise GitError(
                self.args, self.proc.returncode, err.decode("utf-8", "replace"), cwd=str(self.root)
            )
        return _parse_status(out)


def init(root: Path, *, branch: str = "main") -> None:
    root.mkdir(parents=True, exist_ok=True)
    run(["init", "-q", f"--initial-branch={branch}"], root)


def identity_config(root: Path, fallback_email: str, fallback_name: str = "blue") -> list[str]:
    """``-c user.*`` settings for a commit when git has no identity configured (fresh CI, tests)."""
    cfg: list[str] = []
    for key, fallback in (("user.email", fallback_email), ("user.name", fallback_name)):
        if run(["config", "--get", key], root, check=False).returncode != 0:
            cfg.append(f"{key}={fallback}")
    return cfg


def commit(root: Path, paths: Iterable[str], message: str, *, config: Sequence[str] = ()) -> str:
    """Stage exactly ``paths`` (additions, edits, deletions) and commit them; return the new sha."""
    path_list = sorted(set(paths))
    run(["add", "-A", "--", *path_list], root, env={"GIT_OPTIONAL_LOCKS": "1"})
    run(
        ["commit", "-q", "-m", message, "--", *path_list],
        root,
        config=config,
        env={"GIT_OPTIONAL_LOCKS": "1"},
    )
    sha = head(root)
    assert sha is not None
    return sha


def remote_url(root: Path, name: str = "origin") -> str | None:
    proc = run(["remote", "get-url", name], root, check=False)
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None


def clone(url: str, dest: Path, *, timeout: float = 600.0) -> None:
    if url.startswith("-"):
        raise GitError(["clone", url], -1, "a repository URL must not start with '-'")
    dest.parent.mkdir(parents=True, exist_ok=True)
    run(["clone", "-q", "--end-of-options", url, str(dest)], dest.parent, timeout=timeout)


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    return run(["merge-base", "--is-ancestor", older, newer], root, check=False).returncode == 0


def diff_names(
    root: Path, against: str, pathspecs: Sequence[str] = (), *, untracked: bool = True
) -> list[tuple[str, str]]:
    """``(status letter, path)`` for files that differ between ``against`` and the working tree.

    ``untracked=False`` skips the scan for untracked files (the caller knows the tree is clean).
    """
    out = run(
        ["diff", "--name-status", "-z", "--no-renames", against, "--", *(pathspecs or ["."])], root
    ).stdout
    parts = out.split(b"\0")
    pairs: list[tuple[str, str]] = []
    for i in range(0, len(parts) - 1, 2):
        pairs.append((parts[i].decode()[:1], parts[i + 1].decode("utf-8", "replace")))
    # Untracked files are invisible to `git diff`: count them as added.
    for path in changed_paths(root, pathspecs) if untracked else ():
        if not any(p == path for _, p in pairs):
            pairs.append(("A", path))
    return pairs


def cat_blobs(root: Path, specs: Sequence[str]) -> dict[str, bytes | None]:
    """Contents for ``rev:path`` or blob-sha specs, in one ``git cat-file --batch`` call."""
    if not specs:
        return {}
    wanted = [s for s in specs if "\n" not in s]
    data = run(["cat-file", "--batch"], root, input_bytes=("\n".join(wanted) + "\n").encode()).stdout
    out: dict[str, bytes | None] = {}
    pos = 0
    for spec in wanted:
        nl = data.index(b"\n", pos)
        header = data[pos:nl].decode("utf-8", "replace")
        pos = nl + 1
        fields = header.split(" ")
        if header.endswith(" missing") or header.endswith(" ambiguous") or len(fields) != 3:
            out[spec] = None
            continue
        size = int(fields[2])
        out[spec] = data[pos : pos + size] if fields[1] == "blob" else None
        pos += size + 1
    return out


@dataclass(frozen=True)
class FileVersion:
    commit: str
    path: str
    blob: str


def file_history(root: Path, pathspecs: Sequence[str], *, since: str | None = None) -> list[FileVersion]:
    """Every committed version of the matching files, newest first (one ``git log --raw`` call).

    ``since``: only commits after this one (``since..HEAD``), for incremental scans.
    """
    rng = f"{since}..HEAD" if since else "HEAD"
    args = [
        "log",
        "--format=%x01%H",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "-z",
        "--end-of-options",
        rng,
        "--",
        *pathspecs,
    ]
    out = run(args, root).stdout
    versions: list[FileVersion] = []
    for chunk in out.split(b"\x01")[1:]:
        head_line, _, rest = chunk.partition(b"\0")
        sha = head_line.decode().strip()
        fields = rest.lstrip(b"\n").split(b"\0")
        i = 0
        while i + 1 < len(fields):
            meta = fields[i].decode("utf-8", "replace").strip()
            path = fields[i + 1].decode("utf-8", "replace")
            i += 2
            if not meta.startswith(":"):
                continue
            parts = meta.split()
            if len(parts) >= 5 and parts[4] != "D":
                versions.append(FileVersion(sha, path, parts[3]))
    return versions


def tracked_mode(root: Path, rel: str) -> str | None:
    """The index mode of ``rel`` (``100755``, ``100644``, ``120000`` for a symlink...), None if untracked."""
    out = run(["ls-files", "--stage", "-z", "--", f":(literal){rel}"], root).stdout
    for entry in out.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        if path.decode("utf-8", "replace") == rel and meta:
            return meta.split(b" ", 1)[0].decode()
    return None


def is_ignored(root: Path, rel: str) -> bool:
    """Whether ``.gitignore`` rules (or ``info/exclude``) match ``rel``, tracked or not."""
    proc = run(["check-ignore", "-q", "--no-index", "--", rel], root, check=False)
    if proc.returncode not in (0, 1):
        raise GitError(
            ["check-ignore", rel], proc.returncode, proc.stderr.decode("utf-8", "replace"), cwd=str(root)
        )
    return proc.returncode == 0
