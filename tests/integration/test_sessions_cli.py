"""`blue session`, `blue notifications`, and the sessions side of `blue realm admin` / `status`."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from realm_builders import SCHEMA_BROKEN, SCHEMA_V2, isolate, member_repo, register, run_blue, sample_realm

from blue_tui.cli import main
from blue_tui.core.config import Settings
from blue_tui.core.sessions import SessionSpec, open_sessions

pytestmark = pytest.mark.integration


@pytest.fixture
def renv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return isolate(tmp_path, monkeypatch)


@pytest.fixture
def repos(renv: dict[str, str], tmp_path: Path) -> dict[str, Path]:
    """letemcook: aperture owns s3-access/s3-permissions 1.0.0, fungal imports it; web is in no domain."""
    b = sample_realm(tmp_path / "realm")
    register(Path(renv["BLUE_HOME"]), "letemcook", b.root)
    out = {name: member_repo(tmp_path / name, "letemcook", name) for name in ("aperture", "fungal", "web")}
    for name, schema in (("v2.json", SCHEMA_V2), ("broken.json", SCHEMA_BROKEN)):
        (tmp_path / name).write_text(json.dumps(schema))
    out["schemas"] = tmp_path
    return out


def blue(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def update(capsys: Any, monkeypatch: Any, repos: dict[str, Path], schema: str, version: str) -> None:
    code, _, err = blue(
        capsys,
        monkeypatch,
        repos["aperture"],
        "realm", "admin", "contract", "s3-permissions", "--domain", "s3-access", "--update",
        "--schema", str(repos["schemas"] / schema), "--version", version, "--changes", f"to {version}",
    )  # fmt: skip
    assert code == 0, err


def notes(capsys: Any, monkeypatch: Any, cwd: Path, *extra: str) -> dict[str, Any]:
    code, out, err = blue(capsys, monkeypatch, cwd, "notifications", "list", "--json", *extra)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_a_contract_update_notifies_the_repos_of_its_domain(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    update(capsys, monkeypatch, repos, "v2.json", "1.1.0")
    update(capsys, monkeypatch, repos, "broken.json", "2.0.0")
    data = notes(capsys, monkeypatch, repos["fungal"])
    assert data["viewer"] == {"realm": "letemcook", "repo": "fungal", "domains": ["s3-access"]}
    got = [
        (n["change_type"], n["from_version"], n["to_version"], n["from_repo"]) for n in data["notifications"]
    ]
    assert got == [("breaking", "1.1.0", "2.0.0", "aperture"), ("updated", "1.0.0", "1.1.0", "aperture")]
    assert data["notifications"][0]["summary"] == "to 2.0.0" and len(data["notifications"][0]["commit"]) == 40
    assert notes(capsys, monkeypatch, repos["web"])["notifications"] == []  # not in the domain
    assert notes(capsys, monkeypatch, repos["aperture"])["notifications"] == []  # its own change


def test_a_new_contract_notifies_as_new_and_a_metadata_edit_does_not(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = blue(
        capsys, monkeypatch, repos["aperture"],
        "realm", "admin", "contract", "s3-audit", "--domain", "s3-access", "--schema", str(repos["schemas"] / "v2.json"),
    )  # fmt: skip
    assert code == 0, err
    code, _, err = blue(
        capsys, monkeypatch, repos["aperture"],
        "realm", "admin", "contract", "s3-audit", "--domain", "s3-access", "--update", "--description", "who read what",
    )  # fmt: skip
    assert code == 0, err
    [n] = notes(capsys, monkeypatch, repos["fungal"])["notifications"]
    assert (n["contract"], n["change_type"], n["from_version"], n["to_version"]) == (
        "s3-audit",
        "new",
        None,
        "1.0.0",
    )


def test_ack_by_id_and_all_then_states(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    update(capsys, monkeypatch, repos, "v2.json", "1.1.0")
    update(capsys, monkeypatch, repos, "broken.json", "2.0.0")
    newer, older = (n["id"] for n in notes(capsys, monkeypatch, repos["fungal"])["notifications"])
    code, out, _ = blue(capsys, monkeypatch, repos["fungal"], "notifications", "ack", str(older))
    assert code == 0 and out == f"acknowledged 1 for repo 'fungal' in realm 'letemcook': {older}\n"
    assert [n["id"] for n in notes(capsys, monkeypatch, repos["fungal"])["notifications"]] == [newer]
    assert [
        n["id"] for n in notes(capsys, monkeypatch, repos["fungal"], "--state", "seen")["notifications"]
    ] == [older]
    code, out, _ = blue(capsys, monkeypatch, repos["fungal"], "notifications", "ack", "--all", "--json")
    assert code == 0 and json.loads(out)["acknowledged"] == [newer]
    code, out, _ = blue(capsys, monkeypatch, repos["fungal"], "notifications", "list")
    assert code == 0 and out == "no pending notifications for repo 'fungal' in realm 'letemcook'\n"
    states = [
        n["state"] for n in notes(capsys, monkeypatch, repos["fungal"], "--state", "all")["notifications"]
    ]
    assert states == ["seen", "seen"]


def test_ack_mistakes_get_clear_messages(
    repos: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    update(capsys, monkeypatch, repos, "v2.json", "1.1.0")
    code, _, err = blue(capsys, monkeypatch, repos["fungal"], "notifications", "ack", "999")
    assert code == 1 and "no notification 999 for repo 'fungal'" in err and "--state all" in err
    code, _, err = blue(capsys, monkeypatch, repos["fungal"], "notifications", "ack")
    assert code == 64 and "give notification ids or --all" in err
    code, _, err = blue(capsys, monkeypatch, repos["fungal"], "notifications", "ack", "1", "--all")
    assert code == 64
    outside = tmp_path / "nowhere"
    outside.mkdir()
    code, _, err = blue(capsys, monkeypatch, outside, "notifications", "ack", "--all")
    assert code == 1 and "needs a repo" in err and "--realm NAME --repo NAME" in err
    code, out, _ = blue(
        capsys,
        monkeypatch,
        outside,
        "notifications",
        "ack",
        "--all",
        "--realm",
        "letemcook",
        "--repo",
        "fungal",
    )
    assert code == 0 and "acknowledged 1" in out
    code, _, err = blue(
        capsys, monkeypatch, outside, "notifications", "list", "--realm", "letemcook", "--repo", "ghost"
    )
    assert code == 1 and "no repo 'ghost' in realm 'letemcook'" in err


def test_expired_ones_are_listable_with_state_expired(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    update(capsys, monkeypatch, repos, "v2.json", "1.1.0")
    raw = sqlite3.connect(Settings.from_env().sessions_db)
    raw.execute("UPDATE notifications SET created_at = created_at - 8 * 86400")
    raw.commit()
    raw.close()
    assert notes(capsys, monkeypatch, repos["fungal"])["notifications"] == []
    [n] = notes(capsys, monkeypatch, repos["fungal"], "--state", "expired")["notifications"]
    assert n["state"] == "expired" and n["to_version"] == "1.1.0"
    monkeypatch.setenv("BLUE_NOTIFICATIONS_TTL_DAYS", "30")
    assert [x["state"] for x in notes(capsys, monkeypatch, repos["fungal"])["notifications"]] == ["pending"]


def test_realm_status_shows_sessions_and_pending_notifications(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    update(capsys, monkeypatch, repos, "broken.json", "2.0.0")
    settings = Settings.from_env()
    with open_sessions(settings) as db:
        mine = db.register(
            SessionSpec("dashboard", realm="letemcook", repo="fungal", rfc="training-metrics-v2")
        )
        db.register(SessionSpec("dashboard", realm="letemcook", repo="aperture"))
        db.register(SessionSpec("dashboard", realm="elsewhere", repo="x"))
    code, out, _ = blue(capsys, monkeypatch, repos["fungal"], "realm", "status", "--json")
    data = json.loads(out)
    assert code == 0 and data["sessions_db"]["problem"] is None
    assert [(s["repo"], s["you"], s["activity"]) for s in data["sessions"]] == [
        ("fungal", True, "working on training-metrics-v2"),
        ("aperture", False, "idle"),
    ]
    [n] = data["notifications"]
    assert n["headline"] == "aperture updated s3-access/s3-permissions 1.0.0 -> 2.0.0 (breaking)"
    assert n["your_import"] == {
        "range": ">=1.0.0 <2.0.0",
        "resolved_version": "1.0.0",
        "state": "unsatisfied",
    }
    code, out, _ = blue(capsys, monkeypatch, repos["fungal"], "realm", "status")
    assert (
        "Active sessions in realm:\n  - fungal (you) - working on training-metrics-v2 [dashboard, pid" in out
    )
    assert "  - aperture - idle [dashboard" in out
    assert (
        f"  !! #{n['id']} " in out
        and "ago: aperture updated s3-access/s3-permissions 1.0.0 -> 2.0.0 (breaking)" in out
    )
    assert (
        "your import (>=1.0.0 <2.0.0, resolved 1.0.0) is unsatisfied: see `blue realm check --mode importer`"
        in out
    )
    with open_sessions(settings) as db:
        db.deregister(mine.id)


def test_realm_status_survives_a_broken_sessions_db(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Settings.from_env().sessions_db
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not mine")
    code, out, err = blue(capsys, monkeypatch, repos["fungal"], "realm", "status")
    assert code == 0 and "Realm: letemcook" in out
    assert f"warning: sessions: {path} is not a blue sessions database" in err and "blue session reset" in err
    assert path.read_text() == "not mine"


def test_realm_admin_commands_hold_a_session_while_they_run(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from blue_tui.core.realm import admin

    seen: list[list[tuple[str | None, str | None, str | None, tuple[str, ...]]]] = []
    real = admin.set_contract

    def observed(*args: Any, **kw: Any) -> Any:
        with open_sessions(Settings.from_env()) as db:
            seen.append([(s.realm, s.repo, s.command, s.active_domains) for s in db.sessions()])
        return real(*args, **kw)

    monkeypatch.setattr(admin, "set_contract", observed)
    update(capsys, monkeypatch, repos, "v2.json", "1.1.0")
    assert seen == [[("letemcook", "aperture", "blue realm admin contract", ("s3-access",))]]
    with open_sessions(Settings.from_env()) as db:
        assert db.sessions() == []


def test_realm_admin_warns_about_a_broken_sessions_db_and_goes_on(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Settings.from_env().sessions_db
    path.parent.mkdir(parents=True, exist_ok=True)
    junk = b"SQLite format 3\x00" + os.urandom(3000)
    path.write_bytes(junk)
    code, out, err = blue(
        capsys, monkeypatch, repos["aperture"],
        "realm", "admin", "contract", "s3-permissions", "--domain", "s3-access", "--update",
        "--schema", str(repos["schemas"] / "v2.json"), "--version", "1.1.0",
    )  # fmt: skip
    assert code == 0 and "updated contract s3-access/s3-permissions 1.0.0 -> 1.1.0" in out
    assert err.count("warning: sessions:") == 1 and "blue session reset" in err
    assert path.read_bytes() == junk


# ---- subprocess: what a user runs ------------------------------------------------------------------


def test_session_commands_on_a_foreign_file_and_reset(renv: dict[str, str], tmp_path: Path) -> None:
    path = Path(renv["XDG_RUNTIME_DIR"]) / "blue" / "sessions.db"
    path.parent.mkdir(parents=True)
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE photos (id INTEGER, name TEXT)")
    other.commit()
    other.close()
    before = path.read_bytes()
    for args in (["session", "list"], ["notifications", "list"], ["session", "start"]):
        r = run_blue(args, cwd=tmp_path, env=renv)
        assert r.returncode == 1, r.stderr
        assert r.stderr.startswith(f"blue: error: {path} is not a blue sessions database")
        assert "hint: run `blue session reset`" in r.stderr and "Traceback" not in r.stderr
    assert path.read_bytes() == before
    r = run_blue(["session", "reset", "--json"], cwd=tmp_path, env=renv)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["action"] == "moved" and Path(result["moved_to"]).read_bytes() == before
    r = run_blue(["session", "list", "--json"], cwd=tmp_path, env=renv)
    assert r.returncode == 0 and json.loads(r.stdout)["sessions"] == []
    r = run_blue(["session", "reset"], cwd=tmp_path, env=renv)
    assert r.returncode == 0 and r.stdout.startswith(
        f"cleared {path}: 0 sessions and 0 notifications removed"
    )


def test_session_list_without_a_database_creates_nothing(renv: dict[str, str], tmp_path: Path) -> None:
    r = run_blue(["session", "list"], cwd=tmp_path, env=renv)
    assert r.returncode == 0 and r.stdout.startswith("no live sessions")
    assert not (Path(renv["XDG_RUNTIME_DIR"]) / "blue").exists()


def test_a_script_session_lives_as_long_as_the_script(
    repos: dict[str, Path], renv: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "job.sh"
    script.write_text(
        textwrap.dedent(
            f"""\
            set -e
            SID=$({sys.executable} -m blue_tui session start --rfc rfc-42 --domain s3-access)
            echo "$SID"
            {sys.executable} -m blue_tui session list --json
            {sys.executable} -m blue_tui session stop
            {sys.executable} -m blue_tui session list --json
            SID2=$({sys.executable} -m blue_tui session start --command nightly)
            echo "$SID2"
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BLUE_", "GIT_"))} | renv
    r = subprocess.run(
        ["bash", str(script)], cwd=repos["fungal"], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    sid = lines[0]
    listing, rest = _json_prefix("\n".join(lines[1:]))
    [s] = listing["sessions"]
    assert (s["id"], s["kind"], s["repo"], s["realm"], s["rfc"], s["active_domains"]) == (
        sid, "script", "fungal", "letemcook", "rfc-42", ["s3-access"],
    )  # fmt: skip
    assert rest.startswith(f"stopped {sid}\n")
    after, rest = _json_prefix(rest[len(f"stopped {sid}\n") :])
    assert after["sessions"] == []
    sid2 = rest.strip()
    # The script has exited: its keeper notices within a poll and removes the session.
    deadline = time.monotonic() + 10
    with open_sessions(Settings.from_env(renv)) as db:
        while db.session(sid2) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert db.session(sid2) is None


def _json_prefix(text: str) -> tuple[dict[str, Any], str]:
    value, end = json.JSONDecoder().raw_decode(text)
    return value, text[end:].lstrip("\n")


def test_stop_of_an_unknown_session_is_a_clear_error(renv: dict[str, str], tmp_path: Path) -> None:
    r = run_blue(["session", "stop", "feedbeef"], cwd=tmp_path, env=renv)
    assert r.returncode == 1 and "no live session 'feedbeef'" in r.stderr and "blue session list" in r.stderr
    r = run_blue(["session", "stop"], cwd=tmp_path, env=renv)
    assert r.returncode == 1 and "started by this shell" in r.stderr
