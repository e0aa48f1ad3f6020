"""Versions and npm ranges (node-semver behind the adapter), both range spellings, prereleases."""

from __future__ import annotations

import pytest

from blue_tui.core.realm import semver

VERSIONS = ["1.1.9", "1.2.0", "1.2.9", "1.3.0", "1.9.9", "2.0.0", "2.5.0"]


@pytest.mark.parametrize(
    ("rng", "expected"),
    [
        (">=1.0.0 <2.0.0", ["1.1.9", "1.2.0", "1.2.9", "1.3.0", "1.9.9"]),
        (">=1.0.0, <2.0.0", ["1.1.9", "1.2.0", "1.2.9", "1.3.0", "1.9.9"]),
        (">= 1.0.0 , < 2.0.0", ["1.1.9", "1.2.0", "1.2.9", "1.3.0", "1.9.9"]),
        ("^1.2", ["1.2.0", "1.2.9", "1.3.0", "1.9.9"]),
        ("~1.2.3", ["1.2.9"]),
        ("1.x", ["1.1.9", "1.2.0", "1.2.9", "1.3.0", "1.9.9"]),
        ("^1.2.3 || ^2.0.0", ["1.2.9", "1.3.0", "1.9.9", "2.0.0", "2.5.0"]),
        (">=1.2.0, <1.3.0 || >=2.0.0, <2.1.0", ["1.2.0", "1.2.9", "2.0.0"]),
        ("*", VERSIONS),
    ],
)
def test_ranges_match_npm(rng: str, expected: list[str]) -> None:
    assert semver.range_problem(rng) is None
    assert [v for v in VERSIONS if semver.satisfies(v, rng)] == expected


@pytest.mark.parametrize("bad", ["", "   ", "1.2.3 || garbage", "||", ">=1.0.0 ||", "not a range", "=>1.0"])
def test_bad_ranges_are_explained(bad: str) -> None:
    why = semver.range_problem(bad)
    assert why is not None
    assert not semver.satisfies("1.0.0", bad)


def test_non_string_range() -> None:
    assert "range string" in (semver.range_problem(1.0) or "")


def test_prereleases_only_when_opted_in() -> None:
    # A prerelease never slips into an ordinary range (npm semantics, no include_prerelease).
    assert not semver.satisfies("1.5.0-rc.1", ">=1.0.0 <2.0.0")
    assert not semver.satisfies("1.2.3-alpha", ">=1.2.3")
    # A range naming a prerelease of the same tuple admits it...
    assert semver.satisfies("2.0.0-rc.2", ">=2.0.0-rc.1 <3.0.0")
    # ...but naming prereleases at all needs the contract's opt-in.
    assert "prereleases: true" in (semver.range_problem(">=2.0.0-rc.1 <3.0.0") or "")
    assert semver.range_problem(">=2.0.0-rc.1 <3.0.0", allow_prerelease=True) is None
    assert semver.version_problem("2.0.0-rc.1", allow_prerelease=False) is not None
    assert semver.version_problem("2.0.0-rc.1") is None


@pytest.mark.parametrize("bad", ["1.0", "v1.0.0", "01.2.3", "1.2.3.4", "1.2.3-", "latest", ""])
def test_strict_versions(bad: str) -> None:
    assert semver.version_problem(bad) is not None
    assert not semver.is_version(bad)


def test_numbers_get_a_quoting_hint() -> None:
    assert "quote it" in (semver.version_problem(1.0) or "")


def test_precedence_and_sorting() -> None:
    order = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
        "2.0.0",
    ]
    assert semver.sort_versions(reversed(order)) == order
    assert semver.compare("1.0.0+build.1", "1.0.0") == 0
    assert semver.max_satisfying(VERSIONS, "^1.2") == "1.9.9"
    assert semver.max_satisfying(VERSIONS, ">=3") is None


@pytest.mark.parametrize(
    ("old", "new", "kind", "breaking"),
    [
        ("1.4.0", "2.0.0", "major", True),
        ("1.4.0", "1.5.0", "minor", False),
        ("1.4.0", "1.4.1", "patch", False),
        ("0.2.3", "0.3.0", "minor", True),  # ^0.2.3 = >=0.2.3 <0.3.0
        ("0.2.3", "0.2.4", "patch", False),
        ("1.4.0", "1.4.0", "none", False),
        ("1.4.0", "1.3.0", "downgrade", False),
    ],
)
def test_bumps(old: str, new: str, kind: str, breaking: bool) -> None:
    assert semver.bump_kind(old, new) == kind
    assert semver.is_breaking_bump(old, new) is breaking
