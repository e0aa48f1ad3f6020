"""RFC 0051's entity model, mapped onto one DynamoDB partition per dialogue.

A dialogue travels as a ``dialogue.json`` document (RFC 0051's export shape). Writing
splits it into entities: the dialogue itself (``meta``), experts, rounds, perspectives,
tensions, recommendations, evidence, claims, verdicts, moves, refs and events (the
``events`` lists nested in inventory items, and their link lists such as ``supports``
or ``depends_on``, become event and ref items of their own). Reading assembles the
entities back into the same document: every key, value and order survives, so
import followed by export round-trips equal.

Keys: ``SK = {entity_type}#g{generation:06d}#{subkey}``. The generation is the
dialogue's version counter; a new version is written beside the old one and becomes
visible when the manifest names it (see dialogue_store).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

#: Top-level arrays of dialogue.json and the entity type of their members.
ARRAY_ENTITIES: dict[str, str] = {
    "experts": "expert",
    "rounds_data": "round",
    "perspectives": "perspective",
    "tensions": "tension",
    "recommendations": "recommendation",
    "evidence": "evidence",
    "claims": "claim",
    "verdicts": "verdict",
    "moves": "move",
    "refs": "ref",
    "events": "event",
}
INVENTORY_TYPES = frozenset({"perspective", "tension", "recommendation", "evidence", "claim"})
#: Link lists on inventory items, stored as ref items, and the RFC 0051 ref type each means.
LINK_FIELDS: dict[str, str] = {
    "supports": "support",
    "opposes": "oppose",
    "refines": "refine",
    "depends_on": "depend",
    "addresses_tensions": "address",
    "resolves": "resolve",
    "reopens": "reopen",
    "questions": "question",
    "builds_on": "build-on",
    "relatedPerspectives": "relate",
    "references": "reference",
}
ENTITY_TYPES = ("dialogue", *dict.fromkeys(ARRAY_ENTITIES.values()))
#: Cleartext attributes (copies of payload fields): status fields and timestamps only.
CLEARTEXT_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "dialogue": (("status", "status"), ("created_at", "date")),
    "round": (("status", "status"),),
    "verdict": (("verdict_type", "verdict_type"), ("created_at", "created_at")),
    "event": (("event_type", "type"),),
    "move": (("move_type", "move_type"),),
    "ref": (("ref_type", "ref_type"),),
    **{t: (("status", "status"), ("created_at", "created_at")) for t in INVENTORY_TYPES},
}

_DISPLAY_ID = re.compile(r"^[PRTEC](\d{2})(\d{2})$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:@+-]")
MAX_SUBKEY = 180


@dataclass(slots=True)
class Entity:
    entity_type: str
    subkey: str
    payload: dict[str, Any]

    def cleartext(self) -> dict[str, str]:
        return cleartext_for(self.entity_type, self.payload)


def cleartext_for(entity_type: str, payload: Mapping[str, Any]) -> dict[str, str]:
    data = payload.get("data")
    if entity_type == "ref":
        data = payload
    if not isinstance(data, Mapping):
        return {}
    out: dict[str, str] = {}
    for attr, source in CLEARTEXT_FIELDS.get(entity_type, ()):
        value = data.get(source)
        if isinstance(value, str) and value:
            out[attr] = value[:200]
    return out


def safe_subkey(raw: str) -> str:
    cleaned = _UNSAFE.sub("_", raw.strip())[:MAX_SUBKEY]
    return cleaned or "_"


def _natural_key(entity_type: str, obj: Any, pos: int) -> str:
    if not isinstance(obj, Mapping):
        return f"i{pos:06d}"
    if entity_type in INVENTORY_TYPES:
        ident = obj.get("id")
        if isinstance(ident, str):
            match = _DISPLAY_ID.match(ident)
            return f"{match.group(1)}#{match.group(2)}" if match else safe_subkey(ident)
    elif entity_type == "expert":
        ident = obj.get("slug") or obj.get("name")
        if isinstance(ident, str):
            return safe_subkey(ident.lower())
    elif entity_type == "round":
        number = obj.get("round")
        if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
            return f"{number:02d}"
    elif entity_type == "verdict":
        ident = obj.get("id") or obj.get("verdict_id")
        if isinstance(ident, str):
            return safe_subkey(ident)
    elif entity_type == "move":
        parts = (obj.get("round"), obj.get("expert"), obj.get("seq"))
        if isinstance(parts[0], int) and isinstance(parts[1], str) and isinstance(parts[2], int):
            return f"{parts[0]:02d}#{safe_subkey(parts[1])}#{parts[2]:02d}"
    elif entity_type == "ref":
        parts = (obj.get("source_id"), obj.get("ref_type"), obj.get("target_id"))
        if all(isinstance(p, str) for p in parts):
            return "#".join(safe_subkey(str(p)) for p in parts)
    return f"i{pos:06d}"


class _Keys:
    """Hands out unique subkeys per entity type (a repeated natural key gets a suffix)."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = defaultdict(set)

    def take(self, entity_type: str, key: str) -> str:
        used = self.used[entity_type]
        candidate, n = key, 1
        while candidate in used:
            n += 1
            candidate = f"{key}~{n}"
        used.add(candidate)
        return candidate


def split_document(doc: Mapping[str, Any]) -> list[Entity]:
    """dialogue.json -> entities (the meta entity first).

    A value moved out into entities of its own leaves an empty list in its place and its
    name in the payload's ``arrays`` (meta) or ``split`` (members) list, so that key
    order survives without a separate key list and reading needs no copying.
    """
    keys = _Keys()
    entities: list[Entity] = []
    data: dict[str, Any] = {}
    arrays: list[str] = []
    for field_name, value in doc.items():
        entity_type = ARRAY_ENTITIES.get(field_name)
        if entity_type is None or not isinstance(value, list):
            data[field_name] = value
            continue
        data[field_name] = []
        arrays.append(field_name)
        for pos, obj in enumerate(value):
            entities.extend(_split_member(keys, field_name, entity_type, obj, pos))
    meta = Entity("dialogue", "meta", {"data": data, "arrays": arrays})
    return [meta, *entities]


def _split_member(keys: _Keys, field_name: str, entity_type: str, obj: Any, pos: int) -> list[Entity]:
    subkey = keys.take(entity_type, _natural_key(entity_type, obj, pos))
    if not isinstance(obj, Mapping):
        return [Entity(entity_type, subkey, {"array": field_name, "pos": pos, "value": obj})]
    parent = [entity_type, subkey]
    body: dict[str, Any] = {}
    split: list[str] = []
    children: list[Entity] = []
    split_events = entity_type in INVENTORY_TYPES or entity_type == "verdict"
    for name, value in obj.items():
        if split_events and name == "events" and isinstance(value, list):
            body[name] = []
            split.append(name)
            for j, event in enumerate(value):
                event_key = keys.take("event", f"{entity_type}#{subkey}#{j:04d}")
                children.append(
                    Entity("event", event_key, {"parent": parent, "field": name, "pos": j, "data": event})
                )
        elif entity_type in INVENTORY_TYPES and name in LINK_FIELDS and isinstance(value, list):
            body[name] = []
            split.append(name)
            source = obj.get("id") if isinstance(obj.get("id"), str) else subkey
            for j, target in enumerate(value):
                ref_type = LINK_FIELDS[name]
                if isinstance(target, str):
                    target_id = target
                elif isinstance(target, Mapping) and isinstance(target.get("target"), str):
                    target_id = target["target"]
                else:
                    target_id = ""
                ref_key = keys.take(
                    "ref", "#".join(safe_subkey(str(p)) for p in (source, ref_type, target_id or f"i{j}"))
                )
                children.append(
                    Entity(
                        "ref",
                        ref_key,
                        {"parent": parent, "field": name, "pos": j, "ref_type": ref_type, "data": target},
                    )
                )
        else:
            body[name] = value
    payload: dict[str, Any] = {"array": field_name, "pos": pos, "data": body}
    if split:
        payload["split"] = split
    return [Entity(entity_type, subkey, payload), *children]


class Assembler:
    """Collects entities one at a time (as a reader verifies them), then builds the document.

    :meth:`add` only files each entity under its array or parent, so that the work can
    happen while pages are still arriving; :meth:`document` orders and joins them.
    """

    __slots__ = ("children", "count", "members", "meta")

    def __init__(self) -> None:
        self.count = 0
        self.meta: Entity | None = None
        self.members: dict[str, list[tuple[int, Entity]]] = {}
        self.children: dict[tuple[str, str], dict[str, list[tuple[int, Any]]]] = {}

    def add(self, entity: Entity) -> None:
        self.count += 1
        payload = entity.payload
        parent = payload.get("parent")
        if entity.entity_type == "dialogue":
            self.meta = entity
        elif parent is not None:
            fields = self.children.setdefault((parent[0], parent[1]), {})
            fields.setdefault(payload["field"], []).append((payload["pos"], payload["data"]))
        else:
            self.members.setdefault(payload["array"], []).append((payload["pos"], entity))

    def document(self) -> dict[str, Any]:
        meta = self.meta
        if meta is None:
            raise ValueError("the dialogue has no meta entity")
        doc: dict[str, Any] = meta.payload["data"]
        by_pos = itemgetter(0)
        children = self.children
        for name in meta.payload["arrays"]:
            if name not in doc:
                raise ValueError(f"the meta entity lost its {name!r} slot")
            found = self.members.get(name, [])
            found.sort(key=by_pos)
            doc[name] = [
                _rebuild(entity, children.get((entity.entity_type, entity.subkey))) for _, entity in found
            ]
        return doc


def assemble(entities: Iterable[Entity]) -> dict[str, Any]:
    """Entities -> dialogue.json, the inverse of :func:`split_document` (reuses the payloads' objects)."""
    assembler = Assembler()
    for entity in entities:
        assembler.add(entity)
    return assembler.document()


def _rebuild(entity: Entity, kids: dict[str, list[tuple[int, Any]]] | None, *, copy: bool = False) -> Any:
    payload = entity.payload
    if "value" in payload:
        return payload["value"]
    body: dict[str, Any] = dict(payload["data"]) if copy else payload["data"]
    for name in payload.get("split", ()):
        listed = (kids or {}).get(name, [])
        listed.sort(key=itemgetter(0))
        body[name] = [value for _, value in listed]
    return body


def partial_document(entities: Iterable[Entity]) -> dict[str, Any] | None:
    """What the entities read so far make: a preview while a dialogue is still being read.

    None until the meta entity is among them. A member whose entity has not arrived is
    absent, as is a child (event, ref) whose parent has not; nothing is verified here.
    The entities are left as they are (the reader assembles them again at the end), so
    the document shares their nested values: read it, never change it.
    """
    assembler = Assembler()
    try:
        for entity in entities:
            assembler.add(entity)
        meta = assembler.meta
        if meta is None:
            return None
        doc: dict[str, Any] = dict(meta.payload["data"])
        for name in meta.payload["arrays"]:
            found = sorted(assembler.members.get(name, []), key=itemgetter(0))
            doc[name] = [
                _rebuild(entity, assembler.children.get((entity.entity_type, entity.subkey)), copy=True)
                for _, entity in found
            ]
    except (KeyError, TypeError, ValueError, IndexError):
        return None  # entities that do not assemble: the read will report them as `malformed`
    return doc


# ---- document helpers ---------------------------------------------------------------------------

_SLUG_STRIP = re.compile(r"[^a-z0-9]+")
DIALOGUE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")


def slugify(title: str) -> str:
    return _SLUG_STRIP.sub("-", title.lower()).strip("-")[:100] or "dialogue"


def summary(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The few fields `blue dialogue list` and the dashboard's table show (sealed in the root, so
    listing decrypts only the roots, never the dialogues)."""

    def count(name: str) -> int:
        value = doc.get(name)
        return len(value) if isinstance(value, list) else 0

    alignment = doc.get("totalAlignment")
    return {
        "title": doc.get("title") if isinstance(doc.get("title"), str) else None,
        "status": doc.get("status") if isinstance(doc.get("status"), str) else None,
        "date": doc.get("date") if isinstance(doc.get("date"), str) else None,
        "experts": count("experts"),
        "rounds": count("rounds_data"),
        "perspectives": count("perspectives"),
        "tensions": count("tensions"),
        "alignment": alignment
        if isinstance(alignment, int | float | str) and not isinstance(alignment, bool)
        else None,
        "warnings": count("warnings"),
    }
