"""safefs: realm files read and written without following a symlink below the realm root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from blue_tui.core.realm.safefs import RealmFiles, SymlinkInRealm, refuse_symlinks


@pytest.fixture
def root(tmp_path: Path) -> Path:
    realm = tmp_path / "realm"
    (realm / "domains" / "d" / "contracts").mkdir(parents=True)
    (realm / "domains" / "d" / "contracts" / "c.yaml").write_text("name: c\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("secret\n")
    return realm


def test_reads_and_lists_plain_files(root: Path) -> None:
    with RealmFiles(root) as files:
        assert files.read_text("domains/d/contracts/c.yaml") == "name: c\n"
        assert files.entries("domains/d") == [("contracts", "dir")]
        assert files.kind("domains/d/contracts/c.yaml") == "file"
        assert files.kind("domains/nope/x.yaml") is None
        assert files.kind("domains/d/contracts/c.yaml/below") is None


@pytest.mark.parametrize(
    "link", ["domains", "domains/d", "domains/d/contracts", "domains/d/contracts/c.yaml"]
)
def test_a_symlink_at_any_depth_is_refused_for_reading(root: Path, link: str) -> None:
    target = root.parent / "outside"
    path = root / link
    if path.is_dir():
        os.rename(path, root.parent / f"moved-{link.replace('/', '-')}")
    else:
        path.unlink()
    os.symlink(target / "secret.yaml" if link.endswith(".yaml") else target, path)
    with RealmFiles(root) as files, pytest.raises(SymlinkInRealm) as err:
        files.read_bytes("domains/d/contracts/c.yaml" if link.endswith(".yaml") else f"{link}/secret.yaml")
    assert err.value.rel == link and "symlink" in str(err.value)
    with pytest.raises(SymlinkInRealm):
        refuse_symlinks(root, f"{link}/x.yaml" if not link.endswith(".yaml") else link)


def test_writes_create_folders_keep_the_mode_and_never_follow_a_link(root: Path) -> None:
    with RealmFiles(root) as files:
        files.write_atomic("repos/api.yaml", "name: api\n")
        assert (root / "repos" / "api.yaml").read_text() == "name: api\n"
        os.chmod(root / "repos" / "api.yaml", 0o600)
        files.write_atomic("repos/api.yaml", "name: api\nurl: x\n")
        assert (root / "repos" / "api.yaml").stat().st_mode & 0o777 == 0o600
        os.symlink(root.parent / "outside" / "secret.yaml", root / "repos" / "web.yaml")
        with pytest.raises(SymlinkInRealm):
            files.write_atomic("repos/web.yaml", "name: web\n")
        with pytest.raises(SymlinkInRealm):
            files.unlink("repos/web.yaml")
    assert (root.parent / "outside" / "secret.yaml").read_text() == "secret\n"
    assert sorted(p.name for p in (root / "repos").iterdir()) == ["api.yaml", "web.yaml"]


def test_paths_must_be_plain_and_relative(root: Path) -> None:
    with RealmFiles(root) as files:
        for bad in ("../outside/secret.yaml", "domains/./d", "domains//d", "/etc/passwd"):
            with pytest.raises(ValueError):
                files.read_bytes(bad)


def test_only_a_few_folder_descriptors_stay_open(root: Path) -> None:
    for i in range(100):
        (root / "repos" / f"r{i}").mkdir(parents=True)
        (root / "repos" / f"r{i}" / "f.yaml").write_text(str(i))
    before = len(os.listdir("/proc/self/fd"))
    with RealmFiles(root, keep=8) as files:
        assert [files.read_text(f"repos/r{i}/f.yaml") for i in range(100)] == [str(i) for i in range(100)]
        assert len(os.listdir("/proc/self/fd")) - before <= 10
    assert len(os.listdir("/proc/self/fd")) == before
