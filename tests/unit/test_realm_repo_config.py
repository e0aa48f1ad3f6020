""".blue/config.yaml edits: only the realm: block changes; other keys, comments and order stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from blue_tui.core.realm.repo_config import RepoConfigError, _render
from blue_tui.core.realm.yamlfile import parse_text

P = Path("/repo/.blue/config.yaml")
SECTION = {"name": "letemcook", "repo": "aperture"}

ORIGINAL = """\
# Blue config (RFC 0034)
version: 1
forge:
  type: github   # detected
  host: github.com

# AWS settings
aws:
  profile: dev
"""


def test_adds_a_block_and_keeps_everything_else_byte_for_byte() -> None:
    out = _render(ORIGINAL, P, SECTION)
    assert out.startswith(ORIGINAL)
    assert parse_text(out).data["realm"] == SECTION


def test_replaces_an_existing_block_in_place() -> None:
    text = ORIGINAL.replace(
        "# AWS settings", "realm:\n  name: old\n  repo: x  # old comment\n\n# AWS settings"
    )
    out = _render(text, P, SECTION)
    assert "old" not in out
    assert "# AWS settings\naws:\n  profile: dev\n" in out
    assert out.index("forge:") < out.index("realm:") < out.index("aws:")
    data = parse_text(out).data
    assert data["realm"] == SECTION and data["aws"] == {"profile": "dev"} and data["version"] == 1


def test_removes_only_the_block() -> None:
    text = ORIGINAL + "realm:\n  name: letemcook\n  repo: aperture\n"
    assert _render(text, P, None) == ORIGINAL


def test_realm_block_last_or_first() -> None:
    first = "realm:\n  name: a\n  repo: b\nversion: 1\n"
    out = _render(first, P, SECTION)
    assert parse_text(out).data == {"realm": SECTION, "version": 1}
    assert out.endswith("version: 1\n")


def test_flow_style_file_still_keeps_its_keys() -> None:
    out = _render("{version: 1, forge: {type: github}}\n", P, SECTION)
    assert parse_text(out).data == {"version": 1, "forge": {"type": "github"}, "realm": SECTION}


def test_empty_or_missing_file() -> None:
    assert parse_text(_render(None, P, SECTION)).data == {"realm": SECTION}
    assert parse_text(_render("", P, SECTION)).data == {"realm": SECTION}


def test_broken_file_is_not_touched() -> None:
    with pytest.raises(RepoConfigError) as err:
        _render("version: [1\n", P, SECTION)
    assert str(P) in str(err.value)
    with pytest.raises(RepoConfigError):
        _render("- a list\n", P, SECTION)
