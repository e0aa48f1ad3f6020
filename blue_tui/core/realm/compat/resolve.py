"""Schema documents, drafts and local ``$ref`` resolution (with ``$id``/``$anchor`` bases).

Only references that land inside the same document are followed; anything else is reported as a
reason string so the checker can give an *unknown* verdict instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from blue_tui.core.realm.compat.jsonvalue import pointer_unescape

DEFAULT_BASE = "https://blue.invalid/schema.json"

_DRAFTS = (("draft-04", 4), ("draft-06", 6), ("draft-07", 7), ("2019-09", 2019), ("2020-12", 2020))

# Keywords whose value is a schema, a list of schemas, or a map of schemas.
SCHEMA_VALUED = (
    "additionalProperties", "unevaluatedProperties", "propertyNames", "additionalItems",
    "unevaluatedItems", "contains", "not", "if", "then", "else", "contentSchema",
)  # fmt: skip
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def declares_draft(root: Any) -> bool:
    """Does the schema name a known draft in ``$schema``? Without one, the keywords of every
    draft are understood (``dependencies``, tuple ``items`` with ``additionalItems``, draft-04
    boolean ``exclusiveMaximum`` ...) instead of being read as annotations of 2020-12."""
    return (
        isinstance(root, dict)
        and isinstance(root.get("$schema"), str)
        and any(marker in root["$schema"] for marker, _ in _DRAFTS)
    )


def detect_draft(root: Any) -> int:
    """The draft a schema declares with ``$schema`` (2020-12 when it declares none)."""
    if isinstance(root, dict) and isinstance(root.get("$schema"), str):
        uri = root["$schema"]
        for marker, draft in _DRAFTS:
            if marker in uri:
                return draft
    return 2020


def subschemas(node: dict[str, Any]) -> list[Any]:
    """Every direct subschema of a schema object (for indexing ``$id`` and anchors)."""
    out: list[Any] = []
    for word in SCHEMA_VALUED:
        if word in node:
            out.append(node[word])
    for word in SCHEMA_LISTS:
        if isinstance(node.get(word), list):
            out.extend(node[word])
    for word in SCHEMA_MAPS:
        if isinstance(node.get(word), dict):
            out.extend(node[word].values())
    items = node.get("items")
    if isinstance(items, list):
        out.extend(items)
    elif items is not None:
        out.append(items)
    deps = node.get("dependencies")
    if isinstance(deps, dict):
        out.extend(v for v in deps.values() if isinstance(v, dict | bool))
    return out


@dataclass(eq=False)
class Doc:
    """One schema document: its root, draft, and the resources and anchors it defines."""

    root: Any
    draft: int
    declared: bool = True
    resources: dict[str, Any] = field(default_factory=dict)
    anchors: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, root: Any) -> Doc:
        doc = cls(root=root, draft=detect_draft(root), declared=declares_draft(root))
        doc.resources[DEFAULT_BASE] = root
        doc._index(root, DEFAULT_BASE, set())
        return doc

    @property
    def id_word(self) -> str:
        return "id" if self.draft == 4 else "$id"

    def base_of(self, node: Any, base: str) -> str:
        """The base URI inside ``node``, given the base around it."""
        if not isinstance(node, dict):
            return base
        ident = node.get(self.id_word)
        if not isinstance(ident, str) or (self.draft <= 7 and ident.startswith("#")):
            return base
        return urldefrag(urljoin(base, ident))[0] or base

    def _index(self, node: Any, base: str, seen: set[int]) -> None:
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        ident = node.get(self.id_word)
        if isinstance(ident, str):
            if self.draft <= 7 and ident.startswith("#"):
                self.anchors[base + ident] = node
            else:
                base = self.base_of(node, base)
                self.resources.setdefault(base, node)
        for word in ("$anchor", "$dynamicAnchor"):
            if isinstance(node.get(word), str):
                self.anchors.setdefault(f"{base}#{node[word]}", node)
        for child in subschemas(node):
            self._index(child, base, seen)


@dataclass(frozen=True, eq=False)
class S:
    """A schema (dict or bool) in its document, with the base URI its refs resolve against."""

    raw: Any
    doc: Doc
    base: str

    @classmethod
    def root(cls, doc: Doc) -> S:
        return cls(doc.root, doc, doc.base_of(doc.root, DEFAULT_BASE))

    def child(self, raw: Any) -> S:
        return S(raw, self.doc, self.doc.base_of(raw, self.base))


def resolve_ref(s: S, ref: str) -> S | str:
    """The schema ``ref`` points to, or a reason why it is not followed."""
    target = urljoin(s.base, ref)
    uri, fragment = urldefrag(target)
    resource = s.doc.resources.get(uri)
    if resource is None:
        return f"$ref {ref!r} points outside this document (remote references are not followed)"
    if not fragment:
        return S(resource, s.doc, uri)
    if fragment.startswith("/"):
        node: Any = resource
        for raw_token in fragment[1:].split("/"):
            token = pointer_unescape(unquote(raw_token))
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return f"$ref {ref!r} points to nothing in this document"
        if not isinstance(node, dict | bool):
            return f"$ref {ref!r} points to a {type(node).__name__}, not a schema"
        return S(node, s.doc, s.doc.base_of(node, uri))
    anchored = s.doc.anchors.get(f"{uri}#{fragment}")
    if anchored is None:
        return f"$ref {ref!r} names an anchor this document does not define"
    return S(anchored, s.doc, s.doc.base_of(anchored, uri))
