"""Issue 10, item 9, end to end: ``"orders\\n"`` passed the name checks, git then dropped the spec,
and the bump and compatibility gate silently skipped that contract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from realm_builders import SCHEMA_BROKEN, SCHEMA_V1, Run, World, git, isolate, make_world, run_main

pytestmark = pytest.mark.integration

Blue = Callable[..., Run]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    env = isolate(tmp_path, monkeypatch)
    return make_world(tmp_path, Path(env["BLUE_HOME"]))


@pytest.fixture
def blue(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Blue:
    def run(cwd: Path, *args: str) -> Run:
        return run_main(list(args), cwd=cwd, capsys=capsys, monkeypatch=monkeypatch)

    return run


def test_a_contract_named_with_a_trailing_newline_cannot_dodge_the_bump_gate(
    world: World, blue: Blue
) -> None:
    b = world.realm
    b.contract("s3-access", "orders\n", "1.0.0", "aperture", SCHEMA_V1)
    b.commit("orders 1.0.0")
    # A breaking schema change with no version bump at all.
    b.contract("s3-access", "orders\n", "1.0.0", "aperture", SCHEMA_BROKEN)
    b.commit("orders: break it quietly")
    assert "domains/s3-access/contracts/orders\n.yaml" in git(b.root, "ls-files", "-z").split("\0")
    r = blue(world.tmp, "realm", "check", "--realm", str(b.root), "--mode", "contract", "--json")
    assert r.code == 1, r.out
    unsafe = [p for p in r.json()["problems"] if p["rule"] == "unsafe-name"]
    assert unsafe and unsafe[0]["file"] == "domains/s3-access/contracts/orders\n.yaml"


def test_admin_refuses_names_with_a_trailing_newline(world: World, blue: Blue) -> None:
    for args in (
        ["realm", "admin", "contract", "orders\n", "--domain", "s3-access"],
        ["realm", "admin", "domain", "edge\n", "--repos", "aperture,fungal"],
        ["realm", "admin", "binding", "s3-access", "--update", "--import", "s3-permissions@>=1.0.0\n<2.0.0"],
        ["realm", "admin", "join", "letemcook", "--repo", "fungal\n", "--update"],
    ):
        r = blue(world.fungal, *args)
        assert r.code == 64, (args, r.err)
        assert "Traceback" not in r.err
    assert git(world.realm.root, "status", "--porcelain") == ""
    assert git(world.realm.root, "log", "--format=%s") == "sample realm"
