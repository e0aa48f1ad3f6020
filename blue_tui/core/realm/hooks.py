"""Validation hooks: programs the checking repo tracks in git, run without a shell and with a timeout.

A contract is written by its owner, but its hooks run in every repo that exports or imports it,
so the repo that runs them decides what they may do (docs/REALM.md, "Validation hooks"):

- the program is a regular file that git tracks and does not ignore, reached without a symlink,
  inside the checking repo: never a shell, a PATH lookup, an ignored ``.venv/bin/python3`` or a
  build output;
- arguments come from the contract only when this repo owns the contract, or allows that hook by
  name in its own ``.blue/config.yaml`` (``realm.hooks.allow_arguments``): a wrapper script that
  runs ``"$@"`` would otherwise run whatever the other team wrote;
- the environment is scrubbed: PATH, HOME, LANG, what the repo lists in ``realm.hooks.env``, and
  the ``BLUE_*`` variables describing the contract. Tokens in the CI environment stay there.

Exit codes: 0 ok, 1 failure, 2 warning; anything else (or a timeout, or a refused program) is a
failure. On timeout the whole process group is killed. ``ci_only`` hooks run only when ``CI`` is
set (and not ``false``/``0``/``no``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from blue_tui.core.realm import git
from blue_tui.core.realm.errors import RealmError
from blue_tui.core.realm.model import Hook
from blue_tui.core.realm.names import relpath_problem
from blue_tui.core.realm.repo_config import CONFIG_REL, HookPolicy
from blue_tui.core.realm.safefs import RealmFiles, SymlinkInRealm

DEFAULT_TIMEOUT = 300.0
OUTPUT_TAIL = 4000
#: Variables every hook sees (when set); anything else only when the repo lists it.
PASSED_ENV = ("PATH", "HOME", "LANG")
#: Index modes of a regular file (git records no other permission bits).
_REGULAR = ("100644", "100755")


@dataclass(frozen=True)
class HookResult:
    hook: str
    mode: str
    #: ``ok`` | ``warning`` | ``fail`` | ``skipped``
    status: str
    exit_code: int | None
    output: str
    duration: float
    reason: str = ""
    cached: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "hook": self.hook,
            "mode": self.mode,
            "status": self.status,
            "exit_code": self.exit_code,
            "output": self.output,
            "duration": round(self.duration, 3),
            "reason": self.reason,
            "cached": self.cached,
        }


def in_ci(env: Mapping[str, str] | None = None) -> bool:
    value = (os.environ if env is None else env).get("CI", "").strip().lower()
    return value not in ("", "0", "false", "no")


def hook_environment(env: Mapping[str, str], policy: HookPolicy, blue: Mapping[str, str]) -> dict[str, str]:
    """PATH, HOME, LANG and the variables the repo lists, from ``env``; then the ``BLUE_*`` ones."""
    out = {k: env[k] for k in (*PASSED_ENV, *policy.env) if k in env}
    out.update(blue)
    return out


def arguments_allowed(hook: Hook, policy: HookPolicy, *, own_contract: bool) -> bool:
    """A hook's arguments come from the contract: take them from our own contract, or when the
    repo allows that hook (its program) by name."""
    if own_contract or len(hook.argv) == 1:
        return True
    program = PurePosixPath(hook.argv[0])
    return any(PurePosixPath(allowed) == program for allowed in policy.allow_arguments)


def refused_arguments(hook: Hook, contract_ref: str, owner: str) -> str:
    return (
        f"its arguments come from {contract_ref}, owned by {owner}; this repo takes another team's arguments "
        f"only for hooks it allows by name (add {hook.argv[0]} to realm.hooks.allow_arguments in {CONFIG_REL})"
    )


def program_problem(repo_root: Path, rel: str) -> str | None:
    """Why ``rel`` may not run as a hook in ``repo_root``, or None when it may."""
    why = relpath_problem(rel)
    if why:
        return f"hook program {why}"
    rel = str(PurePosixPath(rel))
    try:
        with RealmFiles(repo_root) as files:
            kind = files.kind(rel)
    except SymlinkInRealm as exc:
        return f"hook program {rel} goes through a symlink ({exc.rel}); hooks must be regular files"
    except (OSError, ValueError) as exc:
        return f"hook program {rel} cannot be read ({exc})"
    if kind is None:
        return f"hook program {rel} not found in {repo_root}"
    if kind != "file":
        return f"hook program {rel} is not a regular file"
    try:
        mode = git.tracked_mode(repo_root, rel)
        ignored = git.is_ignored(repo_root, rel)
    except RealmError as exc:
        return f"cannot ask git about hook program {rel}: {exc}"
    if mode is None:
        return f"hook program {rel} is not tracked by git (hooks run only files the repo commits)"
    if mode not in _REGULAR:
        return f"hook program {rel} is not a regular file in git (mode {mode})"
    if ignored:
        return f"hook program {rel} is ignored by git (.gitignore); hooks run only tracked, unignored files"
    if not os.access(repo_root / rel, os.X_OK):
        return f"hook program {rel} is not executable (chmod +x {rel})"
    return None


def _tail(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return text if len(text) <= OUTPUT_TAIL else "..." + text[-OUTPUT_TAIL:]


def _verdict(label: str, mode: str, code: int, text: str, duration: float) -> HookResult:
    if code == 0:
        return HookResult(label, mode, "ok", 0, text, duration)
    if code == 1:
        return HookResult(label, mode, "fail", 1, text, duration, "hook failed (exit 1)")
    if code == 2:
        return HookResult(label, mode, "warning", 2, text, duration, "hook warned (exit 2)")
    if code < 0:
        return HookResult(label, mode, "fail", code, text, duration, f"killed by signal {-code}")
    return HookResult(
        label,
        mode,
        "fail",
        code,
        text,
        duration,
        f"exited with {code} (hooks exit 0 ok, 1 failure, 2 warning)",
    )


def run_hook(
    hook: Hook,
    repo_root: Path,
    *,
    mode: str,
    env: Mapping[str, str],
    argv: Sequence[str] | None = None,
    timeout: float | None = None,
) -> HookResult:
    """Run one hook in ``repo_root`` with exactly ``env``; never raises for the hook's own failures.

    The program is checked here (:func:`program_problem`); ``argv`` (default: the hook's) is what
    actually runs after the program, already filtered by the caller's argument policy.
    """
    label = hook.label
    started = time.monotonic()
    why = program_problem(repo_root, hook.argv[0])
    if why:
        return failed(hook, mode, why)
    program = repo_root / str(PurePosixPath(hook.argv[0]))
    limit = timeout if timeout is not None else DEFAULT_TIMEOUT
    try:
        proc = subprocess.Popen(
            [str(program), *(hook.argv[1:] if argv is None else argv)],
            cwd=str(repo_root),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**env, "BLUE_HOOK_MODE": mode},
            start_new_session=True,
        )
    except OSError as exc:
        return failed(
            hook, mode, f"cannot run {hook.argv[0]}: {exc.strerror or exc}", time.monotonic() - started
        )
    try:
        out, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        try:
            out, _ = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            # A grandchild left the group and holds the pipe: give up on the output.
            if proc.stdout is not None:
                proc.stdout.close()
            proc.wait()
            out = b""
        return HookResult(
            label,
            mode,
            "fail",
            None,
            _tail(out),
            time.monotonic() - started,
            f"timed out after {limit:g} s (killed)",
        )
    return _verdict(label, mode, proc.returncode, _tail(out), time.monotonic() - started)


def failed(hook: Hook, mode: str, reason: str, duration: float = 0.0) -> HookResult:
    return HookResult(hook.label, mode, "fail", None, "", duration, reason)


def skipped(hook: Hook, mode: str, reason: str) -> HookResult:
    return HookResult(hook.label, mode, "skipped", None, "", 0.0, reason)
