"""`blue realm status` and the can-i-merge matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from realm_builders import (
    SCHEMA_BROKEN,
    SCHEMA_V2,
    isolate,
    member_repo,
    register,
    sample_realm,
)

from blue_tui.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture
def renv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return isolate(tmp_path, monkeypatch)


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str
) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = main(["realm", "status", *args])
    return code, capsys.readouterr().out


@pytest.fixture
def fungal(renv: dict[str, str], tmp_path: Path) -> Path:
    b = sample_realm(tmp_path / "realm")
    b.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_V2, ["1.0.0", "1.1.0"])
    b.commit("1.1.0 adds write (compatible)")
    b.contract("s3-access", "s3-permissions", "1.2.0", "aperture", SCHEMA_BROKEN, ["1.0.0", "1.1.0", "1.2.0"])
    b.commit("1.2.0 changes read items (breaks readers)")
    b.binding("s3-access", "web", imports=[("s3-permissions", "~1.1.0", "1.1.0")])
    b.domain("s3-access", ["aperture", "fungal", "web"])
    b.commit("web imports ~1.1")
    register(Path(renv["BLUE_HOME"]), "letemcook", b.root)
    return member_repo(tmp_path / "fungal", "letemcook", "fungal")


def test_status_json(
    fungal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = run(capsys, monkeypatch, fungal, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["repo"] == "fungal" and data["realm"]["name"] == "letemcook" and not data["realm"]["dirty"]
    [dom] = data["domains"]
    assert dom["direction"] == "aperture -> fungal, web"
    assert dom["contracts"] == [
        {
            "name": "s3-permissions",
            "version": "1.2.0",
            "owner": "aperture",
            "compatibility": "full_transitive",
            "policy": "lenient",
        }
    ]
    states = {b["repo"]: [i["state"] for i in b["imports"]] for b in dom["bindings"]}
    assert states == {"aperture": [], "fungal": ["stale"], "web": ["unsatisfied"]}
    assert data["merge_order"] == [["aperture"], ["fungal", "web"]]
    assert [r["name"] for r in data["repos"] if r["you"]] == ["fungal"]


def test_matrix(fungal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(capsys, monkeypatch, fungal, "--json", "--matrix", "s3-access")
    assert code == 0
    [con] = json.loads(out)["matrix"]["contracts"]
    assert con["versions"] == ["1.0.0", "1.1.0", "1.2.0"] and con["current"] == "1.2.0"
    rows = {r["repo"]: [c["verdict"] for c in r["cells"]] for r in con["rows"]}
    # fungal resolved 1.0.0: reads 1.1.0 (lenient: optional field added), cannot read 1.2.0.
    assert rows["fungal"] == ["ok", "ok", "breaks"]
    # web's ~1.1.0 excludes 1.0.0 and 1.2.0.
    assert rows["web"] == ["excluded", "ok", "excluded"]
    assert con["can_merge"] is False
    code, text = run(capsys, monkeypatch, fungal, "--matrix", "s3-access")
    assert "BREAKS" in text and "can merge: NO" in text and "1.2.0*" in text
    monkeypatch.chdir(fungal)
    assert main(["realm", "status", "--matrix", "nope"]) == 1


def test_status_text(
    fungal: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = run(capsys, monkeypatch, fungal)
    assert code == 0
    assert "Realm: letemcook" in out and "You are: fungal" in out
    assert "aperture -> fungal, web" in out and "unsatisfied" in out
    assert "Merge order (providers first; '|' separates waves): aperture | fungal, web" in out
