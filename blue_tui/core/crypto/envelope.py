"""The item envelope: AES-256-GCM over a canonical JSON payload, bound to its address.

docs/ENVELOPE.md specifies every byte; tests/fixtures/envelope_vectors.json (made by
scripts/generate_envelope_vectors.py) pins it. In short:

    AAD     = "BLUE" || u8 version || lp(table) || lp(dialogue_id) || lp(entity_type)
              || lp(subkey) || lp(key_id)          where lp(s) = u32be(len(utf8 s)) || utf8 s
    nonce   = 12 random bytes from the OS CSPRNG (stored as content_nonce)
    body    = flags || json(payload)   (flags: 0x01 deflated, 0x02 decode exactly)
    sealed  = AES-256-GCM(DEK, nonce, body, AAD) = ciphertext || 16-byte tag
    digest  = SHA-256(nonce || ciphertext||tag)   (what the dialogue manifest records)
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
AAD_MAGIC = b"BLUE"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
#: Flag bits of an item body's first byte (docs/ENVELOPE.md section 2).
BODY_PLAIN, BODY_DEFLATE, BODY_EXACT = 0, 1, 2
#: Bodies above this size are deflated inside the ciphertext (when that makes them smaller).
COMPRESS_ABOVE = 4096


def length_prefixed(*fields: str | bytes) -> bytes:
    """u32 big-endian length before every field: no two field lists encode alike."""
    out = bytearray()
    for field in fields:
        raw = field.encode("utf-8") if isinstance(field, str) else field
        out += struct.pack(">I", len(raw))
        out += raw
    return bytes(out)


def build_aad(
    *,
    table: str,
    dialogue_id: str,
    entity_type: str,
    subkey: str,
    key_id: str,
    version: int = FORMAT_VERSION,
) -> bytes:
    if version != FORMAT_VERSION:
        raise ValueError(f"unsupported envelope format version {version}")
    return AAD_MAGIC + bytes([version]) + length_prefixed(table, dialogue_id, entity_type, subkey, key_id)


class AadBuilder:
    """build_aad() for many items of one dialogue: the fixed part and repeated fields encoded once."""

    __slots__ = ("_cache", "_head")

    def __init__(self, table: str, dialogue_id: str, version: int = FORMAT_VERSION) -> None:
        if version != FORMAT_VERSION:
            raise ValueError(f"unsupported envelope format version {version}")
        self._head = AAD_MAGIC + bytes([version]) + length_prefixed(table, dialogue_id)
        self._cache: dict[str, bytes] = {}

    def _lp(self, text: str) -> bytes:
        encoded = self._cache.get(text)
        if encoded is None:
            encoded = self._cache[text] = length_prefixed(text)
        return encoded

    def __call__(self, entity_type: str, subkey: str, key_id: str) -> bytes:
        raw = subkey.encode("utf-8")
        return self._head + self._lp(entity_type) + struct.pack(">I", len(raw)) + raw + self._lp(key_id)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: one encoding per value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def payload_json(payload: Any) -> tuple[bytes, bool]:
    """The payload as compact JSON (keys in their order), and whether it needs the exact decoder.

    orjson writes it, except what orjson cannot say faithfully (NaN and infinities, which
    it turns into null; integers beyond 64 bits and non-string keys, which it refuses):
    the json module writes those, and the body is flagged so that readers decode it with
    json too (orjson would read big integers back as floats).
    """
    try:
        encoded = orjson.dumps(payload)
    except TypeError:
        return _exact_json(payload), True
    if b"null" in encoded:
        try:
            json.dumps(payload, allow_nan=False)
        except ValueError:
            return _exact_json(payload), True
    return encoded, False


def _exact_json(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def encode_body(payload: Any) -> bytes:
    """The plaintext of an item: a flag byte, then the payload's JSON (deflated when large)."""
    plain, exact = payload_json(payload)
    flag = BODY_EXACT if exact else BODY_PLAIN
    if len(plain) > COMPRESS_ABOVE:
        packed = zlib.compress(plain, 6)
        if len(packed) < len(plain):
            return bytes([flag | BODY_DEFLATE]) + packed
    return bytes([flag]) + plain


def decode_body(body: bytes) -> Any:
    """Inverse of :func:`encode_body`. Raises ValueError (or zlib.error) on a malformed body."""
    if not body or body[0] > BODY_EXACT | BODY_DEFLATE:
        raise ValueError("not an item body")
    flag = body[0]
    plain = zlib.decompress(body[1:]) if flag & BODY_DEFLATE else body[1:]
    return json.loads(plain) if flag & BODY_EXACT else orjson.loads(plain)


def item_digest(nonce: bytes, ciphertext: bytes) -> str:
    return hashlib.sha256(nonce + ciphertext).hexdigest()


class NonceSource:
    """Random 96-bit nonces drawn from the OS CSPRNG 4 KiB at a time.

    One getrandom() per 341 nonces instead of one per item: each system call releases
    the GIL, and with writer threads busy, getting it back costs far more than the call.
    Not thread-safe by itself; DekHandle calls it under its lock.
    """

    __slots__ = ("_buffer", "_offset")

    BATCH = 341 * NONCE_BYTES

    def __init__(self) -> None:
        self._buffer = b""
        self._offset = 0

    def take(self) -> bytes:
        if self._offset + NONCE_BYTES > len(self._buffer):
            self._buffer = os.urandom(self.BATCH)
            self._offset = 0
        start = self._offset
        self._offset = start + NONCE_BYTES
        return self._buffer[start : self._offset]


def seal(aead: AESGCM, plaintext: bytes, aad: bytes, nonce: bytes | None = None) -> tuple[bytes, bytes]:
    """Encrypt; returns (nonce, ciphertext||tag). A nonce is passed only by the vector script."""
    nonce = os.urandom(NONCE_BYTES) if nonce is None else nonce
    if len(nonce) != NONCE_BYTES:
        raise ValueError("nonce must be 12 bytes")
    return nonce, aead.encrypt(nonce, plaintext, aad)


def open_sealed(aead: AESGCM, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """Decrypt; raises cryptography.exceptions.InvalidTag on any mismatch."""
    return aead.decrypt(nonce, ciphertext, aad)
