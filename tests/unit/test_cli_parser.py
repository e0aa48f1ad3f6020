"""The `blue` parser is built lazily (only the group that runs), and says the same either way."""

from __future__ import annotations

import argparse

import pytest

from blue_tui.cli.parser import build_parser


def _groups(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_top_level_help_is_the_same_built_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert build_parser(["--help"]).format_help() == build_parser().format_help()


def test_every_group_built_alone_matches_the_whole_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    whole = _groups(build_parser())
    assert len(whole) >= 7
    for name, full in whole.items():
        alone = _groups(build_parser([name, "--help"]))[name]
        assert alone.format_help() == full.format_help(), name
        inner = [a for a in full._actions if isinstance(a, argparse._SubParsersAction)]
        for sub in inner:
            for cmd, cmd_parser in sub.choices.items():
                lazy_inner = next(a for a in alone._actions if isinstance(a, argparse._SubParsersAction))
                assert lazy_inner.choices[cmd].format_help() == cmd_parser.format_help(), f"{name} {cmd}"


def test_a_command_parses_with_only_its_group_built() -> None:
    args = build_parser(["dev", "status", "--json"]).parse_args(["dev", "status", "--json"])
    assert args.json is True and args.handler == "blue_tui.cli.setup:cmd_dev_status"


def test_an_unknown_command_lists_every_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser(["nope"]).parse_args(["nope"])
    assert done.value.code == 64
    err = capsys.readouterr().err
    for name in ("paths", "dev", "keys", "dialogue", "audit", "realm", "contract"):
        assert repr(name) in err


@pytest.mark.parametrize(("columns", "widest"), [("40", 40), ("200", 200), ("junk", 80)])
def test_help_width_follows_columns(columns: str, widest: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """As argparse would: COLUMNS, else the terminal (none under pytest), else 80."""
    monkeypatch.setenv("COLUMNS", columns)
    group = _groups(build_parser(["dev", "up", "--help"]))["dev"]
    up = next(a for a in group._actions if isinstance(a, argparse._SubParsersAction)).choices["up"]
    lines = up.format_help().splitlines()
    assert max(len(line) for line in lines) <= widest
    if widest > 80:
        assert max(len(line) for line in lines) > 80
