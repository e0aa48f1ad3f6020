"""Validation hooks: programs inside the checking repo, run without a shell and with a timeout.

A hook's first argument must be a file inside the repo (``scripts/validate.sh``); there is no
shell and no PATH lookup, so a contract written by another team cannot make your CI run an
arbitrary command, only a script your repo already contains. Exit codes: 0 ok, 1 failure,
2 warning; anything else (or a timeout, or a missing program) is a failure. On timeout the whole
process group is killed. ``ci_only`` hooks run only when ``CI`` is set (and not ``false``/``0``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blue_tui.core.realm.model import Hook
from blue_tui.core.realm.names import resolve_inside

DEFAULT_TIMEOUT = 300.0
OUTPUT_TAIL = 4000


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


def _tail(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return text if len(text) <= OUTPUT_TAIL else "..." + text[-OUTPUT_TAIL:]


def run_hook(
    hook: Hook,
    repo_root: Path,
    *,
    mode: str,
    timeout: float | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> HookResult:
    """Run one hook in ``repo_root``; never raises for the hook's own failures."""
    label = hook.label
    started = time.monotonic()
    program = resolve_inside(repo_root, hook.argv[0])
    if program is None:
        return HookResult(label, mode, "fail", None, "", 0.0, f"{hook.argv[0]!r} is outside the repo")
    if not program.is_file():
        return HookResult(
            label, mode, "fail", None, "", 0.0, f"hook program {hook.argv[0]} not found in {repo_root}"
        )
    if not os.access(program, os.X_OK):
        return HookResult(
            label,
            mode,
            "fail",
            None,
            "",
            0.0,
            f"hook program {hook.argv[0]} is not executable (chmod +x {hook.argv[0]})",
        )
    limit = timeout if timeout is not None else DEFAULT_TIMEOUT
    env = dict(os.environ)
    env.update(extra_env or {})
    env["BLUE_HOOK_MODE"] = mode
    try:
        proc = subprocess.Popen(
            [str(program), *hook.argv[1:]],
            cwd=str(repo_root),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        return HookResult(
            label,
            mode,
            "fail",
            None,
            "",
            time.monotonic() - started,
            f"cannot run {hook.argv[0]}: {exc.strerror or exc}",
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
    duration = time.monotonic() - started
    code = proc.returncode
    text = _tail(out)
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


def skipped(hook: Hook, mode: str, reason: str) -> HookResult:
    return HookResult(hook.label, mode, "skipped", None, "", 0.0, reason)
