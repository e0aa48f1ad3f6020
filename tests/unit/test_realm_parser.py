"""`blue realm ...` arguments: registered once, stdlib only, usage errors exit 64."""

from __future__ import annotations

import subprocess
import sys

import pytest

from blue_tui.cli import main
from blue_tui.cli.parser import build_parser
from blue_tui.cli.realm_admin import parse_export, parse_import
from blue_tui.core.realm.errors import InvalidInput


def test_commands_parse() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["realm", "check", "--mode", "exporter", "--mode", "importer", "--strict", "--json"]
    )
    assert args.handler == "blue_tui.cli.realm:cmd_check" and args.mode == ["exporter", "importer"]
    args = parser.parse_args(
        ["realm", "admin", "domain", "d", "--repos", "a, b", "--provider", "a", "--add", "c"]
    )
    assert (args.repos, args.providers, args.add) == (["a", "b"], ["a"], ["c"])
    assert args.handler == "blue_tui.cli.realm_admin:cmd_domain"
    args = parser.parse_args(["realm", "admin", "binding", "d", "--import", "c@>=1 <2:f.py", "--drop", "x,y"])
    assert args.imports == ["c@>=1 <2:f.py"] and args.drop == ["x", "y"]
    args = parser.parse_args(["realm", "admin", "cache", "stats", "--json"])
    assert args.handler == "blue_tui.cli.realm:cmd_cache_stats"


@pytest.mark.parametrize(
    "argv",
    [
        ["realm", "check", "--mode", "sideways"],
        ["realm", "admin", "contract", "c"],  # --domain is required
        ["realm", "admin", "binding", "d", "--role", "boss"],
        ["realm", "nope"],
    ],
)
def test_usage_errors_exit_64(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 64


def test_group_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["realm"]) == 64
    assert "status" in capsys.readouterr().err
    assert main(["realm", "admin"]) == 64
    assert main(["realm", "admin", "cache"]) == 64


def test_import_and_export_specs() -> None:
    spec = parse_import("s3-permissions@>=1.0.0 <2.0.0:cdk/stack.py")
    assert (spec.contract, spec.range, spec.binding) == ("s3-permissions", ">=1.0.0 <2.0.0", "cdk/stack.py")
    assert parse_import("c@^1.2").binding is None
    assert parse_export("c:a.py, b.py").source_files == ("a.py", "b.py")
    assert parse_export("c").source_files == ()
    for bad in ("c", "@^1", "c@"):
        with pytest.raises(InvalidInput):
            parse_import(bad)


def test_parser_module_is_stdlib_only() -> None:
    code = (
        "import sys; import blue_tui.cli.parser as p; p.build_parser(); "
        "bad = [m for m in ('yaml', 'nodesemver', 'rich', 'boto3', 'textual', 'blue_tui.core.realm.loader') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
