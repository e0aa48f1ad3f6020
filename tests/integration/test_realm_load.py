"""Loading a realm repo: every problem at once, one bad file never hides the rest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from realm_builders import SCHEMA_V1, RealmBuilder, sample_realm

from blue_tui.core.realm.errors import RealmNotFound
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.problems import Problem

pytestmark = pytest.mark.integration


def by_rule(realm_problems: list[Problem], rule: str) -> list[Problem]:
    return [p for p in realm_problems if p.rule == rule]


def test_sample_realm_loads_clean(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    realm = load_realm(b.root)
    assert realm.problems == []
    assert realm.name == "letemcook"
    assert set(realm.repos) == {"aperture", "fungal", "web"}
    con = realm.contract("s3-access", "s3-permissions")
    assert con is not None and con.owner == "aperture" and con.schema == SCHEMA_V1
    [(binding, imp)] = list(realm.imports_of("s3-access", "s3-permissions"))
    assert binding.repo == "fungal" and imp.range == ">=1.0.0 <2.0.0" and imp.resolved_version == "1.0.0"
    assert realm.commit is not None and not realm.dirty


def test_every_problem_is_reported_with_file_key_and_line(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    # A broken file, an unknown key elsewhere, a bad range, an unknown contract, an unregistered member.
    b.write("domains/s3-access/contracts/broken.yaml", "name: broken\nversion: [1.0.0\n")
    b.write("repos/web.yaml", "name: web\ncolour: blue\n")
    b.binding("s3-access", "fungal", imports=[("s3-permissions", ">=1 <<2", "1.0.0"), ("ghost", "^1", None)])
    b.domain("extra", ["aperture", "nobody"])
    realm = load_realm(b.root)
    got = {(p.rule, p.file, p.key, p.line) for p in realm.problems}
    assert ("yaml-syntax", "domains/s3-access/contracts/broken.yaml", None, 3) in got
    assert ("unknown-key", "repos/web.yaml", "colour", 2) in got
    assert ("bad-range", "domains/s3-access/bindings/fungal.yaml", "imports[0].version", 4) in got
    assert ("unknown-contract", "domains/s3-access/bindings/fungal.yaml", "imports[1].contract", 7) in got
    assert ("unknown-repo", "domains/extra/domain.yaml", "members[1]", 4) in got
    assert len(realm.problems) == 5
    # The good parts still loaded.
    assert realm.contract("s3-access", "s3-permissions") is not None
    assert "web" in realm.repos
    ghost = next(p for p in realm.problems if p.rule == "unknown-contract")
    assert "s3-permissions" in (ghost.hint or "")
    assert realm.dirty


def test_contract_referencing_a_broken_file_is_not_double_reported(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    b.write("domains/s3-access/contracts/s3-permissions.yaml", "version: [\n")
    realm = load_realm(b.root)
    assert [p.rule for p in realm.problems] == ["yaml-syntax"]
    assert "contract:s3-access/s3-permissions" in realm.unusable


def test_owner_and_exporter_rules(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    b.contract("s3-access", "other", owner="web")
    b.binding("s3-access", "fungal", exports=["s3-permissions"], imports=[("s3-permissions", "^1", "1.0.0")])
    b.binding(
        "s3-access", "aperture", exports=["s3-permissions"], imports=[("s3-permissions", "^1", "1.0.0")]
    )
    realm = load_realm(b.root)
    rules = {p.rule for p in realm.problems}
    assert rules == {"not-a-member", "not-owner", "self-import"}
    not_owner = by_rule(realm.problems, "not-owner")[0]
    assert "only the owner's binding may export it" in not_owner.message
    assert not_owner.line == 3


def test_unsafe_names_symlinks_and_strays(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    b.write("repos/bad name.yaml", "name: bad\n")
    b.write("repos/extra.yml", "name: extra\n")
    b.write("domains/s3-access/notes.yaml", "x: 1\n")
    b.write("domains/loose.yaml", "x: 1\n")
    (b.root / "domains" / "nodomainfile" / "contracts").mkdir(parents=True)
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: secret\n")
    os.symlink(secret, b.root / "repos" / "linked.yaml")
    realm = load_realm(b.root)
    got = {(p.rule, p.file) for p in realm.problems}
    assert ("unsafe-name", "repos/bad name.yaml") in got
    assert ("unexpected-file", "repos/extra.yml") in got
    assert ("unexpected-file", "domains/s3-access/notes.yaml") in got
    assert ("unexpected-file", "domains/loose.yaml") in got
    assert ("missing-file", "domains/nodomainfile/domain.yaml") in got
    assert ("symlink", "repos/linked.yaml") in got
    assert "linked" not in realm.repos and "secret" not in str(realm.as_json())


def test_not_a_realm(tmp_path: Path) -> None:
    with pytest.raises(RealmNotFound) as err:
        load_realm(tmp_path)
    assert "realm.yaml is missing" in str(err.value)


def test_a_realm_that_is_not_git_still_loads(tmp_path: Path) -> None:
    b = RealmBuilder(tmp_path / "plain", init=False)
    b.write("realm.yaml", {"name": "plain"})
    realm = load_realm(b.root)
    assert realm.name == "plain" and realm.commit is None and realm.problems == []
