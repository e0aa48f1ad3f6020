"""`blue realm admin ...` handlers (init, join, leave, domain, contract, binding): each runs in a
session registered in sessions.db, calls blue_tui.core.realm.admin and prints its result."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from blue_tui.cli.output import emit_json, note
from blue_tui.cli.realm import located_realm
from blue_tui.core.config import Settings
from blue_tui.core.errors import EXIT_OK
from blue_tui.core.realm.errors import InvalidInput

Handler = Callable[[argparse.Namespace], int]


def _in_session(
    command: str, *, domain_arg: str | None = "domain", realm_arg: str | None = None
) -> Callable[[Handler], Handler]:
    """Register a session in sessions.db for the command's duration (others see who changes the realm)."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(args: argparse.Namespace) -> int:
            from blue_tui.core.sessions.lease import held_session, realm_session_spec

            settings = Settings.from_env()
            domain = getattr(args, domain_arg, None) if domain_arg else None
            spec = realm_session_spec(
                settings,
                f"blue realm admin {command}",
                cwd=Path.cwd(),
                realm_arg=getattr(args, "realm", None),
                realm_name=getattr(args, realm_arg, None) if realm_arg else None,
                domains=(domain,) if domain else (),
            )
            with held_session(settings, spec) as lease:
                if lease.problem is not None:
                    hint = f"\n  hint: {lease.problem.hint}" if lease.problem.hint else ""
                    note(f"warning: sessions: {lease.problem.message}{hint}")
                return handler(args)

        return run

    return wrap


def _admin_out(args: argparse.Namespace, result: Any) -> int:
    if args.json:
        emit_json(result.as_json())
        return EXIT_OK
    print(result.summary)
    if result.commit:
        print(f"committed {result.commit[:12]} in {result.realm_path}: {', '.join(result.changed)}")
    for w in result.warnings:
        note(f"warning: {w}")
    return EXIT_OK


@_in_session("init", domain_arg=None, realm_arg="name")
def cmd_init(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.admin import init_realm

    settings = Settings.from_env()
    result = init_realm(
        settings, args.name, path=Path(args.path) if args.path else None, description=args.description
    )
    code = _admin_out(args, result)
    if not args.json:
        note(f"next: from each code repo, `blue realm admin join {result.realm}`")
    return code


@_in_session("join", domain_arg=None)
def cmd_join(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.admin import join_realm

    settings = Settings.from_env()
    result = join_realm(
        settings,
        args.target,
        cwd=Path.cwd(),
        repo_name=args.repo,
        url=args.url,
        maintainers=args.maintainer,
        update=args.update,
    )
    return _admin_out(args, result)


@_in_session("leave", domain_arg=None)
def cmd_leave(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.admin import leave_realm

    settings = Settings.from_env()
    return _admin_out(args, leave_realm(settings, located_realm(args, settings)))


@_in_session("domain", domain_arg="name")
def cmd_domain(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.admin import set_domain

    settings = Settings.from_env()
    result = set_domain(
        settings,
        located_realm(args, settings),
        args.name,
        repos=args.repos,
        add=args.add,
        remove=args.remove,
        providers=args.providers,
        description=args.description,
        update=args.update,
    )
    return _admin_out(args, result)


@_in_session("contract")
def cmd_contract(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.admin import set_contract

    settings = Settings.from_env()
    result = set_contract(
        settings,
        located_realm(args, settings),
        args.name,
        domain=args.domain,
        owner=args.owner,
        version=args.version,
        schema_file=Path(args.schema) if args.schema else None,
        compatibility=args.compatibility,
        policy=args.policy,
        prereleases=args.prereleases,
        description=args.description,
        changes=args.changes,
        exporter_hooks=args.exporter_hook,
        importer_hooks=args.importer_hook,
        ci_hooks=args.ci_hook,
        update=args.update,
    )
    return _admin_out(args, result)


def parse_export(text: str) -> Any:
    from blue_tui.core.realm.admin import ExportSpec

    name, _, files = text.partition(":")
    if not name.strip():
        raise InvalidInput(f"--export {text!r}: expected CONTRACT[:FILE,FILE]")
    return ExportSpec(name.strip(), tuple(f.strip() for f in files.split(",") if f.strip()))


def parse_import(text: str) -> Any:
    from blue_tui.core.realm.admin import ImportSpec

    name, at, rest = text.partition("@")
    if not at or not name.strip() or not rest.strip():
        raise InvalidInput(
            f"--import {text!r}: expected CONTRACT@RANGE[:FILE]",
            hint="e.g. --import 's3-permissions@>=1.0.0 <2.0.0:cdk/stack.py'",
        )
    rng, _, file = rest.partition(":")
    return ImportSpec(name.strip(), rng.strip(), file.strip() or None)


@_in_session("binding")
def cmd_binding(args: argparse.Namespace) -> int:
    from blue_tui.core.realm.admin import set_binding

    settings = Settings.from_env()
    result = set_binding(
        settings,
        located_realm(args, settings),
        args.domain,
        repo=args.repo,
        role=args.role,
        exports=[parse_export(e) for e in args.exports],
        imports=[parse_import(i) for i in args.imports],
        drop=args.drop,
        refresh=args.refresh,
        update=args.update,
    )
    return _admin_out(args, result)
