"""`blue realm ...` handlers: parse, call blue_tui.core.realm, print (status, check, the cache;
the admin commands are in :mod:`blue_tui.cli.realm_admin`, sync/worktree/pr in
:mod:`blue_tui.cli.realm_git`).

`blue realm check` stays light: it imports neither boto3, cryptography nor textual (and not
rich either unless a table is printed), so it starts fast in CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from blue_tui.cli.output import emit_json, note
from blue_tui.cli.realm_git import clone_note
from blue_tui.core.config import Settings
from blue_tui.core.errors import EXIT_OK
from blue_tui.core.realm.errors import InvalidInput
from blue_tui.core.realm.locate import Located, find_realm


def located_realm(args: argparse.Namespace, settings: Settings) -> Located:
    return find_realm(settings, getattr(args, "realm", None), Path.cwd())


def _progress() -> Any:
    """A stderr progress line for big realms, only on a terminal."""
    if not sys.stderr.isatty():
        return None
    state = {"shown": False}

    def show(phase: str, done: int, total: int) -> None:
        if total < 2000 and not state["shown"]:
            return
        state["shown"] = True
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{phase}: {done}/{total}{end}")
        sys.stderr.flush()

    return show


def _cache(located: Located, args: argparse.Namespace) -> Any:
    from blue_tui.core.realm.cache import Cache, cache_path_for, env_disabled

    return Cache(cache_path_for(located), enabled=not (getattr(args, "no_cache", False) or env_disabled()))


# ---- status ------------------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.status import realm_status

    settings = Settings.from_env()
    located = located_realm(args, settings)
    with _cache(located, args) as cache:
        report = realm_status(
            located, cache=cache, matrix_domain=args.matrix, progress=_progress(), settings=settings
        )
    data = report.as_json()
    data["clone"] = clone_note(located, quiet=args.json)
    if args.json:
        emit_json(data)
        return EXIT_OK
    _print_status(data)
    return EXIT_OK


def _print_status(data: dict[str, Any]) -> None:
    from blue_tui.cli.output import table

    r = data["realm"]
    dirty = " (uncommitted changes)" if r["dirty"] else ""
    print(
        f"Realm: {r['name']} {r['version'] or ''}  {r['path']}  @ {(r['commit'] or 'no commits')[:12]}{dirty}"
    )
    if data["repo"]:
        print(f"You are: {data['repo']}")
    print(
        f"Repos ({len(data['repos'])}): "
        + ", ".join(x["name"] + (" (you)" if x["you"] else "") for x in data["repos"])
    )
    rows = []
    for d in data["domains"]:
        for c in d["contracts"]:
            rows.append((d["name"], d["direction"], c["name"], c["version"], c["owner"], c["compatibility"]))
        if not d["contracts"]:
            rows.append((d["name"], d["direction"], "-", "", "", ""))
    if rows:
        table(
            "Domains and contracts",
            ["domain", "direction", "contract", "version", "owner", "compatibility"],
            rows,
        )
    brows = []
    for d in data["domains"]:
        for b in d["bindings"]:
            for i in b["imports"]:
                brows.append(
                    (
                        d["name"],
                        b["repo"],
                        i["contract"],
                        i["range"],
                        i["resolved_version"] or "-",
                        i["state"],
                    )
                )
            for e in b["exports"]:
                brows.append((d["name"], b["repo"], e, "(exports)", "", ""))
    if brows:
        table("Bindings", ["domain", "repo", "contract", "range", "resolved", "state"], brows)
    if data["cycle"]:
        print("cycle: " + " -> ".join(data["cycle"]))
    elif data["merge_order"]:
        waves = " | ".join(", ".join(w) for w in data["merge_order"])
        print(f"Merge order (providers first; '|' separates waves): {waves}")
    s = data["summary"]
    if s["errors"] or s["warnings"]:
        print(
            f"Problems: {s['errors']} errors, {s['warnings']} warnings (see `blue realm check --mode contract`)"
        )
    _print_live(data)
    matrix = data.get("matrix")
    if matrix:
        _print_matrix(matrix)


def _print_live(data: dict[str, Any]) -> None:
    """Seed 004 round 9's sketch: who else is working, and what changed for you."""
    from blue_tui.core.sessions.model import ago

    db = data.get("sessions_db") or {}
    if db.get("problem"):
        note(f"warning: sessions: {db['problem']}" + (f"\n  hint: {db['hint']}" if db.get("hint") else ""))
    if data.get("sessions"):
        print("Active sessions in realm:")
        for s in data["sessions"]:
            who = (s["repo"] or "?") + (" (you)" if s["you"] else "")
            late = f", late: last heartbeat {ago(s['heartbeat_age'])} ago" if s["state"] == "late" else ""
            print(f"  - {who} - {s['activity']} [{s['kind']}, pid {s['pid']}{late}]")
    if data.get("notifications"):
        print("Pending notifications:")
        told = set()
        for n in data["notifications"]:
            mark = "!!" if n["change_type"] == "breaking" else "! "
            print(f"  {mark} #{n['id']} {ago(n['age_seconds'])} ago: {n['headline']}")
            mine = n.get("your_import")
            ref = (n["domain"], n["contract"])
            if mine and ref not in told and mine["state"] in ("stale", "unsatisfied", "broken", "pending"):
                told.add(ref)
                print(
                    f"     your import ({mine['range']}, resolved {mine['resolved_version'] or '-'}) is "
                    f"{mine['state']}: see `blue realm check --mode importer`"
                )
        print("  (`blue notifications ack ID` or --all marks them seen)")


def _print_matrix(matrix: dict[str, Any]) -> None:
    from blue_tui.cli.output import table

    marks = {"ok": "ok", "breaks": "BREAKS", "unknown": "?", "excluded": "-", "pending": "pending"}
    for c in matrix["contracts"]:
        versions = c["versions"]
        heads = ["importer", "range", "resolved"] + [v + ("*" if v == c["current"] else "") for v in versions]
        rows = [
            [r["repo"], r["range"], r["resolved_version"] or "-"] + [marks[x["verdict"]] for x in r["cells"]]
            for r in c["rows"]
        ]
        title = (
            f"{matrix['domain']}/{c['contract']} (owner {c['owner']}, current {c['current']}*, "
            f"can merge: {'yes' if c['can_merge'] else 'NO'})"
        )
        print(title if rows else f"{title}: no importers")
        if rows:
            table(None, heads, rows)


# ---- check -------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.check import MODES, CheckOptions, run_check

    settings = Settings.from_env()
    located = located_realm(args, settings)
    modes: tuple[str, ...] = ()
    if args.mode:
        modes = MODES if "all" in args.mode else tuple(args.mode)
    if args.hook_timeout is not None and args.hook_timeout <= 0:
        raise InvalidInput("--hook-timeout must be positive")
    options = CheckOptions(
        modes=modes,
        strict=args.strict,
        contract=args.contract,
        domain=args.domain,
        from_version=args.from_version,
        to_version=args.to_version,
        against=args.against,
        hook_timeout=args.hook_timeout,
        run_hooks=not args.no_hooks,
    )
    with _cache(located, args) as cache:
        report = run_check(located, options, cache=cache, progress=_progress())
    clone = clone_note(located, quiet=args.json)
    if args.json:
        emit_json({**report.as_json(), "clone": clone})
        return report.exit_code
    out = sys.stdout
    hidden = 0
    for p in report.problems:
        if p.severity == "info" and not args.verbose:
            hidden += 1
            continue
        out.write(p.line_text() + "\n")
        if p.hint and p.severity != "info":
            out.write(f"        hint: {p.hint}\n")
    for h in report.hooks:
        if h.result.status == "fail" and h.result.output.strip():
            out.write(f"        output of {h.result.hook}:\n")
            for line in h.result.output.rstrip().splitlines()[-20:]:
                out.write(f"          | {line}\n")
    for r in report.compatibility:
        if r.reason == "requested" or not r.ok:
            verdict = "compatible" if r.ok else "NOT ok"
            out.write(
                f"{r.ref} {r.from_version} -> {r.to_version} ({r.policy}, {'+'.join(r.directions) or 'no'} "
                f"directions): backward={_tri(r.backward)} forward={_tri(r.forward)}: {verdict}"
                f"{' - ' + r.message if r.message else ''}\n"
            )
            if r.reason == "requested":
                for c in r.changes:
                    out.write(
                        f"  {_tri(c.backward):>7} {_tri(c.forward):>7}  {c.rule}  {c.path or '/'}  "
                        f"{c.message}\n"
                    )
    s = report.summary
    state = {0: "ok", 1: "FAILED", 2: "warnings"}[report.exit_code]
    cached = " (realm from cache)" if report.source == "cache" else ""
    who = f", repo {report.repo}" if report.repo else ""
    ran = sum(1 for h in report.hooks if h.result.status != "skipped")
    infos = f" ({hidden} notes hidden, -v shows them)" if hidden else ""
    out.write(
        f"realm check {state}: {s['errors']} errors, {s['warnings']} warnings; realm {report.realm}{who}; "
        f"modes: {', '.join(report.modes)}; hooks run: {ran}{cached}{infos}\n"
    )
    return report.exit_code


def _tri(value: bool | None) -> str:
    return {True: "ok", False: "BREAKS", None: "unknown"}[value]


# ---- admin cache -------------------------------------------------------------------------------


def cmd_cache_stats(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.cache import Cache, cache_path_for

    settings = Settings.from_env()
    located = located_realm(args, settings)
    with Cache(cache_path_for(located)) as cache:
        info: dict[str, Any] = (
            cache.stats()
            if cache_path_for(located).exists()
            else {"path": str(cache.path), "exists": False, "tables": {}, "bytes": 0}
        )
    if args.json:
        emit_json(info)
        return EXIT_OK
    size = f"{info['bytes']} bytes" if info["exists"] else "not created yet"
    print(f"cache {info['path']}: {size}")
    tables: dict[str, Any] = info["tables"]
    for name, t in tables.items():
        rate = "-" if t["hit_rate"] is None else f"{t['hit_rate']:.0%}"
        print(
            f"  {name:<17} {t['rows']:>7} rows  {t['hits']:>6} hits  {t['misses']:>6} misses  hit rate {rate}"
        )
    return EXIT_OK


def cmd_cache_clear(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.cache import Cache, cache_path_for

    settings = Settings.from_env()
    located = located_realm(args, settings)
    path = cache_path_for(located)
    removed = 0
    if path.exists():
        with Cache(path) as cache:
            removed = cache.clear()
    if args.json:
        emit_json({"path": str(path), "removed_rows": removed})
    else:
        print(f"cleared {path} ({removed} rows)" if path.exists() else f"no cache at {path}")
    return EXIT_OK
