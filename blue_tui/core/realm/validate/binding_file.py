"""``domains/{d}/bindings/{repo}.yaml``: what one repo exports to or imports from a domain."""

from __future__ import annotations

from blue_tui.core.realm.model import IMPORT_STATUSES, ROLES, Binding, Export, Import
from blue_tui.core.realm.names import type_name
from blue_tui.core.realm.problems import Problem
from blue_tui.core.realm.validate.filecheck import FileCheck, text
from blue_tui.core.realm.yamlfile import Parsed

# ---- domains/{d}/bindings/{repo}.yaml --------------------------------------------------------------


def binding_doc(parsed: Parsed, file: str, domain: str, stem: str, out: list[Problem]) -> Binding | None:
    c = FileCheck(file, parsed, out, domain=domain, repo=stem)
    c.parse_issues()
    doc = c.mapping(parsed.data, "")
    if doc is None:
        return None
    c.keys(doc, "", ("repo", "role", "exports", "imports"))
    c.name_matches(doc, "repo", stem, "file")
    role = c.enum(doc, "", "role", ROLES, None)
    exports: list[Export] = []
    raw = doc.get("exports")
    if raw is not None and not isinstance(raw, list):
        c.error("wrong-type", "exports", f"exports must be a list, not {type_name(raw)}")
    for i, item in enumerate(raw if isinstance(raw, list) else ()):
        key = f"exports[{i}]"
        m = c.mapping(item, key)
        if m is None:
            continue
        c.keys(m, key, ("contract", "source_files"), required=("contract",))
        name = c.name_value(m["contract"], f"{key}.contract", "contract") if "contract" in m else None
        files = []
        for j, f in enumerate(c.strings(m, key, "source_files")):
            ok = c.relpath(f, f"{key}.source_files[{j}]", "source file")
            if ok is not None:
                files.append(ok)
        if name is not None:
            if any(e.contract == name for e in exports):
                c.error(
                    "duplicate", f"{key}.contract", f"contract {name!r} is exported twice in this binding"
                )
            exports.append(Export(name, tuple(files), i))
    imports: list[Import] = []
    raw = doc.get("imports")
    if raw is not None and not isinstance(raw, list):
        c.error("wrong-type", "imports", f"imports must be a list, not {type_name(raw)}")
    for i, item in enumerate(raw if isinstance(raw, list) else ()):
        key = f"imports[{i}]"
        m = c.mapping(item, key)
        if m is None:
            continue
        c.keys(
            m,
            key,
            ("contract", "version", "binding", "status", "resolved_version", "resolved_at"),
            required=("contract", "version"),
        )
        name = c.name_value(m["contract"], f"{key}.contract", "contract") if "contract" in m else None
        rng = m.get("version")
        if rng is not None and not isinstance(rng, str):
            hint = 'quote it: version: ">=1.0.0 <2.0.0"'
            c.error(
                "wrong-type",
                f"{key}.version",
                f"{key}.version must be a range string, not {type_name(rng)}",
                hint,
            )
            rng = None
        # The range's syntax and prerelease use are checked in cross_check, which knows the contract.
        bfile = m.get("binding")
        binding_path = c.relpath(bfile, f"{key}.binding", "binding file") if bfile not in (None, "") else None
        status = c.enum(m, key, "status", IMPORT_STATUSES, "pending") or "pending"
        resolved = c.version(m, key, "resolved_version")
        if name is not None and rng is not None:
            if any(x.contract == name for x in imports):
                c.error(
                    "duplicate", f"{key}.contract", f"contract {name!r} is imported twice in this binding"
                )
            imports.append(
                Import(name, rng, binding_path, status, resolved, text(c, m, "resolved_at", key), i)
            )
    if role == "consumer" and exports:
        c.error(
            "role-mismatch",
            "role",
            "role is consumer, but the binding exports contracts",
            "set role: provider (or both)",
        )
    if role == "provider" and imports:
        c.error(
            "role-mismatch",
            "role",
            "role is provider, but the binding imports contracts",
            "set role: consumer (or both)",
        )
    return Binding(domain, stem, role, tuple(exports), tuple(imports))
