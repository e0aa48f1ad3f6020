"""Realms built as real git repos in temporary folders, for the realm tests and the benchmark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_TERMINAL_PROMPT": "0",
}


def git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV)
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {cwd}: {proc.stderr}")
    return proc.stdout.strip()


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "--initial-branch=main")
    git(path, "config", "user.email", "test@example.com")
    git(path, "config", "user.name", "Test")
    return path


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


class RealmBuilder:
    """Writes realm files (as dicts or raw text) and commits them with the real git binary."""

    def __init__(self, root: Path, name: str = "letemcook", *, init: bool = True) -> None:
        self.root = root
        self.name = name
        if init:
            init_repo(root)
            self.write(".gitignore", ".blue/\n")
            self.write("realm.yaml", {"name": name, "version": "1.0.0"})

    def write(self, rel: str, data: Any) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
        return path

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def repo(self, name: str, **fields: Any) -> RealmBuilder:
        self.write(f"repos/{name}.yaml", {"name": name, **fields})
        return self

    def domain(
        self, name: str, members: Sequence[str], providers: Sequence[str] = (), **fields: Any
    ) -> RealmBuilder:
        doc: dict[str, Any] = {"name": name, "members": list(members)}
        if providers:
            doc["providers"] = list(providers)
        doc.update(fields)
        self.write(f"domains/{name}/domain.yaml", doc)
        return self

    def contract(
        self,
        domain: str,
        name: str,
        version: str = "1.0.0",
        owner: str = "aperture",
        schema: Any = None,
        evolution: Sequence[str] | None = None,
        **fields: Any,
    ) -> RealmBuilder:
        versions = list(evolution) if evolution is not None else [version]
        doc: dict[str, Any] = {"name": name, "version": version, "owner": owner}
        doc.update(fields)
        doc["schema"] = schema if schema is not None else {"type": "object"}
        doc.setdefault("evolution", [{"version": v, "changes": [f"v{v}"]} for v in versions])
        self.write(f"domains/{domain}/contracts/{name}.yaml", doc)
        return self

    def binding(
        self,
        domain: str,
        repo: str,
        *,
        exports: Sequence[Any] = (),
        imports: Sequence[Any] = (),
        role: str | None = None,
    ) -> RealmBuilder:
        doc: dict[str, Any] = {"repo": repo}
        if role:
            doc["role"] = role
        ex = [e if isinstance(e, dict) else {"contract": e} for e in exports]
        im = []
        for i in imports:
            if isinstance(i, dict):
                im.append(i)
            else:
                contract, rng, resolved = i
                item = {"contract": contract, "version": rng}
                if resolved:
                    item.update({"status": "current", "resolved_version": resolved})
                im.append(item)
        if ex:
            doc["exports"] = ex
        if im:
            doc["imports"] = im
        self.write(f"domains/{domain}/bindings/{repo}.yaml", doc)
        return self

    def commit(self, message: str = "realm change") -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message, "--allow-empty")
        return git(self.root, "rev-parse", "HEAD")


SCHEMA_V1 = {
    "type": "object",
    "required": ["read"],
    "properties": {"read": {"type": "array", "items": {"type": "string"}}},
}
SCHEMA_V2 = {
    "type": "object",
    "required": ["read"],
    "properties": {
        "read": {"type": "array", "items": {"type": "string"}},
        "write": {"type": "array", "items": {"type": "string"}, "default": []},
    },
}
#: `read` items change type: incompatible both ways.
SCHEMA_BROKEN = {
    "type": "object",
    "required": ["read"],
    "properties": {"read": {"type": "array", "items": {"type": "integer"}}},
}


def sample_realm(root: Path) -> RealmBuilder:
    """aperture exports s3-access/s3-permissions 1.0.0 to fungal (range ^1, resolved 1.0.0)."""
    b = RealmBuilder(root)
    b.repo("aperture").repo("fungal").repo("web")
    b.domain("s3-access", ["aperture", "fungal"])
    b.contract("s3-access", "s3-permissions", "1.0.0", "aperture", SCHEMA_V1)
    b.binding(
        "s3-access", "aperture", exports=[{"contract": "s3-permissions", "source_files": ["models/s3.py"]}]
    )
    b.binding("s3-access", "fungal", imports=[("s3-permissions", ">=1.0.0 <2.0.0", "1.0.0")])
    b.commit("sample realm")
    return b


def member_repo(path: Path, realm: str, repo: str, *, extra_config: str = "") -> Path:
    init_repo(path)
    (path / ".blue").mkdir(exist_ok=True)
    (path / ".blue" / "config.yaml").write_text(
        f"{extra_config}realm:\n  name: {realm}\n  repo: {repo}\n", encoding="utf-8"
    )
    return path


def register(blue_home: Path, name: str, path: Path) -> None:
    blue_home.mkdir(parents=True, exist_ok=True)
    index = blue_home / "index.yaml"
    data = yaml.safe_load(index.read_text()) if index.exists() else None
    data = data or {"realms": []}
    data["realms"] = [r for r in data["realms"] if r["name"] != name] + [{"name": name, "path": str(path)}]
    index.write_text(dump(data))


def realm_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "HOME": str(home),
        "BLUE_HOME": str(home / ".blue"),
        "BLUE_USER": "tester@example.com",
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        **GIT_ENV,
    }


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Apply an isolated environment for realm tests (own BLUE_HOME, no CI, git identity set)."""
    env = realm_env(tmp_path)
    for name in ("CI", "BLUE_NO_CACHE", "BLUE_DEBUG", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def run_blue(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("BLUE_", "GIT_")) and k != "CI"}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "blue_tui", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---- the benchmark realm --------------------------------------------------------------------------------


def generate_realm(root: Path, *, repos: int, domains: int, contracts: int, seed: int = 7) -> dict[str, int]:
    """A valid, acyclic realm: repo i only imports from repos with a lower index.

    Each domain has 2-3 members (provider = lowest index); contracts are spread over the domains
    (one per domain when equal). Returns counts of the files written.
    """
    import random

    rng = random.Random(seed)
    init_repo(root)
    names = [f"repo-{i:04d}" for i in range(repos)]
    files = 0

    def put(rel: str, text: str) -> None:
        nonlocal files
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files += 1

    put("realm.yaml", "name: bench\nversion: 1.0.0\ntrust:\n  mode: collaborative\n")
    put(".gitignore", ".blue/\n")
    for n in names:
        put(
            f"repos/{n}.yaml",
            f"name: {n}\nurl: git@example.com:org/{n}.git\nmaintainers: [dev@example.com]\n",
        )
    domain_members: list[tuple[str, list[str]]] = []
    for d in range(domains):
        provider = rng.randrange(0, repos - 1)
        consumers = sorted({rng.randrange(provider + 1, repos) for _ in range(rng.randint(1, 2))})
        members = [names[provider]] + [names[c] for c in consumers]
        dname = f"domain-{d:05d}"
        domain_members.append((dname, members))
        put(
            f"domains/{dname}/domain.yaml",
            f"name: {dname}\ndescription: generated\nmembers: [{', '.join(members)}]\n",
        )
    bindings: dict[tuple[str, str], dict[str, list[str]]] = {}
    for c in range(contracts):
        dname, members = domain_members[c % domains]
        cname = f"contract-{c:05d}"
        owner = members[0]
        put(
            f"domains/{dname}/contracts/{cname}.yaml",
            f"name: {cname}\nversion: 1.2.0\nowner: {owner}\ncompatibility:\n  backwards: true\n  forwards: true\n"
            "  policy: lenient\nschema:\n  type: object\n  required: [id]\n  properties:\n"
            "    id: {type: string}\n    count: {type: integer, minimum: 0}\n"
            "    tags: {type: array, items: {type: string}, default: []}\n"
            "evolution:\n  - version: 1.0.0\n    changes: [initial]\n  - version: 1.2.0\n"
            "    changes: [added tags]\n    compatible: true\n",
        )
        bindings.setdefault((dname, owner), {"exports": [], "imports": []})["exports"].append(cname)
        for consumer in members[1:]:
            bindings.setdefault((dname, consumer), {"exports": [], "imports": []})["imports"].append(cname)
    for (dname, repo), entry in bindings.items():
        lines = [f"repo: {repo}"]
        if entry["exports"]:
            lines.append("exports:")
            lines += [f"  - contract: {c}\n    source_files: [src/{c}.py]" for c in entry["exports"]]
        if entry["imports"]:
            lines.append("imports:")
            lines += [
                f'  - contract: {c}\n    version: ">=1.0.0 <2.0.0"\n    binding: src/{c}_client.py\n'
                "    status: current\n    resolved_version: 1.2.0"
                for c in entry["imports"]
            ]
        put(f"domains/{dname}/bindings/{repo}.yaml", "\n".join(lines) + "\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generated realm")
    return {
        "files": files,
        "repos": repos,
        "domains": domains,
        "contracts": contracts,
        "bindings": len(bindings),
    }


# ---- in-process CLI runs and a two-repo world, shared by the attack tests ---------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def rules(self) -> set[str]:
        return {p["rule"] for p in self.json()["problems"]}


def run_main(
    args: Sequence[str], *, cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    """``blue ARGS`` in-process (``blue_tui.cli.main``), from ``cwd``."""
    from blue_tui.cli import main

    monkeypatch.chdir(cwd)
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return Run(code, out.out, out.err)


@dataclass
class World:
    """The sample realm (registered in BLUE_HOME), and the aperture and fungal member repos."""

    realm: RealmBuilder
    aperture: Path
    fungal: Path
    tmp: Path


def make_world(tmp_path: Path, blue_home: Path) -> World:
    b = sample_realm(tmp_path / "realm")
    register(blue_home, "letemcook", b.root)
    aperture = member_repo(tmp_path / "aperture", "letemcook", "aperture")
    (aperture / "models").mkdir()
    (aperture / "models" / "s3.py").write_text("PATHS = []\n")
    fungal = member_repo(tmp_path / "fungal", "letemcook", "fungal")
    for repo in (aperture, fungal):
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "initial")
    return World(b, aperture, fungal, tmp_path)


def script(repo: Path, rel: str, body: str, *, track: bool = True) -> str:
    """An executable ``#!/bin/sh`` script at ``repo/rel`` (committed when ``track``); returns ``rel``."""
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    if track:
        git(repo, "add", "-f", "--", rel)
        git(repo, "commit", "-q", "-m", f"add {rel}")
    return rel
