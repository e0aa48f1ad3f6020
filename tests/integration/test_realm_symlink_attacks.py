"""Issue 10, item 10: symlinks committed to a realm repo (``repos``, ``domains`` pointing outside)
made the loader read outside files and ``join`` write outside the repo. Every path component from
the realm root down must not be a symlink, for reading and for writing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from realm_builders import Run, World, git, init_repo, isolate, make_world, run_main

from blue_tui.core.realm.loader import load_realm

pytestmark = pytest.mark.integration

Blue = Callable[..., Run]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    env = isolate(tmp_path, monkeypatch)
    return make_world(tmp_path, Path(env["BLUE_HOME"]))


@pytest.fixture
def blue(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Blue:
    def run(cwd: Path, *args: str) -> Run:
        return run_main(list(args), cwd=cwd, capsys=capsys, monkeypatch=monkeypatch)

    return run


def outside(world: World, name: str, files: dict[str, str] | None = None) -> Path:
    folder = world.tmp / name
    folder.mkdir()
    for rel, text in (files or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def link(world: World, rel: str, target: Path) -> None:
    """Replace ``rel`` in the realm by a symlink to ``target`` and commit it (as a hostile member would)."""
    path = world.realm.root / rel
    if path.is_dir():
        git(world.realm.root, "rm", "-r", "-q", "--", rel)
    elif path.exists():
        path.unlink()
    os.symlink(target, path)
    world.realm.commit(f"{rel} -> outside")


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every entry with its inode, mtime and bytes: a write rolled back afterwards still shows."""
    out = {}
    for p in sorted([folder, *folder.rglob("*")]):
        st = p.stat()
        out[str(p.relative_to(folder))] = (st.st_ino, st.st_mtime_ns, p.read_bytes() if p.is_file() else b"")
    return out


def test_the_loader_does_not_read_through_a_symlinked_repos_folder(world: World) -> None:
    secret = outside(world, "elsewhere", {"evil.yaml": "name: evil\nurl: git@secret-host:x.git\n"})
    link(world, "repos", secret)
    realm = load_realm(world.realm.root)
    assert "evil" not in realm.repos and "secret-host" not in str(realm.as_json())
    assert ("symlink", "repos") in {(p.rule, p.file) for p in realm.problems}


def test_the_loader_does_not_read_through_a_symlinked_domains_folder(world: World) -> None:
    secret = outside(
        world,
        "elsewhere",
        {"leak/domain.yaml": "name: leak\nmembers: [aperture]\ndescription: from-outside\n"},
    )
    link(world, "domains", secret)
    realm = load_realm(world.realm.root)
    assert "leak" not in realm.domains and "from-outside" not in str(realm.as_json())
    assert ("symlink", "domains") in {(p.rule, p.file) for p in realm.problems}


def test_a_symlinked_realm_yaml_is_not_read(world: World) -> None:
    secret = outside(world, "elsewhere", {"realm.yaml": "name: letemcook\ndescription: outside-secret\n"})
    link(world, "realm.yaml", secret / "realm.yaml")
    realm = load_realm(world.realm.root)
    assert "outside-secret" not in str(realm.as_json())
    assert ("symlink", "realm.yaml") in {(p.rule, p.file) for p in realm.problems}


def test_join_does_not_write_through_a_symlinked_repos_folder(world: World, blue: Blue) -> None:
    target = outside(world, "elsewhere", {"keep.txt": "untouched\n"})
    link(world, "repos", target)
    before = snapshot(target)
    newcomer = init_repo(world.tmp / "newcomer")
    r = blue(newcomer, "realm", "admin", "join", str(world.realm.root))
    assert snapshot(target) == before, "join wrote outside the realm"
    assert r.code == 1 and "symlink" in r.err and "repos" in r.err
    assert "Traceback" not in r.err
    assert not (newcomer / ".blue" / "config.yaml").exists()


def test_admin_does_not_write_through_a_symlinked_folder_deeper_down(world: World, blue: Blue) -> None:
    target = outside(world, "elsewhere")
    link(world, "domains/s3-access/contracts", target)
    before = snapshot(target)
    r = blue(world.aperture, "realm", "admin", "contract", "orders", "--domain", "s3-access")
    assert snapshot(target) == before, "the contract was written outside the realm"
    assert r.code == 1 and "symlink" in r.err and "domains/s3-access/contracts" in r.err


def test_a_symlinked_cache_folder_in_the_realm_is_not_written_through(world: World, blue: Blue) -> None:
    # Run from outside any member repo, `realm check` keeps its cache in the realm's own .blue/.
    target = outside(world, "elsewhere")
    (world.realm.root / ".gitignore").write_text("")
    link(world, ".blue", target)
    before = snapshot(target)
    r = blue(world.tmp, "realm", "check", "--realm", str(world.realm.root), "--json")
    assert snapshot(target) == before, "the cache was written outside the realm"
    assert r.code in (0, 2), r.out
