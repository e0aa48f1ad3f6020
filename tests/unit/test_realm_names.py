"""Issue 10, item 9: every name check refuses a trailing newline, CR, NUL, '..', '/', a leading '-'
and 300 characters (``re.match`` with ``$`` let ``"orders\\n"`` through)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.realm import semver
from blue_tui.core.realm.errors import InvalidName
from blue_tui.core.realm.index import IndexFileError, read_index
from blue_tui.core.realm.names import check_name, env_name_problem, name_problem, relpath_problem
from blue_tui.core.realm.repo_config import RepoConfigError, read_hook_policy, read_membership

NAMES = [
    "orders\n",
    "orders\r",
    "orders\r\n",
    "ord\x00ers",
    "..",
    "or..ders",
    "orders/x",
    "/orders",
    "-orders",
    "o" * 300,
]


@pytest.mark.parametrize("value", NAMES)
def test_realm_repo_domain_and_contract_names(value: str) -> None:
    assert name_problem(value) is not None
    with pytest.raises(InvalidName):
        check_name(value, "contract")


def test_good_names_still_pass() -> None:
    for good in ("orders", "s3-access", "fungal_image.analysis", "A1", "o" * 100):
        assert name_problem(good) is None, good


@pytest.mark.parametrize(
    "value",
    ["1.0.0\n", "1.0.0\r", "1.0.0\x00", "1.0.0-..", "1.0.0-a..b", "1.0/0", "-1.0.0", "1.0.0-" + "a" * 300],
)
def test_versions(value: str) -> None:
    assert semver.version_problem(value) is not None
    assert not semver.is_version(value)


@pytest.mark.parametrize(
    "value", ["^1.0.0\n", "^1.0.0\r", "^1\x00", "..", "^1/2", "-^1.0.0", "^1.0.0 || " * 30 + "^1.0.0"]
)
def test_ranges(value: str) -> None:
    assert semver.range_problem(value, allow_prerelease=True) is not None


@pytest.mark.parametrize(
    "value", ["PATH\n", "PATH\r", "PA\x00TH", "..", "A/B", "-A", "A" * 300, "1ABC", "A B", "A=B"]
)
def test_hook_environment_names(value: str) -> None:
    assert env_name_problem(value) is not None
    assert env_name_problem("AWS_PROFILE") is None


@pytest.mark.parametrize(
    "value",
    [
        "src/a.py\n",
        "src/a\rb.py",
        "src/a\x00.py",
        "../a.py",
        "src/../../a.py",
        "/etc/passwd",
        "-rf",
        "src/-x",
        "s" * 300,
    ],
)
def test_repo_relative_paths(value: str) -> None:
    assert relpath_problem(value) is not None
    assert relpath_problem("scripts/check.sh") is None


@pytest.mark.parametrize("value", NAMES)
def test_names_read_from_a_repos_config_and_the_index(value: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".blue").mkdir(parents=True)
    (repo / ".blue" / "config.yaml").write_text(f"realm:\n  name: {json.dumps(value)}\n  repo: api\n")
    with pytest.raises(RepoConfigError):
        read_membership(repo)
    home = tmp_path / "home"
    home.mkdir()
    (home / "index.yaml").write_text(f"realms:\n  - name: {json.dumps(value)}\n    path: /tmp/x\n")
    with pytest.raises(IndexFileError):
        read_index(Settings.from_env({"BLUE_HOME": str(home), "HOME": str(tmp_path)}))


@pytest.mark.parametrize("value", ["scripts/a.sh\n", "../a.sh", "-x", "/bin/sh"])
def test_hook_names_allowed_in_a_repos_config(value: str, tmp_path: Path) -> None:
    (tmp_path / ".blue").mkdir()
    (tmp_path / ".blue" / "config.yaml").write_text(
        f"realm:\n  name: r\n  repo: api\n  hooks:\n    allow_arguments: [{json.dumps(value)}]\n"
    )
    with pytest.raises(RepoConfigError) as err:
        read_hook_policy(tmp_path)
    assert "realm.hooks.allow_arguments[0]" in str(err.value)
