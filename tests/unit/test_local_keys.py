"""LocalFileKeyProvider: the key file's safety rules, key ids, wrap/unwrap and its refusals."""

from __future__ import annotations

import copy
import multiprocessing
import os
import pickle
from pathlib import Path

import pytest

from blue_tui.core.crypto.keys import DekContext, WrappedDek
from blue_tui.core.crypto.local_provider import LocalFileKeyProvider
from blue_tui.core.errors import IntegrityError, KeyChanged, KeyFileError, WrongPrincipal


def provider(tmp_path: Path) -> LocalFileKeyProvider:
    return LocalFileKeyProvider(tmp_path / "blue" / "keys" / "umk.key")


def test_first_use_creates_a_private_key_in_a_private_folder(tmp_path: Path) -> None:
    p = provider(tmp_path)
    umk = p.get_umk()
    assert (p.umk_path.stat().st_mode & 0o777) == 0o600
    assert (p.umk_path.parent.stat().st_mode & 0o777) == 0o700
    assert p.umk_path.stat().st_size == 32
    assert umk.key_id.startswith("local:") and len(umk.key_id) == len("local:") + 16
    assert p.get_umk().key_id == umk.key_id  # stable across loads


def test_loose_file_permissions_are_refused_with_the_fix(tmp_path: Path) -> None:
    p = provider(tmp_path)
    p.get_umk()
    p.umk_path.chmod(0o644)
    with pytest.raises(KeyFileError) as err:
        p.get_umk()
    assert str(p.umk_path) in err.value.message and "0644" in err.value.message
    assert err.value.hint == f"run `chmod 600 {p.umk_path}`"


def test_loose_folder_permissions_are_refused(tmp_path: Path) -> None:
    p = provider(tmp_path)
    p.get_umk()
    p.umk_path.parent.chmod(0o755)
    with pytest.raises(KeyFileError, match="open to other users") as err:
        p.get_umk()
    assert err.value.hint == f"run `chmod 700 {p.umk_path.parent}`"


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_wrong_length_is_refused(tmp_path: Path, size: int) -> None:
    p = provider(tmp_path)
    p.get_umk()
    p.umk_path.write_bytes(b"x" * size)
    with pytest.raises(KeyFileError, match=f"holds {size} bytes") as err:
        p.get_umk()
    assert "blue keys reset" in (err.value.hint or "")


def _load_key_id(path: str, queue: multiprocessing.Queue[str]) -> None:
    queue.put(LocalFileKeyProvider(Path(path)).get_umk().key_id)


def test_two_processes_creating_the_key_at_once_agree(tmp_path: Path) -> None:
    path = tmp_path / "blue" / "keys" / "umk.key"
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = ctx.Queue()
    procs = [ctx.Process(target=_load_key_id, args=(str(path), queue)) for _ in range(4)]
    for proc in procs:
        proc.start()
    ids = {queue.get(timeout=60) for _ in procs}
    for proc in procs:
        proc.join(30)
    assert len(ids) == 1


def test_wrap_unwrap_and_refusals(tmp_path: Path) -> None:
    p = provider(tmp_path)
    kek = p.derive_kek(p.get_umk(), "alice@example.com")
    context = DekContext("alice@example.com", "d1", 1)
    dek, wrapped = p.generate_dek(kek, context)
    dek.reserve(1)
    nonce, sealed = dek.seal(b"hello", b"aad")
    again = p.decrypt_dek(kek, wrapped, context)
    assert again.open(nonce, sealed, b"aad") == b"hello"

    # Bound to the dialogue and key version: a wrapped key moved elsewhere does not open.
    with pytest.raises(IntegrityError) as err:
        p.decrypt_dek(kek, wrapped, DekContext("alice@example.com", "d2", 1))
    assert err.value.problems[0].sk == "dek#v1" and err.value.problems[0].dialogue_id == "d2"
    with pytest.raises(IntegrityError):
        p.decrypt_dek(kek, wrapped, DekContext("alice@example.com", "d1", 2))

    flipped = bytearray(wrapped.blob)
    flipped[-1] ^= 1
    with pytest.raises(IntegrityError, match="does not authenticate"):
        p.decrypt_dek(kek, WrappedDek("local", wrapped.kek_id, bytes(flipped)), context)

    bob = p.derive_kek(p.get_umk(), "bob@example.com")
    with pytest.raises(WrongPrincipal, match=r"alice@example\.com"):
        p.decrypt_dek(bob, wrapped, context)

    # A new UMK (lost or replaced key file): say so, name the dialogue and both key ids.
    old_id = p.get_umk().key_id
    p.create(replace=True)
    new_kek = p.derive_kek(p.get_umk(), "alice@example.com")
    with pytest.raises(KeyChanged) as changed:
        p.decrypt_dek(new_kek, wrapped, context)
    assert "d1" in changed.value.message and old_id in changed.value.message
    assert "blue keys reset" in (changed.value.hint or "")


def test_handles_never_show_key_bytes(tmp_path: Path) -> None:
    p = provider(tmp_path)
    umk = p.get_umk()
    kek = p.derive_kek(umk, "alice@example.com")
    dek, wrapped = p.generate_dek(kek, DekContext("alice@example.com", "d1", 1))
    material = p.umk_path.read_bytes()
    for handle in (umk, kek, dek):
        text = repr(handle) + str(handle)
        assert text.startswith("<") and "key_id=" in text
        assert material.hex() not in text and material.hex()[:8] not in text
        with pytest.raises(TypeError):
            pickle.dumps(handle)
        with pytest.raises(TypeError):
            copy.deepcopy(handle)
    assert wrapped.blob.hex() not in repr(wrapped)


def test_describe_reports_problems_without_raising(tmp_path: Path) -> None:
    p = provider(tmp_path)
    assert p.describe()["exists"] is False
    p.get_umk()
    info = p.describe()
    assert info["ok"] is True and info["mode"] == "0600"
    os.chmod(p.umk_path, 0o640)
    info = p.describe()
    assert info["ok"] is False and "chmod 600" in info["problem"]
