"""``admin contract``: create a contract, or change it from its owner's checkout.

A changed schema needs a new version, and whether the bump is big enough (in the declared
directions, against every earlier version when transitive) is decided by
:func:`~blue_tui.core.realm.compatcheck.judge_update`, the same function ``realm check`` asks about
a change committed by hand. The new version is appended to ``evolution`` with ``compatible``
computed, never claimed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import semver
from blue_tui.core.realm.admin.contract_flags import compat_block, schema_from_file, validation_block
from blue_tui.core.realm.admin.preconditions import create_or_update, require_domain, require_repo, self_check
from blue_tui.core.realm.admin.preconditions import unchanged as file_unchanged
from blue_tui.core.realm.admin.transaction import AdminResult, transaction
from blue_tui.core.realm.compatcheck import UpdateVerdict, judge_update
from blue_tui.core.realm.errors import IncompatibleChange, InvalidInput, OwnershipError
from blue_tui.core.realm.history import ContractHistory
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import Contract, Realm, contract_file
from blue_tui.core.realm.names import check_name
from blue_tui.core.realm.safefs import read_text
from blue_tui.core.realm.validate import contract_doc
from blue_tui.core.realm.yamlfile import dump, parse_text
from blue_tui.core.sessions.contracts import notify_contract_change


def next_version(version: str, level: str) -> str:
    major, minor, patch = semver.key(version)[:3]
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _refusal(verdict: UpdateVerdict, version_given: bool) -> Exception | None:
    """The error ``admin contract --update`` raises for the verdict's first error, or None."""
    if verdict.ok:
        return None
    con, old = verdict.contract, verdict.old_version
    first = verdict.errors[0]
    use = f"use --version {next_version(old, verdict.required or 'patch')}"
    if first.rule == "version-not-bumped" and not version_given:
        return InvalidInput(
            f"the schema of {con.ref} changed: give --version "
            f"(it needs at least a {verdict.required or 'patch'} bump)",
            hint=f"e.g. --version {next_version(old, verdict.required or 'patch')}",
        )
    if first.rule in ("version-decreased", "version-not-bumped", "bump-too-small"):
        sep = " " if first.rule == "bump-too-small" else ": "  # that message starts with "old -> new:"
        return IncompatibleChange(f"{con.ref}{sep}{first.message}", hint=use if verdict.required else None)
    past = next((r for r in verdict.transitive if not r.ok), None)
    if past is not None:
        return IncompatibleChange(
            f"{con.ref} {con.version} breaks {past.from_version} (transitive check): {past.message}",
            hint=f"use --version {next_version(old, past.required or 'major')}, "
            "or set compatibility.transitive: false",
        )
    return IncompatibleChange(f"{con.ref} {first.message}", hint=first.hint)


def _create(
    settings: Settings,
    located: Located,
    realm: Realm,
    domain: str,
    name: str,
    *,
    owner: str | None,
    version: str | None,
    schema: Any,
    compatibility: str | None,
    policy: str | None,
    prereleases: bool | None,
    description: str | None,
    changes: Sequence[str],
    hooks: tuple[Sequence[str], Sequence[str], Sequence[str]],
) -> AdminResult:
    owner = owner or located.member(realm.name)
    if owner is None:
        raise InvalidInput(
            f"contract {domain}/{name} needs an owner",
            hint="give --owner REPO (the one repo that exports it)",
        )
    require_repo(realm, owner, "owner")
    if owner not in realm.domains[domain].members:
        raise InvalidInput(
            f"owner {owner!r} is not a member of domain {domain!r}",
            hint=f"`blue realm admin domain {domain} --update --add {owner}`",
        )
    version = version or "1.0.0"
    why = semver.version_problem(version, allow_prerelease=bool(prereleases))
    if why:
        raise InvalidInput(f"--version {why}")
    doc: dict[str, Any] = {"name": name, "version": version, "owner": owner}
    if description:
        doc["description"] = description
    doc["compatibility"] = compat_block(compatibility, policy, None)
    if prereleases:
        doc["prereleases"] = True
    doc["schema"] = schema if schema is not None else {"type": "object"}
    validation = validation_block(None, *hooks)
    if validation:
        doc["validation"] = validation
    doc["evolution"] = [{"version": version, "changes": list(changes) or ["Initial version"]}]
    rel = contract_file(domain, name)
    text = dump(doc)
    self_check("contract", rel, text, realm.root.name, domain=domain, stem=name)
    with transaction(located.root) as txn:
        txn.write(rel, text)
        sha = txn.commit(settings, f"realm: add contract {domain}/{name} {version} (owner: {owner})")
        notify_contract_change(
            settings,
            realm=realm.name,
            domain=domain,
            contract=name,
            owner=owner,
            version=version,
            changes=doc["evolution"][-1]["changes"],
            commit=sha,
        )
        return AdminResult(
            "contract",
            realm.name,
            str(located.root),
            f"created contract {domain}/{name} {version} (owner: {owner})",
            txn.changed,
            sha,
            details={"domain": domain, "contract": name, "version": version, "owner": owner},
        )


def _hand_over(realm: Realm, old: Contract, new_owner: str) -> None:
    require_repo(realm, new_owner, "owner")
    if new_owner not in realm.domains[old.domain].members:
        raise InvalidInput(
            f"new owner {new_owner!r} is not a member of domain {old.domain!r}",
            hint=f"`blue realm admin domain {old.domain} --update --add {new_owner}`",
        )
    others = [r for r in realm.exporters_of(old.domain, old.name) if r != new_owner]
    if others:
        raise OwnershipError(
            f"cannot hand {old.ref} to {new_owner!r}: {', '.join(others)} still exports it",
            hint=f"drop that export first: `blue realm admin binding {old.domain} --repo "
            f"{others[0]} --update --drop {old.name}`",
        )


def _bump(
    realm: Realm,
    old: Contract,
    doc: dict[str, Any],
    new_schema: Any,
    version: str | None,
    changes: Sequence[str],
) -> tuple[UpdateVerdict, list[str]]:
    """Judge the schema/version change and write it into ``doc``; refuse what the verdict refuses."""
    rel = old.file
    new_version = version or old.version
    evolution = list(doc.get("evolution") or [])
    if new_version != old.version:
        evolution.append({"version": new_version, "changes": list(changes) or ["Schema change"]})
    # The contract as it will be (its compatibility settings included) is what gets judged.
    text = dump(doc | {"schema": new_schema, "version": new_version, "evolution": evolution})
    self_check("contract", rel, text, realm.root.name, domain=old.domain, stem=old.name)
    probe = contract_doc(parse_text(text), rel, old.domain, old.name, [])
    assert probe is not None  # self_check refused anything that does not load
    history = ContractHistory(realm)
    verdict = judge_update(
        probe,
        old.version,
        old.schema,
        functools.partial(history.schema, old.domain, old.name),
        source="working tree",
    )
    refusal = _refusal(verdict, version is not None)
    if refusal is not None:
        raise refusal
    if new_version != old.version:
        step = verdict.step
        summary = (
            list(changes) or ([c.message for c in step.changes][:5] if step else []) or ["No schema change"]
        )
        evolution[-1] = {"version": new_version, "changes": summary, "compatible": verdict.compatible}
    doc.update({"version": new_version, "schema": new_schema, "evolution": evolution})
    notes = [p.message for p in verdict.problems if p.severity != "error"]
    return verdict, notes


def _update(
    settings: Settings,
    located: Located,
    realm: Realm,
    old: Contract,
    *,
    owner: str | None,
    version: str | None,
    schema: Any,
    compatibility: str | None,
    policy: str | None,
    prereleases: bool | None,
    description: str | None,
    changes: Sequence[str],
    hooks: tuple[Sequence[str], Sequence[str], Sequence[str]],
) -> AdminResult:
    acting = located.member(realm.name)
    if acting is not None and acting != old.owner:
        raise OwnershipError(
            f"contract {old.ref} is owned by {old.owner!r}; {acting!r} cannot change it",
            hint=f"run this from {old.owner}'s checkout, or ask its maintainers",
        )
    rel = old.file
    raw = parse_text(read_text(located.root, rel)).data
    assert isinstance(raw, dict)
    doc = dict(raw)
    new_owner = owner or old.owner
    if new_owner != old.owner:
        _hand_over(realm, old, new_owner)
        doc["owner"] = new_owner
    if prereleases is not None:
        if prereleases:
            doc["prereleases"] = True
        else:
            doc.pop("prereleases", None)
    if description is not None:
        doc["description"] = description
    if compatibility is not None or policy is not None:
        doc["compatibility"] = compat_block(compatibility, policy, raw.get("compatibility"))
    if any(hooks):
        doc["validation"] = validation_block(raw.get("validation"), *hooks)
    new_version = version or old.version
    details: dict[str, Any] = {
        "domain": old.domain,
        "contract": old.name,
        "from": old.version,
        "to": new_version,
    }
    if version is not None:
        allow_pre = old.prereleases if prereleases is None else prereleases
        why = semver.version_problem(version, allow_prerelease=allow_pre)
        if why:
            raise InvalidInput(f"--version {why}")
    warnings: list[str] = []
    level = ""
    new_schema = schema if schema is not None else old.schema
    if (schema is not None and schema != old.schema) or version is not None:
        verdict, warnings = _bump(realm, old, doc, new_schema, version, changes)
        level = verdict.required or "no change"
        details.update(
            {
                "required_bump": verdict.required,
                "compatible": verdict.compatible,
                "changes": [c.as_json() for c in (verdict.step.changes if verdict.step else ())],
            }
        )
    text = dump(doc)
    self_check("contract", rel, text, realm.root.name, domain=old.domain, stem=old.name)
    if file_unchanged(realm, rel, text):
        return AdminResult(
            "contract", realm.name, str(located.root), f"contract {old.ref} unchanged", details=details
        )
    what = f"{old.version} -> {new_version}" if new_version != old.version else new_version
    extra = f" ({level})" if level and new_version != old.version else ""
    owner_note = f"; owner {old.owner} -> {new_owner}" if new_owner != old.owner else ""
    with transaction(located.root) as txn:
        txn.write(rel, text)
        sha = txn.commit(settings, f"realm: update contract {old.ref} {what}{extra}{owner_note}")
        if sha and new_version != old.version:
            notify_contract_change(
                settings,
                realm=realm.name,
                domain=old.domain,
                contract=old.name,
                owner=new_owner,
                version=new_version,
                previous=old.version,
                compatible=details.get("compatible"),
                changes=doc.get("evolution", [{}])[-1].get("changes", ()),
                commit=sha,
            )
        return AdminResult(
            "contract",
            realm.name,
            str(located.root),
            f"updated contract {old.ref} {what}{extra}{owner_note}",
            txn.changed,
            sha,
            tuple(warnings),
            details,
        )


def set_contract(
    settings: Settings,
    located: Located,
    name: str,
    *,
    domain: str,
    owner: str | None = None,
    version: str | None = None,
    schema_file: Path | None = None,
    compatibility: str | None = None,
    policy: str | None = None,
    prereleases: bool | None = None,
    description: str | None = None,
    changes: Sequence[str] = (),
    exporter_hooks: Sequence[str] = (),
    importer_hooks: Sequence[str] = (),
    ci_hooks: Sequence[str] = (),
    update: bool = False,
) -> AdminResult:
    check_name(name, "contract")
    check_name(domain, "domain")
    if owner is not None:
        check_name(owner, "owner repo")
    realm = load_realm(located.root)
    require_domain(realm, domain)
    rel = contract_file(domain, name)
    old = realm.contracts.get((domain, name))
    exists = create_or_update(
        realm,
        rel,
        known=old is not None,
        update=update,
        exists=(
            f"contract {domain}/{name} already exists ({rel})",
            f"change it with `blue realm admin contract {name} --domain {domain} --update "
            "--version X.Y.Z --schema FILE`",
        ),
        missing=(
            f"no contract {domain}/{name} to update",
            f"create it: `blue realm admin contract {name} --domain {domain} --owner REPO`",
        ),
    )
    schema = schema_from_file(schema_file)
    fields: dict[str, Any] = {
        "owner": owner,
        "version": version,
        "schema": schema,
        "compatibility": compatibility,
        "policy": policy,
        "prereleases": prereleases,
        "description": description,
        "changes": changes,
        "hooks": (exporter_hooks, importer_hooks, ci_hooks),
    }
    if not exists:
        return _create(settings, located, realm, domain, name, **fields)
    assert old is not None  # a file that exists but did not load fails own_file_ok
    return _update(settings, located, realm, old, **fields)
