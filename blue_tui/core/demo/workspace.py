"""The demo realm: a realm repo with a bare remote and four code repos, under ``$BLUE_HOME/demo/``.

The story, one realm commit per step (fixed authors and dates, so every machine builds the same
commits and the dashboard's snapshots and screenshot stay stable):

1. ``aperture`` provides ``s3-access/s3-permissions`` 1.0.0; ``fungal`` imports it with
   ``>=1.0.0 <2.0.0``.
2. 1.1.0 adds an optional ``write`` list (compatible); ``fungal`` resolves 1.1.0.
3. ``fungal`` provides ``image-results/detections`` to ``web`` (the chain of three:
   aperture -> fungal -> web); ``aperture`` provides ``training-metrics/run-metrics`` to
   ``notebooks``.
4. 2.0.0 turns ``read`` into an object (breaking both ways, a major bump): ``fungal``'s range no
   longer admits the current version, so its import is out of range.

Each code repo has a bare remote too (``remote/code/{repo}.git``), so the dashboard's worktree
and PR workflows (``w``, ``p``) run end to end with the local forge, like ``s``.

Steps 1-3 are written as ``blue realm admin`` writes them and pushed to the bare remote. Step 4 is
made by ``blue realm admin contract`` itself, run from aperture's checkout (the real admin path:
the compatibility checker judges it breaking and ``notify_contract_change`` posts the breaking
notification into sessions.db). It stays a local commit of the realm clone, so pressing ``s`` in
the dashboard with aperture selected (or ``blue realm sync`` in aperture's checkout) publishes it
for review through the local forge. The admin command runs as a child process with git's dates
pinned, so its commit, like the others, is the same on every machine.

The realm's content (schemas, source files, the files of steps 1-3) is in :mod:`.story`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.demo.story import S3_V3, SOURCES, steps
from blue_tui.core.realm import git
from blue_tui.core.realm import index as realm_index
from blue_tui.core.realm.clone import record_checkout
from blue_tui.core.realm.errors import RealmError
from blue_tui.core.realm.repo_config import Membership, write_membership
from blue_tui.core.realm.yamlfile import dump

REALM = "demo"
REPOS = ("aperture", "fungal", "web", "notebooks")
MARKER = ".blue-demo"
#: Written last: a build that was interrupted has no such file and is built again.
DONE = ".blue-demo-done"
AUTHOR = ("blue demo", "demo@blue.invalid")
START = 1769248800  # 2026-01-24T10:00:00Z

Progress = Callable[[str], None]


class DemoError(RealmError):
    """The demo folder or its realm name is taken by something that is not the demo."""


@dataclass
class Workspace:
    root: Path
    realm: Path
    remote: Path
    repos: dict[str, Path]
    #: False when an earlier run had built it and it was reused.
    built: bool
    domains: list[str] = field(default_factory=lambda: ["image-results", "s3-access", "training-metrics"])

    @property
    def command(self) -> str:
        return f"blue-tui --realm {REALM}"

    def as_json(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "realm": {"name": REALM, "path": str(self.realm), "remote": str(self.remote)},
            "repos": {name: str(path) for name, path in self.repos.items()},
            "domains": self.domains,
            "built": self.built,
            "command": self.command,
        }


def demo_root(settings: Settings) -> Path:
    return settings.blue_home / "demo"


def _commit_env(step: int) -> dict[str, str]:
    when = f"@{START + 3600 * step} +0000"
    name, email = AUTHOR
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }


def _write(root: Path, rel: str, data: Any) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")


def _commit_all(root: Path, message: str, step: int) -> None:
    git.run(["add", "-A"], root)
    git.run(["commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message], root, env=_commit_env(step))


def existing(settings: Settings) -> Workspace | None:
    """The demo an earlier run built, if it is complete."""
    root = demo_root(settings)
    if not (root / MARKER).is_file() or not (root / DONE).is_file():
        return None
    return Workspace(
        root,
        root / "realm",
        root / "remote" / "realm.git",
        {r: root / "repos" / r for r in REPOS},
        built=False,
    )


def remove(settings: Settings) -> bool:
    """Delete ``$BLUE_HOME/demo`` (only when it carries the demo's marker) and its index entry."""
    root = demo_root(settings)
    if not root.exists():
        realm_index.remove(settings, REALM)
        return False
    if not (root / MARKER).is_file():
        raise DemoError(
            f"{root} exists but was not made by `blue demo` (no {MARKER} in it); refusing to delete it",
            hint=f"move {root} away yourself, then run `blue demo` again",
        )
    shutil.rmtree(root)
    entry = realm_index.read_index(settings).get(REALM)
    if entry is not None and entry.path.resolve() == (root / "realm").resolve():
        realm_index.remove(settings, REALM)
    return True


def build(settings: Settings, progress: Progress | None = None) -> Workspace:
    """Build the demo once; later calls reuse it."""
    say = progress or (lambda _message: None)
    found = existing(settings)
    if found is not None:
        _register(settings, found)
        _record_checkouts(settings, found)
        return found
    root = demo_root(settings)
    if root.exists() and any(root.iterdir()) and not (root / MARKER).is_file():
        raise DemoError(
            f"{root} exists and was not made by `blue demo`",
            hint=f"move {root} away, or point BLUE_HOME elsewhere",
        )
    entry = realm_index.read_index(settings).get(REALM)
    if entry is not None and entry.path.resolve() != (root / "realm").resolve():
        raise DemoError(
            f"a realm named {REALM!r} is already in {settings.index_path} at {entry.path}",
            hint="remove that entry, or run the demo with another BLUE_HOME",
        )
    if root.exists():
        shutil.rmtree(root)  # an interrupted earlier build (it has the marker): start over
    root.mkdir(parents=True)
    (root / MARKER).write_text(
        "made by `blue demo`; `blue demo --reset` deletes this folder\n", encoding="utf-8"
    )
    realm = root / "realm"
    remote = root / "remote" / "realm.git"
    repos = {name: root / "repos" / name for name in REPOS}

    say(f"realm repo {realm}")
    realm.mkdir()
    git.init(realm)
    for step, (message, files) in enumerate(steps(REALM, REPOS)):
        for rel, data in files.items():
            _write(realm, rel, data)
        _commit_all(realm, message, step)
    say(f"bare remote {remote}")
    remote.parent.mkdir(parents=True)
    git.run(["init", "-q", "--bare", "--initial-branch=main", str(remote)], root)
    git.run(["remote", "add", "origin", str(remote)], realm)
    git.run(["push", "-q", "origin", "main"], realm)
    workspace = Workspace(root, realm, remote, repos, built=True)
    _register(settings, workspace)
    for step, (name, path) in enumerate(repos.items()):
        say(f"code repo {path}")
        path.mkdir(parents=True)
        git.init(path)
        _write(path, "README.md", f"# {name}\n\nA code repo of the blue-tui demo realm.\n")
        for rel in SOURCES[name]:
            _write(path, rel, f"# {name}: {rel}\n")
        write_membership(path, Membership(REALM, name, str(remote)))
        _commit_all(path, f"{name}: join realm {REALM}", step)
        code_remote = root / "remote" / "code" / f"{name}.git"
        git.run(["init", "-q", "--bare", "--initial-branch=main", str(code_remote)], root)
        git.run(["remote", "add", "origin", str(code_remote)], path)
        git.run(["push", "-q", "-u", "origin", "main"], path)
    _record_checkouts(settings, workspace)
    say("aperture: s3-permissions 1.1.0 -> 2.0.0 with `blue realm admin contract` (breaking, not yet synced)")
    _breaking_change(settings, workspace, step=len(steps(REALM, REPOS)))
    (root / DONE).write_text("built\n", encoding="utf-8")
    return workspace


def _record_checkouts(settings: Settings, workspace: Workspace) -> None:
    """index.yaml's ``checkouts:``: where each demo repo is (worktree and sync commands look there)."""
    for name, path in workspace.repos.items():
        record_checkout(settings, REALM, name, path)


def child_env(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment ``settings`` came from, for a child ``blue`` process (plus PATH, for git)."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    env.update(settings.env)
    env.update(extra or {})
    return env


def _breaking_change(settings: Settings, workspace: Workspace, *, step: int) -> None:
    """Step 4 through the real admin command, from the owner's checkout, with pinned git dates."""
    doc = dict(S3_V3)
    with tempfile.TemporaryDirectory(prefix="blue-demo-") as tmp:
        schema = Path(tmp) / "s3-permissions.schema.json"
        schema.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "blue_tui",
                "realm",
                "admin",
                "contract",
                "s3-permissions",
                "--domain",
                "s3-access",
                "--update",
                "--version",
                "2.0.0",
                "--schema",
                str(schema),
                "--changes",
                "read becomes an object with prefixes",
            ],
            cwd=workspace.repos["aperture"],
            env=child_env(settings, _commit_env(step)),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise DemoError(
            f"the demo's breaking change (`blue realm admin contract s3-permissions` in "
            f"{workspace.repos['aperture']}) failed: {lines[0] if lines else f'exit {done.returncode}'}",
            hint="run `blue demo --reset` to build the demo again",
        )


def _register(settings: Settings, workspace: Workspace) -> None:
    realm_index.upsert(
        settings, realm_index.IndexEntry(REALM, workspace.realm.resolve(), str(workspace.remote))
    )
