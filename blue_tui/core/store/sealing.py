"""Items of one dialogue partition: addresses, sealing, unsealing, and the manifest root.

Every item's ciphertext is bound to its address (docs/ENVELOPE.md section 2): the AAD
names the table, the dialogue, the entity type, the subkey (which carries the
generation) and the data key's id. A generation's items are listed with their digests
on manifest pages, and the root names the pages' digests (section 5).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag

from blue_tui.core.crypto import envelope
from blue_tui.core.crypto.keys import DekHandle
from blue_tui.core.errors import IntegrityError, IntegrityProblem, SourceError
from blue_tui.core.store.entities import Entity
from blue_tui.core.store.reader import ROOT_SK, page_sk

PAGE_ENTRIES = 1500
#: DynamoDB's item limit is 400 KB; leave room for keys and attributes.
MAX_SEALED_BYTES = 390_000

Progress = Callable[[str, int, int], None]


def pk_for(dialogue_id: str) -> str:
    return f"dialogue#{dialogue_id}"


def sk_for(entity_type: str, generation: int, subkey: str) -> str:
    return f"{entity_type}#g{generation:06d}#{subkey}"


def split_sk(sk: str) -> tuple[str, str]:
    """SK -> (entity type, AAD subkey): everything after the first '#'."""
    entity_type, _, subkey = sk.partition("#")
    return entity_type, subkey


def content_digest(entities: Sequence[Entity], bodies: Sequence[bytes]) -> str:
    """What makes two imports "the same": SHA-256 over every entity's address and encoded body."""
    digest = ContentDigest()
    digest.update(entities, bodies)
    return digest.hexdigest()


class ContentDigest:
    """:func:`content_digest` fed a run of entities at a time, in order."""

    _pack = struct.Struct(">I").pack

    def __init__(self) -> None:
        self._hasher = hashlib.sha256(b"blue.content.v1")

    def update(self, entities: Sequence[Entity], bodies: Sequence[bytes]) -> None:
        update, pack = self._hasher.update, self._pack
        for entity, body in zip(entities, bodies, strict=True):
            update(envelope.length_prefixed(entity.entity_type, entity.subkey))
            update(pack(len(body)))  # lp(body) without copying the body
            update(body)

    def hexdigest(self) -> str:
        return self._hasher.hexdigest()


def root_digest(root: Mapping[str, Any]) -> str:
    """The digest of a manifest root item (what the audit log and the high-water mark record)."""
    return envelope.item_digest(
        bytes(root.get("content_nonce", {}).get("B", b"")),
        bytes(root.get("content_encrypted", {}).get("B", b"")),
    )


class Sealer:
    """Seals and unseals the items of one dialogue."""

    def __init__(self, table: str, dialogue_id: str) -> None:
        self.dialogue_id = dialogue_id
        self.aad = envelope.AadBuilder(table, dialogue_id)
        self.pk = pk_for(dialogue_id)

    def seal(
        self, dek: DekHandle, sk: str, payload: Any, clear: Mapping[str, str] | None = None, body: bytes = b""
    ) -> dict[str, Any]:
        """An encrypted item for ``payload`` (or for its already encoded ``body``)."""
        body = body or envelope.encode_body(payload)
        entity_type, subkey = split_sk(sk)
        nonce, sealed = dek.seal(body, self.aad(entity_type, subkey, dek.key_id))
        if len(sealed) > MAX_SEALED_BYTES:
            raise self._too_large(sk, len(sealed))
        item: dict[str, Any] = {
            "PK": {"S": self.pk},
            "SK": {"S": sk},
            "entity_type": {"S": entity_type},
            "key_id": {"S": dek.key_id},
            "content_encrypted": {"B": sealed},
            "content_nonce": {"B": nonce},
        }
        for name, value in (clear or {}).items():
            item[name] = {"S": value}
        return item

    def _too_large(self, sk: str, size: int) -> SourceError:
        return SourceError(
            self.dialogue_id,
            f"item {sk} is {size} bytes after compression, over DynamoDB's 400 KB item limit",
        )

    def unseal(self, dek: DekHandle, item: Mapping[str, Any]) -> Any:
        """The payload; raises InvalidTag, ValueError, KeyError or zlib.error when it does not authenticate."""
        entity_type, subkey = split_sk(item["SK"]["S"])
        return envelope.decode_body(
            dek.open(
                bytes(item["content_nonce"]["B"]),
                bytes(item["content_encrypted"]["B"]),
                self.aad(entity_type, subkey, item["key_id"]["S"]),
            )
        )

    def seal_entities(
        self, dek: DekHandle, generation: int, entities: Sequence[Entity], bodies: Sequence[bytes]
    ) -> tuple[list[dict[str, Any]], list[list[str]]]:
        """Entities of a generation sealed (``bodies`` come encoded), and their manifest entries
        ``[SK, digest]``.

        :meth:`seal` for many items, with what they share built once: after parsing, this
        loop is most of an import's own CPU time.
        """
        gen = f"g{generation:06d}"
        key_id = dek.key_id
        aad, seal, sha256 = self.aad, dek.seal, hashlib.sha256
        # Attribute values every item shares (botocore only reads them).
        pk, key = {"S": self.pk}, {"S": key_id}
        types: dict[str, dict[str, str]] = {}
        sealed: list[dict[str, Any]] = []
        entries: list[list[str]] = []
        for entity, body in zip(entities, bodies, strict=True):
            entity_type = entity.entity_type
            subkey = f"{gen}#{entity.subkey}"
            nonce, ciphertext = seal(body, aad(entity_type, subkey, key_id))
            sk = f"{entity_type}#{subkey}"
            if len(ciphertext) > MAX_SEALED_BYTES:
                raise self._too_large(sk, len(ciphertext))
            type_value = types.get(entity_type)
            if type_value is None:
                type_value = types[entity_type] = {"S": entity_type}
            item: dict[str, Any] = {
                "PK": pk,
                "SK": {"S": sk},
                "entity_type": type_value,
                "key_id": key,
                "content_encrypted": {"B": ciphertext},
                "content_nonce": {"B": nonce},
            }
            for name, value in entity.cleartext().items():
                item[name] = {"S": value}
            entries.append([sk, sha256(nonce + ciphertext).hexdigest()])
            sealed.append(item)
        return sealed, entries

    def seal_page(
        self, dek: DekHandle, generation: int, page: int, entries: Sequence[list[str]]
    ) -> dict[str, Any]:
        """Manifest page ``page`` of a generation: its entries ``[SK, digest]``, in entity order."""
        return self.seal(
            dek, page_sk(generation, page), {"gen": generation, "page": page, "entries": entries}
        )

    def open_root(self, dek: DekHandle, root: Mapping[str, Any]) -> dict[str, Any]:
        """Decrypt a root; raises IntegrityError naming it when it does not authenticate."""
        try:
            payload = self.unseal(dek, root)
        except (InvalidTag, ValueError, KeyError, zlib.error):
            raise IntegrityError(
                [
                    IntegrityProblem(
                        self.dialogue_id, ROOT_SK, "tampered", "the manifest does not authenticate"
                    )
                ]
            ) from None
        if not isinstance(payload, dict) or payload.get("gen") != int(root["gen"]["N"]):
            raise IntegrityError(
                [
                    IntegrityProblem(
                        self.dialogue_id, ROOT_SK, "tampered", "the manifest's generation was altered"
                    )
                ]
            )
        return payload


def page_count(entities: int) -> int:
    return (entities + PAGE_ENTRIES - 1) // PAGE_ENTRIES
