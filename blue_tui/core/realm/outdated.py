"""The pull side of ``realm sync``: after the clone moves forward, this repo's imports whose
contract moved past the version they resolved are marked ``status: outdated`` in its binding
(its own file), so the realm shows who lags until they refresh
(``blue realm admin binding DOMAIN --update --refresh``)."""

from __future__ import annotations

from pathlib import Path

from blue_tui.core.realm import semver
from blue_tui.core.realm.fsutil import write_atomic
from blue_tui.core.realm.model import Realm, binding_file
from blue_tui.core.realm.sync_report import Outdated
from blue_tui.core.realm.yamlfile import YamlError, dump, parse_text


def moved_past(before: Realm, after: Realm, repo: str) -> list[Outdated]:
    """Imports of ``repo`` (as they are in ``after``) whose contract's version changed between
    ``before`` and ``after`` to one newer than what the import resolved."""
    out: list[Outdated] = []
    for b in after.bindings_of(repo):
        for imp in b.imports:
            now = after.contract(b.domain, imp.contract)
            then = before.contract(b.domain, imp.contract)
            if now is None or imp.status != "current" or not imp.resolved_version:
                continue
            if then is not None and then.version == now.version:
                continue
            if (
                semver.is_version(now.version)
                and semver.is_version(imp.resolved_version)
                and semver.compare(now.version, imp.resolved_version) > 0
            ):
                out.append(Outdated(b.domain, imp.contract, imp.resolved_version, now.version))
    return out


def mark(root: Path, repo: str, items: list[Outdated]) -> list[str]:
    """Set ``status: outdated`` on those imports in ``root``'s binding files; the files changed."""
    changed: list[str] = []
    for domain in sorted({o.domain for o in items}):
        rel = binding_file(domain, repo)
        path = root / rel
        try:
            data = parse_text(path.read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError, YamlError):
            continue  # reported by realm check; never guess at a broken file
        if not isinstance(data, dict) or not isinstance(data.get("imports"), list):
            continue
        wanted = {o.contract for o in items if o.domain == domain}
        touched = False
        for entry in data["imports"]:
            if (
                isinstance(entry, dict)
                and entry.get("contract") in wanted
                and entry.get("status") == "current"
            ):
                entry["status"] = "outdated"
                touched = True
        if touched:
            write_atomic(path, dump(data))
            changed.append(rel)
    return changed
