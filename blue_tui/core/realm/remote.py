"""Talking to git remotes: fetch and push with credentials, bounded waits, and messages that never
carry a token.

Any git URL works (a bare repo path, ``file://``, ssh, https). For https remotes a token from
:mod:`.credentials` is handed to git as an extra header through ``GIT_CONFIG_*`` variables (never
on the command line); ssh and local remotes use git's own setup. Prompts are off (``git.run``
sets ``GIT_TERMINAL_PROMPT=0``), so a missing credential fails instead of hanging.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.credentials import Credentials, git_auth_env, https_host
from blue_tui.core.realm.errors import GitError, RealmError

FETCH_TIMEOUT = 120.0
PUSH_TIMEOUT = 120.0
STAMP = "blue-fetched"
_USERINFO = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{0,20}://)(?P<user>[^/@:\s]{0,200}):[^/@\s]{1,500}@"
)


class RemoteError(RealmError):
    """A remote could not be reached, or refused a fetch."""


class PushRejected(RealmError):
    """The remote refused a push: a hook declined it, or the branch moved (non-fast-forward)."""

    def __init__(
        self, message: str, *, hint: str | None, ref: str, reason: str, remote_lines: Sequence[str]
    ) -> None:
        super().__init__(message, hint=hint)
        self.ref = ref
        self.reason = reason
        self.remote_lines = list(remote_lines)

    @property
    def non_fast_forward(self) -> bool:
        """Refused because someone else moved (or just created) the ref: fetch and try again."""
        said = " ".join([self.reason, *self.remote_lines])
        return any(
            w in said
            for w in (
                "non-fast-forward",
                "fetch first",
                "stale info",
                "failed to update ref",
                "cannot lock ref",
            )
        )


def remote_url(root: Path, name: str = "origin") -> str | None:
    """The URL as configured (``remote.NAME.url``), before git's ``insteadOf`` rewriting: the
    forge and the credentials belong to this one."""
    proc = git.run(["config", "--get", f"remote.{name}.url"], root, check=False)
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None


def redact(text: str) -> str:
    """``https://user:TOKEN@host/x`` -> ``https://user:***@host/x`` (also inside git's messages)."""
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:***@", text)


def is_github_host(host: str | None) -> bool:
    return bool(host) and (host == "github.com" or (host or "").endswith(".github.com"))


def auth_env(settings: Settings, realm: str, url: str | None) -> dict[str, str]:
    """``GIT_CONFIG_*`` variables carrying a token for an https ``url`` (empty otherwise)."""
    host = https_host(url)
    if url is None or host is None:
        return {}
    cred = Credentials(settings).lookup(realm, host, github=is_github_host(host))
    return git_auth_env(cred, url)


def _tail(err: GitError) -> str:
    lines = [ln for ln in err.stderr.strip().splitlines() if ln.strip()]
    return redact(lines[-1]) if lines else f"exit {err.code}"


def fetch(
    settings: Settings,
    root: Path,
    realm: str,
    *,
    remote: str = "origin",
    refspecs: Sequence[str] = (),
    timeout: float = FETCH_TIMEOUT,
    url: str | None = None,
) -> None:
    """``git fetch --prune REMOTE`` with credentials; stamps the time for :func:`.clone.freshness`.
    ``url``: the remote's configured URL when the caller has read it already."""
    url = url or remote_url(root, remote)
    if url is None:
        raise RemoteError(
            f"{root} has no remote {remote!r}",
            hint=f"add one: `git -C {root} remote add {remote} URL` (and push the realm there)",
        )
    try:
        git.run(
            ["fetch", "--quiet", "--prune", "--no-write-fetch-head", remote, *refspecs],
            root,
            env={**auth_env(settings, realm, url), "GIT_OPTIONAL_LOCKS": "1"},
            timeout=timeout,
        )
    except GitError as exc:
        raise RemoteError(
            f"cannot fetch from {redact(url)}: {_tail(exc)}",
            hint="check the URL, your network and `blue realm credentials status`; read commands "
            "still work offline from the clone",
        ) from None
    stamp(root)


def stamp(root: Path) -> None:
    from datetime import UTC, datetime

    git_dir = git_dir_of(root)
    if git_dir is not None:
        with suppress(OSError):
            (git_dir / STAMP).write_text(datetime.now(UTC).isoformat() + "\n", encoding="utf-8")


def git_dir_of(root: Path) -> Path | None:
    dot = root / ".git"
    if dot.is_dir():
        return dot
    if dot.is_file():  # a linked worktree: "gitdir: PATH"
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            return Path(text[len("gitdir:") :].strip())
    return None


@dataclass(frozen=True)
class Pushed:
    ref: str
    summary: str


_PORCELAIN = re.compile(r"^(?P<flag>[ +\-*=!])\t(?P<src>[^:\t]*):(?P<dst>[^\t]+)\t(?P<summary>.*)$")


def push(
    settings: Settings,
    root: Path,
    realm: str,
    refspecs: Sequence[str],
    *,
    remote: str = "origin",
    leases: Sequence[str] = (),
    timeout: float = PUSH_TIMEOUT,
) -> list[Pushed]:
    """``git push --porcelain REMOTE REFSPECS`` (``--force-with-lease=REF:SHA`` per lease).

    A refusal raises :class:`PushRejected` with the remote's own lines (a hook's message) and the
    reason git gives (``pre-receive hook declined``, ``non-fast-forward``...)."""
    url = remote_url(root, remote) or remote
    args = ["push", "--porcelain", *[f"--force-with-lease={lease}" for lease in leases], remote, *refspecs]
    proc = git.run(
        args,
        root,
        check=False,
        env={**auth_env(settings, realm, url), "GIT_OPTIONAL_LOCKS": "1"},
        timeout=timeout,
    )
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    pushed: list[Pushed] = []
    rejected: tuple[str, str] | None = None
    for line in out.splitlines():
        m = _PORCELAIN.match(line)
        if not m:
            continue
        if m.group("flag") == "!":
            rejected = rejected or (m.group("dst"), m.group("summary"))
        else:
            pushed.append(Pushed(m.group("dst"), m.group("summary")))
    remote_lines = [
        redact(ln[len("remote:") :].strip()) for ln in err.splitlines() if ln.startswith("remote:")
    ]
    remote_lines = [ln for ln in remote_lines if ln]
    if rejected is not None:
        ref, reason = rejected
        said = f": {remote_lines[-1]}" if remote_lines else ""
        raise PushRejected(
            f"{redact(url)} refused the push of {ref} ({reason}){said}",
            hint="the remote's hooks or branch protection decide what may be pushed; "
            "fix what they report and run the command again",
            ref=ref,
            reason=reason,
            remote_lines=remote_lines,
        )
    if proc.returncode != 0:
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        tail = redact(lines[-1]) if lines else f"exit {proc.returncode}"
        raise RemoteError(
            f"cannot push to {redact(url)}: {tail}",
            hint="check the URL, your network and `blue realm credentials status`",
        )
    return pushed


def ls_remote_heads(
    settings: Settings, root: Path, realm: str, pattern: str, *, remote: str = "origin"
) -> dict[str, str]:
    """``{branch: sha}`` of the remote's branches matching ``pattern`` (one round trip)."""
    url = remote_url(root, remote) or remote
    try:
        out = git.run(
            ["ls-remote", "--heads", remote, pattern],
            root,
            env=auth_env(settings, realm, url),
            timeout=FETCH_TIMEOUT,
        ).stdout.decode()
    except GitError as exc:
        raise RemoteError(f"cannot list branches of {redact(url)}: {_tail(exc)}") from None
    heads: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, ref = line.partition("\t")
        if ref.startswith("refs/heads/"):
            heads[ref[len("refs/heads/") :]] = sha
    return heads
