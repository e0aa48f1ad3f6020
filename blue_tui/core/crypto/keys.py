"""The key hierarchy's one interface: UMK -> KEK -> DEK, behind :class:`KeyProvider`.

Handles are opaque: their repr shows a key id and never bytes, they refuse to be
pickled or copied, and the only way to use a DEK is through its encrypt/decrypt
methods. Providers (local file, AWS KMS) live in their own modules.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from blue_tui.core.crypto import envelope
from blue_tui.core.errors import DekExhausted

#: NIST SP 800-38D section 8.3: at most 2^32 invocations per key with random 96-bit nonces.
MAX_MESSAGES_PER_DEK = 2**32


class _Opaque:
    """Base for key handles: no pickling, no copying, a repr without secrets."""

    __slots__ = ("key_id",)
    key_id: str

    def __repr__(self) -> str:
        return f"<{type(self).__name__} key_id={self.key_id}>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be serialized")

    def __copy__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be copied")

    def __deepcopy__(self, memo: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be copied")


class UmkHandle(_Opaque):
    """The user master key: bytes for the local provider, a KMS key reference otherwise."""

    __slots__ = ("_material",)

    def __init__(self, key_id: str, material: bytes | None = None) -> None:
        self.key_id = key_id
        self._material = material


class KekHandle(_Opaque):
    """A key-encryption key bound to one user and key version."""

    __slots__ = ("_material", "context", "user", "version")

    def __init__(self, key_id: str, *, user: str, version: int, material: bytes | None = None) -> None:
        self.key_id = key_id
        self.user = user
        self.version = version
        self._material = material
        self.context: dict[str, str] = {"blue:user": user, "blue:kek-version": str(version)}


class DekHandle(_Opaque):
    """A dialogue's data key. Encryption needs budget reserved first (see :meth:`reserve`)."""

    __slots__ = ("_aead", "_lock", "_nonces", "_reserved", "encrypted")

    def __init__(self, key_id: str, material: bytes) -> None:
        if len(material) != envelope.KEY_BYTES:
            raise ValueError("a DEK is 32 bytes")
        self.key_id = key_id
        self._aead = AESGCM(material)
        self._reserved = 0
        self.encrypted = 0
        self._lock = threading.Lock()
        self._nonces = envelope.NonceSource()

    def reserve(self, messages: int) -> None:
        """Allow ``messages`` more encryptions (after the store has counted them durably)."""
        with self._lock:
            self._reserved += messages

    def seal(self, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
        with self._lock:
            if self._reserved <= 0:
                raise DekExhausted(
                    f"no encryption budget reserved under {self.key_id}; "
                    f"a DEK encrypts at most {MAX_MESSAGES_PER_DEK} messages"
                )
            self._reserved -= 1
            self.encrypted += 1
            nonce = self._nonces.take()
        return envelope.seal(self._aead, plaintext, aad, nonce=nonce)

    def open(self, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        return envelope.open_sealed(self._aead, nonce, ciphertext, aad)


@dataclass(frozen=True)
class DekContext:
    """What a wrapped DEK is bound to (KMS EncryptionContext, local wrap AAD)."""

    user: str
    dialogue_id: str
    key_version: int

    def encryption_context(self) -> dict[str, str]:
        return {
            "blue:user": self.user,
            "blue:dialogue": self.dialogue_id,
            "blue:key-version": str(self.key_version),
        }


@dataclass(frozen=True)
class WrappedDek:
    """A DEK as stored: the provider's blob plus the id of the key that wrapped it."""

    provider: str
    kek_id: str
    blob: bytes

    def __repr__(self) -> str:
        return (
            f"WrappedDek(provider={self.provider!r}, kek_id={self.kek_id!r}, blob=<{len(self.blob)} bytes>)"
        )


class KeyProvider(Protocol):
    """Seed 000's four operations. Implementations are thread-safe."""

    name: str

    def get_umk(self) -> UmkHandle: ...

    def derive_kek(self, umk: UmkHandle, user: str, version: int = 1) -> KekHandle: ...

    def generate_dek(self, kek: KekHandle, context: DekContext) -> tuple[DekHandle, WrappedDek]: ...

    def decrypt_dek(self, kek: KekHandle, wrapped: WrappedDek, context: DekContext) -> DekHandle: ...

    def describe(self) -> dict[str, Any]:
        """Status for `blue keys status` (no secrets)."""
        ...
