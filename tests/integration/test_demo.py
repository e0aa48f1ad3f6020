"""`blue demo`: the demo workspace (real git, a bare remote) and the sample dialogues in DynamoDB Local."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.demo import import_samples, workspace
from blue_tui.core.demo.workspace import DemoError
from blue_tui.core.realm import git
from blue_tui.core.realm.check import CheckOptions, run_check
from blue_tui.core.realm.clone import checkouts
from blue_tui.core.realm.contract_view import default_pair, diff, matrix, versions
from blue_tui.core.realm.graph_view import build_graph
from blue_tui.core.realm.history import ContractHistory
from blue_tui.core.realm.index import read_index
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import find_realm
from blue_tui.core.sessions import Session, Viewer, open_sessions
from blue_tui.core.sessions.realmview import viewer_for
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
    # a bare remote holding the realm's history but the last step: aperture's breaking change,
    # made by `blue realm admin contract` and not yet synced
    assert git.run(["rev-parse", "--is-bare-repository"], built.remote).stdout.strip() == b"true"
    assert git.resolve(built.remote, "main") == git.resolve(built.realm, "HEAD~1")
    subject = git.run(["log", "-1", "--format=%s"], built.realm).stdout.decode().strip()
    assert subject == "realm: update contract s3-access/s3-permissions 1.1.0 -> 2.0.0 (major)"
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
    try:
        done = run_blue("demo", env=blue_env)
        assert done.returncode == 0, done.stderr
        home = Path(blue_env["BLUE_HOME"])
        assert f"blue demo: built {home / 'demo'}" in done.stdout
        assert "dialogues  4 in table" in done.stdout and "(4 imported now, 0 already there)" in done.stdout
        assert "  sessions   fungal (session " in done.stdout
        assert "in the background for 15 min (`blue session stop ID` ends one)" in done.stdout
        assert done.stdout.rstrip().endswith("open the dashboard:\n  blue-tui --realm demo")
        again = run_blue("demo", "--json", env=blue_env)
        out = json.loads(again.stdout)
        assert again.returncode == 0 and out["built"] is False and out["command"] == "blue-tui --realm demo"
        assert {d["status"] for d in out["dialogues"]} == {"unchanged"}
        reset = run_blue("demo", "--reset", env=blue_env)
        assert reset.returncode == 0 and f"blue demo: built {home / 'demo'}" in reset.stdout
        assert f"removed {home / 'demo'}" in reset.stderr
    finally:
        _stop_demo_sessions(Settings.from_env(blue_env))


def test_blue_demo_refuses_a_real_table(blue_env: dict[str, str], tmp_path: Path) -> None:
    done = run_blue("demo", env={**blue_env, "DYNAMODB_ENDPOINT": "aws"})
    assert done.returncode == 1
    assert "imports sample dialogues only into DynamoDB Local" in done.stderr
    assert "hint: unset DYNAMODB_ENDPOINT" in done.stderr
    assert not (Path(blue_env["BLUE_HOME"]) / "demo").exists()


# ---- what `blue demo` adds for the live panes -------------------------------------------------------


def test_the_breaking_change_comes_through_the_admin_path(tmp_path: Path) -> None:
    settings = realm_settings(tmp_path)
    built = workspace.build(settings)
    with open_sessions(settings) as db:
        notes = db.notifications(Viewer(realm="demo"), state="all")
        fungal = db.notifications(viewer_for(load_realm(built.realm), "fungal"), state="pending")
        aperture = db.notifications(viewer_for(load_realm(built.realm), "aperture"), state="all")
    assert [n.headline for n in notes] == [
        "aperture updated s3-access/s3-permissions 1.1.0 -> 2.0.0 (breaking)"
    ]
    note = notes[0]
    # the admin command's own commit, judged by the checker (evolution records the verdict)
    assert note.breaking and note.commit == git.head(built.realm)
    assert note.summary == "read becomes an object with prefixes"
    assert [n.id for n in fungal] == [note.id]  # fungal imports it: pending there
    assert [(n.id, n.state) for n in aperture] == [(note.id, "seen")]  # the changing repo saw it
    contract = load_realm(built.realm).contract("s3-access", "s3-permissions")
    assert contract is not None and contract.evolution[-1].compatible is False
    # the checkouts are known, so worktree and sync commands find every demo repo
    assert checkouts(settings, "demo") == {name: path.resolve() for name, path in built.repos.items()}


def test_an_interrupted_build_is_built_again(tmp_path: Path) -> None:
    settings = realm_settings(tmp_path)
    built = workspace.build(settings)
    (built.root / workspace.DONE).unlink()  # as if the last step had not finished
    again = workspace.build(settings)
    assert again.built is True and (again.root / workspace.DONE).is_file()
    assert git.head(again.realm) == git.head(built.realm)


def _keeper(settings: Settings, repo: str, *extra: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "blue_tui.cli.demo", "keep", repo, *extra],
        env=workspace.child_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def _live(settings: Settings) -> dict[str, Session]:
    with open_sessions(settings) as db:
        return {s.id: s for s in db.sessions(realm="demo")}


def _wait_until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_a_background_session_beats_and_ends_with_what_it_watches(tmp_path: Path) -> None:
    settings = realm_settings(tmp_path)
    workspace.build(settings)
    watched = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    proc, ident = _keeper(settings, "fungal", "--watch", str(watched.pid), "--interval", "0.3")
    try:
        first = _live(settings)[ident]
        assert (first.repo, first.kind, first.pid) == ("fungal", "dashboard", proc.pid)
        assert first.active_domains == ("image-results", "s3-access")
        assert _wait_until(lambda: _live(settings)[ident].last_heartbeat > first.last_heartbeat, 10)
        watched.kill()
        watched.wait()
        assert proc.wait(10) == 0  # the watched process ended: it leaves, and deregisters
        assert ident not in _live(settings)
    finally:
        watched.kill()
        proc.kill()


def test_a_killed_background_session_vanishes_and_a_stopped_one_leaves(tmp_path: Path) -> None:
    settings = realm_settings(tmp_path)
    workspace.build(settings)
    killed, killed_id = _keeper(settings, "fungal")
    stopped, stopped_id = _keeper(settings, "web", "--lifetime", "60")
    try:
        assert {killed_id, stopped_id} <= set(_live(settings))
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        # its pid is gone: the next look on this machine removes it (the rule's bound is 30 s)
        assert _wait_until(lambda: killed_id not in _live(settings), 30)
        assert stopped_id in _live(settings)
        done = subprocess.run(
            [sys.executable, "-m", "blue_tui", "session", "stop", stopped_id],
            env=workspace.child_env(settings),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert stopped.wait(10) == 0  # it noticed its row was removed and left
        assert stopped_id not in _live(settings)
    finally:
        killed.kill()
        stopped.kill()


def test_a_background_session_ends_when_its_lifetime_runs_out(tmp_path: Path) -> None:
    settings = realm_settings(tmp_path)
    workspace.build(settings)
    proc, ident = _keeper(settings, "web", "--lifetime", "1.5")
    try:
        assert _live(settings)[ident].rfc == "detections-v2"
        assert proc.wait(15) == 0
        assert ident not in _live(settings)
    finally:
        proc.kill()


def test_blue_demo_starts_two_background_sessions_and_replaces_them(blue_env: dict[str, str]) -> None:
    settings = Settings.from_env(blue_env)
    first = json.loads(run_blue("demo", "--json", env=blue_env).stdout)["sessions"]
    try:
        assert [s["repo"] for s in first] == ["fungal", "web"]
        live = _live(settings)
        assert {s["id"] for s in first} <= set(live)
        assert all(live[s["id"]].pid == s["pid"] for s in first)
        assert all(s["lifetime_seconds"] == 900 for s in first)
        second = json.loads(run_blue("demo", "--json", env=blue_env).stdout)["sessions"]
        # the earlier pair is replaced, not joined: one fungal and one web at a time
        assert _wait_until(lambda: set(_live(settings)) == {s["id"] for s in second}, 10)
        old_pids = [int(s["pid"]) for s in first]
        assert _wait_until(lambda: not any(_alive(pid) for pid in old_pids), 10)
    finally:
        _stop_demo_sessions(settings)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", "rb") as fh:
        return fh.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")


def _stop_demo_sessions(settings: Settings) -> None:
    """Leave no background process behind the test (SIGTERM: they deregister)."""
    if not settings.sessions_db.exists():
        return
    for session in _live(settings).values():
        if session.command and session.command.endswith("(blue demo)"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(session.pid, signal.SIGTERM)
