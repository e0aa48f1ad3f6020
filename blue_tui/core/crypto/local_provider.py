"""LocalFileKeyProvider: the UMK is 32 random bytes in ``$BLUE_HOME/keys/umk.key``.

The file is created 0600 inside a 0700 folder on first use; a file or folder that
other users can read, a file owned by someone else, or a file of the wrong length is
refused with a message saying how to fix it. Local keys are never rotated (seed 001):
when the key changes, the local store is reset, never silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.keys import DekContext, DekHandle, KekHandle, UmkHandle, WrappedDek
from blue_tui.core.durable import fsync_folder
from blue_tui.core.errors import IntegrityError, IntegrityProblem, KeyChanged, KeyFileError, WrongPrincipal

UMK_BYTES = 32
WRAP_VERSION = 1
WRAP_MAGIC = b"BLUE-DEK"
KEK_INFO_LABEL = b"blue.kek"


def fingerprint(material: bytes) -> str:
    """A public, non-reversible name for a UMK (first 16 hex of a labelled SHA-256)."""
    return hashlib.sha256(b"blue.umk.fingerprint" + material).hexdigest()[:16]


def hkdf_sha256(ikm: bytes, *, info: bytes, salt: bytes | None = None, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def derive_kek_bytes(umk: bytes, user: str, version: int) -> bytes:
    """KEK = HKDF-SHA256(UMK, salt=none, info="blue.kek" || lp(user) || lp(version))."""
    return hkdf_sha256(umk, info=KEK_INFO_LABEL + envelope.length_prefixed(user, str(version)))


def wrap_aad(kek_id: str, context: DekContext) -> bytes:
    return (
        WRAP_MAGIC
        + bytes([WRAP_VERSION])
        + envelope.length_prefixed(kek_id, context.user, context.dialogue_id, str(context.key_version))
    )


def dek_key_id(context: DekContext) -> str:
    return f"dek#{context.dialogue_id}#v{context.key_version}"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class LocalFileKeyProvider:
    name = "local"

    def __init__(self, umk_path: Path) -> None:
        self.umk_path = umk_path

    # ---- the key file -------------------------------------------------------------------------

    def _check_folder(self, create: bool) -> None:
        folder = self.umk_path.parent
        if not folder.exists():
            if not create:
                return
            folder.mkdir(parents=True, mode=0o700, exist_ok=True)
            folder.chmod(0o700)
        info = folder.stat()
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise KeyFileError(
                f"key folder {folder} belongs to another user (uid {info.st_uid})",
                hint=f"use your own BLUE_HOME, or `chown -R $USER {folder}`",
            )
        if _mode(folder) & 0o077:
            raise KeyFileError(
                f"key folder {folder} is open to other users (mode {_mode(folder):04o})",
                hint=f"run `chmod 700 {folder}`",
            )

    def _check_file(self) -> None:
        path = self.umk_path
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"{path} is not a regular file", hint="move it away and run `blue keys init`")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise KeyFileError(
                f"{path} belongs to another user (uid {info.st_uid})", hint=f"`chown $USER {path}`"
            )
        if _mode(path) & 0o077:
            raise KeyFileError(
                f"{path} is readable by other users (mode {_mode(path):04o}); the key must be private",
                hint=f"run `chmod 600 {path}`",
            )
        if info.st_size != UMK_BYTES:
            raise KeyFileError(
                f"{path} holds {info.st_size} bytes, a key is exactly {UMK_BYTES}",
                hint="restore the original key file, or run `blue keys reset` to start over "
                "(it wipes the local dialogue store)",
            )

    def exists(self) -> bool:
        return self.umk_path.exists()

    def create(self, *, replace: bool = False) -> str:
        """Write a fresh UMK (atomically, 0600). Returns its fingerprint."""
        self._check_folder(create=True)
        material = os.urandom(UMK_BYTES)
        fd, tmp = tempfile.mkstemp(dir=self.umk_path.parent, prefix=".umk-")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, material)
            os.fsync(fd)
            os.close(fd)
            if replace:
                os.replace(tmp, self.umk_path)
            else:
                # link() refuses to overwrite: two first-time processes cannot both win.
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, self.umk_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        # The new name lives in the folder: until the folder is fsynced, a crash could lose
        # a key that has already encrypted data.
        fsync_folder(self.umk_path.parent)
        return fingerprint(self._read())

    def _read(self) -> bytes:
        self._check_file()
        data = self.umk_path.read_bytes()
        if len(data) != UMK_BYTES:
            raise KeyFileError(f"{self.umk_path} changed while being read")
        return data

    # ---- KeyProvider ----------------------------------------------------------------------------

    def get_umk(self) -> UmkHandle:
        self._check_folder(create=True)
        if not self.umk_path.exists():
            self.create()
        material = self._read()
        return UmkHandle(f"local:{fingerprint(material)}", material)

    def derive_kek(self, umk: UmkHandle, user: str, version: int = 1) -> KekHandle:
        material = umk._material
        if material is None:
            raise ValueError("not a local UMK handle")
        return KekHandle(
            f"{umk.key_id}/kek:{user}:v{version}",
            user=user,
            version=version,
            material=derive_kek_bytes(material, user, version),
        )

    def generate_dek(self, kek: KekHandle, context: DekContext) -> tuple[DekHandle, WrappedDek]:
        material = os.urandom(32)
        nonce, sealed = envelope.seal(AESGCM(self._kek_bytes(kek)), material, wrap_aad(kek.key_id, context))
        blob = bytes([WRAP_VERSION]) + nonce + sealed
        return DekHandle(dek_key_id(context), material), WrappedDek(self.name, kek.key_id, blob)

    def decrypt_dek(self, kek: KekHandle, wrapped: WrappedDek, context: DekContext) -> DekHandle:
        stored_umk = wrapped.kek_id.split("/", 1)[0]
        current_umk = kek.key_id.split("/", 1)[0]
        if wrapped.provider != self.name:
            raise KeyChanged(context.dialogue_id, f"{wrapped.provider}:{wrapped.kek_id}", current_umk)
        if stored_umk != current_umk:
            raise KeyChanged(context.dialogue_id, stored_umk, current_umk)
        if context.user != kek.user:
            raise WrongPrincipal(context.dialogue_id, context.user, kek.user)
        blob = wrapped.blob
        problem = IntegrityProblem(
            context.dialogue_id,
            f"dek#v{context.key_version}",
            "tampered",
            "the wrapped data key does not authenticate",
        )
        if len(blob) != 1 + envelope.NONCE_BYTES + 32 + envelope.TAG_BYTES or blob[0] != WRAP_VERSION:
            raise IntegrityError([problem])
        nonce, sealed = blob[1 : 1 + envelope.NONCE_BYTES], blob[1 + envelope.NONCE_BYTES :]
        try:
            material = envelope.open_sealed(
                AESGCM(self._kek_bytes(kek)), nonce, sealed, wrap_aad(wrapped.kek_id, context)
            )
        except InvalidTag:
            raise IntegrityError([problem]) from None
        return DekHandle(dek_key_id(context), material)

    @staticmethod
    def _kek_bytes(kek: KekHandle) -> bytes:
        if kek._material is None:
            raise ValueError("not a local KEK handle")
        return kek._material

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "provider": self.name,
            "umk_path": str(self.umk_path),
            "exists": self.umk_path.exists(),
            "mode": None,
            "key_id": None,
            "ok": False,
            "problem": None,
        }
        if not info["exists"]:
            info["problem"] = "no key yet; `blue keys init` creates one (any write also does)"
            return info
        info["mode"] = f"{_mode(self.umk_path):04o}"
        try:
            self._check_folder(create=False)
            info["key_id"] = f"local:{fingerprint(self._read())}"
            info["ok"] = True
        except KeyFileError as exc:
            info["problem"] = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        return info
