"""A realm on a bare remote and several developers, each with their own $BLUE_HOME, code repo and
realm clone: the world the sync / worktree / pr tests play in (real git throughout)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from realm_builders import SCHEMA_V1, RealmBuilder, git, init_repo

from blue_tui.core.config import Settings
from blue_tui.core.realm.admin import join_realm
from blue_tui.core.realm.locate import Located, find_realm


@dataclass
class Dev:
    name: str
    repo: str
    home: Path
    root: Path
    env: dict[str, str]

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.env)

    @property
    def located(self) -> Located:
        return find_realm(self.settings, None, self.root)

    @property
    def clone(self) -> Path:
        return self.home / "realms" / "letemcook"

    def git(self, *args: str) -> str:
        return git(self.clone, *args)


@dataclass
class World:
    tmp: Path
    remote: Path
    devs: dict[str, Dev] = field(default_factory=dict)

    def dev(self, name: str, repo: str, *, url: str | None = None, code_remote: bool = False) -> Dev:
        """A developer with a checkout of ``repo`` that joined the realm from ``url`` (the bare remote)."""
        home = self.tmp / name / ".blue"
        env = {**os.environ, "BLUE_HOME": str(home), "BLUE_USER": f"{name}@example.com"}
        root = self.tmp / name / repo
        if code_remote:
            bare = self.code_remote(repo)
            git(self.tmp, "clone", "-q", str(bare), str(root))
        else:
            init_repo(root)
            (root / "README").write_text(f"{repo}\n")
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "init")
        (root / "models").mkdir(exist_ok=True)
        (root / "models" / "s3.py").write_text("PATHS = []\n")
        (root / ".blue").mkdir(exist_ok=True)
        (root / ".blue" / "config.yaml").write_text(f"realm:\n  name: letemcook\n  repo: {repo}\n")
        dev = Dev(name, repo, home, root, env)
        join_realm(dev.settings, url or str(self.remote), cwd=root)
        self.devs[name] = dev
        return dev

    def code_remote(self, repo: str) -> Path:
        bare = self.tmp / "remotes" / f"{repo}.git"
        if not bare.exists():
            seed = init_repo(self.tmp / "seeds" / repo)
            (seed / "README").write_text(f"{repo}\n")
            git(seed, "add", "-A")
            git(seed, "commit", "-q", "-m", "init")
            bare.parent.mkdir(parents=True, exist_ok=True)
            git(self.tmp, "clone", "-q", "--bare", str(seed), str(bare))
        return bare

    def remote_branches(self, prefix: str = "sync/") -> dict[str, str]:
        out = git(
            self.remote, "for-each-ref", "--format=%(refname:short) %(objectname)", f"refs/heads/{prefix}"
        )
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def merge_on_remote(self, branch: str) -> str:
        """What a forge does when a PR is merged: merge ``branch`` into main on the remote."""
        work = self.tmp / "merger"
        if not work.exists():
            git(self.tmp, "clone", "-q", str(self.remote), str(work))
        git(work, "fetch", "-q", "origin")
        git(work, "checkout", "-q", "-B", "main", "origin/main")
        git(work, "merge", "-q", "--no-ff", "-m", f"Merge pull request from {branch}", f"origin/{branch}")
        git(work, "push", "-q", "origin", "main")
        return git(work, "rev-parse", "HEAD")

    def commit_on_remote(self, rel: str, data: Any, message: str) -> str:
        """Someone else's change lands on main (through their own clone)."""
        work = self.tmp / "other"
        if not work.exists():
            git(self.tmp, "clone", "-q", str(self.remote), str(work))
        git(work, "fetch", "-q", "origin")
        git(work, "checkout", "-q", "-B", "main", "origin/main")
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", message)
        git(work, "push", "-q", "origin", "main")
        return git(work, "rev-parse", "HEAD")

    def forge_records(self, prefix: str = "prs/") -> dict[str, Any]:
        import json

        try:
            names = git(self.remote, "ls-tree", "-r", "--name-only", "blue/forge", "--", prefix).splitlines()
        except RuntimeError:
            return {}
        return {n: json.loads(git(self.remote, "show", f"blue/forge:{n}")) for n in names}


def make_world(tmp: Path, *, maintainers: dict[str, list[str]] | None = None) -> World:
    """letemcook: aperture exports s3-access/s3-permissions 1.0.0; fungal imports it (^1, resolved
    1.0.0); web is registered; domain `s3-access` has aperture and fungal as members."""
    seed = tmp / "seed"
    b = RealmBuilder(seed)
    b.write(
        "realm.yaml",
        {"name": "letemcook", "version": "1.0.0", "governance": {"approvers": ["lead@example.com"]}},
    )
    who = maintainers or {}
    for repo in ("aperture", "fungal", "web"):
        b.repo(repo, maintainers=who.get(repo, [f"{repo}-dev"]))
    b.domain("s3-access", ["aperture", "fungal"])
    b.contract("s3-access", "s3-permissions", "1.0.0", "aperture", SCHEMA_V1)
    b.binding(
        "s3-access", "aperture", exports=[{"contract": "s3-permissions", "source_files": ["models/s3.py"]}]
    )
    b.binding("s3-access", "fungal", imports=[("s3-permissions", ">=1.0.0 <2.0.0", "1.0.0")])
    b.commit("sample realm")
    remote = tmp / "realm.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(remote))
    return World(tmp, remote)
