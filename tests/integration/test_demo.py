"""`blue demo`: the demo workspace (real git, a bare remote) and the sample dialogues in DynamoDB Local."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.demo import import_samples, workspace
from blue_tui.core.demo.workspace import DemoError
from blue_tui.core.realm import git
from blue_tui.core.realm.check import CheckOptions, run_check
from blue_tui.core.realm.contract_view import default_pair, diff, matrix, versions
from blue_tui.core.realm.graph_view import build_graph
from blue_tui.core.realm.history import ContractHistory
from blue_tui.core.realm.index import read_index
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import find_realm
from blue_tui.core.store.dialogue_store import DialogueStore
from tests.conftest import run_blue

pytestmark = pytest.mark.integration


def realm_settings(tmp_path: Path, name: str = "a") -> Settings:
    home = tmp_path / name
    return Settings.from_env({"HOME": str(home), "BLUE_HOME": str(home / ".blue")})


def test_the_demo_tells_the_issue_story(tmp_path: Path) -> None:
    settings = realm_settings(tmp_path)
    built = workspace.build(settings)
    assert built.built and (built.root / workspace.MARKER).is_file()
    realm = load_realm(built.realm)
    assert realm.problems == []
    assert sorted(realm.repos) == ["aperture", "fungal", "notebooks", "web"]
    assert sorted(realm.domains) == built.domains
    # a bare remote holding the realm's history
    assert git.run(["rev-parse", "--is-bare-repository"], built.remote).stdout.strip() == b"true"
    assert git.resolve(built.remote, "main") == realm.commit
    # the code repos are members, found through the index
    located = find_realm(settings, None, built.repos["fungal"])
    assert located.root == built.realm.resolve() and located.member("demo") == "fungal"
    # chain aperture -> fungal -> web, one out-of-range import, marked in the graph
    report = run_check(located, CheckOptions(modes=("contract",), run_hooks=False))
    graph = build_graph(realm, report.problems)
    edges = {(e.provider, e.consumer): e.state for e in graph.edges}
    assert edges == {
        ("aperture", "fungal"): "unsatisfied",
        ("fungal", "web"): "ok",
        ("aperture", "notebooks"): "ok",
    }
    assert [p.rule for p in report.problems] == ["import-unsatisfied"]
    # one contract with three versions in history, the last one breaking
    history = ContractHistory(realm)
    known = versions(realm, history, "s3-access", "s3-permissions")
    assert known == ["1.0.0", "1.1.0", "2.0.0"]
    latest = diff(realm, history, "s3-access", "s3-permissions", *default_pair(known))
    assert [(v.direction, v.verdict) for v in latest.directions] == [("backward", False), ("forward", False)]
    assert latest.required_bump == "major"
    assert "TYPE_CHANGED" in [c["rule"] for c in latest.changes]
    earlier = diff(realm, history, "s3-access", "s3-permissions", "1.0.0", "1.1.0")
    assert [v.verdict for v in earlier.directions] == [True, True]
    assert any(r.tag == "insert" and '"write"' in r.right for r in earlier.rows)
    found = matrix(realm, "s3-access", "s3-permissions")
    assert found is not None and found["can_merge"] is False
    assert [c["verdict"] for c in found["rows"][0]["cells"]] == ["ok", "ok", "excluded"]


def test_the_demo_is_the_same_on_every_machine_and_built_once(tmp_path: Path) -> None:
    first = workspace.build(realm_settings(tmp_path, "a"))
    second = workspace.build(realm_settings(tmp_path, "b"))
    assert git.head(first.realm) == git.head(second.realm)
    again = workspace.build(realm_settings(tmp_path, "a"))
    assert again.built is False and again.realm == first.realm


def test_reset_deletes_only_what_the_demo_made(tmp_path: Path) -> None:
    settings = realm_settings(tmp_path)
    built = workspace.build(settings)
    assert workspace.remove(settings) is True
    assert not built.root.exists() and read_index(settings).get("demo") is None
    mine = workspace.demo_root(settings)
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(DemoError) as err:
        workspace.remove(settings)
    assert "was not made by `blue demo`" in err.value.message
    with pytest.raises(DemoError):
        workspace.build(settings)
    assert (mine / "notes.txt").read_text() == "mine"


def test_another_realm_named_demo_is_not_taken_over(tmp_path: Path) -> None:
    settings = realm_settings(tmp_path)
    settings.blue_home.mkdir(parents=True)
    other = tmp_path / "elsewhere"
    settings.index_path.write_text(f"realms:\n  - name: demo\n    path: {other}\n")
    with pytest.raises(DemoError) as err:
        workspace.build(settings)
    assert "a realm named 'demo' is already in" in err.value.message
    assert not workspace.demo_root(settings).exists()


def test_samples_import_once_then_unchanged(settings: Settings) -> None:
    store = DialogueStore(settings)
    first = import_samples(store)
    assert sorted(r.id for r in first) == [
        "2026-01-26T0200Z-format-contract",
        "cross-repo-realms-refinement",
        "local-prod-parity",
        "v2-pastry-panel",
    ]
    assert {r.status for r in first} == {"created"}
    assert {r.status for r in import_samples(store)} == {"unchanged"}


def test_blue_demo_without_a_terminal_prints_what_it_built(blue_env: dict[str, str]) -> None:
    done = run_blue("demo", env=blue_env)
    assert done.returncode == 0, done.stderr
    home = Path(blue_env["BLUE_HOME"])
    assert f"blue demo: built {home / 'demo'}" in done.stdout
    assert "dialogues  4 in table" in done.stdout and "(4 imported now, 0 already there)" in done.stdout
    assert done.stdout.rstrip().endswith("open the dashboard:\n  blue-tui --realm demo")
    again = run_blue("demo", "--json", env=blue_env)
    out = json.loads(again.stdout)
    assert again.returncode == 0 and out["built"] is False and out["command"] == "blue-tui --realm demo"
    assert {d["status"] for d in out["dialogues"]} == {"unchanged"}
    reset = run_blue("demo", "--reset", env=blue_env)
    assert reset.returncode == 0 and f"blue demo: built {home / 'demo'}" in reset.stdout
    assert f"removed {home / 'demo'}" in reset.stderr


def test_blue_demo_refuses_a_real_table(blue_env: dict[str, str], tmp_path: Path) -> None:
    done = run_blue("demo", env={**blue_env, "DYNAMODB_ENDPOINT": "aws"})
    assert done.returncode == 1
    assert "imports sample dialogues only into DynamoDB Local" in done.stderr
    assert "hint: unset DYNAMODB_ENDPOINT" in done.stderr
    assert not (Path(blue_env["BLUE_HOME"]) / "demo").exists()
