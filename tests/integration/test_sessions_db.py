"""sessions.db on real files: sessions, staleness, notifications, acks, expiry, safety of the file."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.sessions import (
    ContractChange,
    NoSuchNotification,
    SessionsDb,
    SessionsDbCorrupt,
    SessionsDbForeign,
    SessionsDbNewer,
    SessionsDbUnsafe,
    SessionsError,
    SessionSpec,
    SyncSessionsDb,
    Viewer,
    open_sessions,
    schema,
)
from blue_tui.core.sessions.lease import SessionLease, held_session

pytestmark = pytest.mark.integration

DAY = 86400.0


class FixedClock:
    """Stands still unless a test moves it; starts at the real time, so other processes agree."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def db(tmp_path: Path, clock: FixedClock) -> SyncSessionsDb:
    with SyncSessionsDb.open(tmp_path / "run" / "sessions.db", clock=clock) as handle:
        yield handle


def change(to: str = "1.1.0", frm: str | None = "1.0.0", ok: bool | None = True, **kw: str) -> ContractChange:
    return ContractChange(
        realm=kw.get("realm", "letemcook"),
        domain=kw.get("domain", "s3-access"),
        contract=kw.get("contract", "s3-permissions"),
        from_repo=kw.get("owner", "aperture"),
        to_version=to,
        from_version=frm,
        compatible=ok,
        summary=kw.get("summary", ""),
    )


FUNGAL = Viewer("letemcook", "fungal", frozenset({"s3-access"}))
WEB = Viewer("letemcook", "web", frozenset({"billing"}))
APERTURE = Viewer("letemcook", "aperture", frozenset({"s3-access"}))


# ---- sessions ----------------------------------------------------------------------------------------


def test_register_heartbeat_deregister(db: SyncSessionsDb, clock: FixedClock) -> None:
    s = db.register(
        SessionSpec("dashboard", realm="letemcook", repo="aperture", active_domains=("s3-access",))
    )
    assert s.pid == os.getpid() and s.state == "active" and s.activity == "working on s3-access"
    clock.now += 8
    assert db.heartbeat(s.id)
    [seen] = db.sessions(realm="letemcook")
    assert seen.id == s.id and seen.last_heartbeat == clock.now and seen.heartbeat_age == 0
    assert db.sessions(realm="other") == []
    assert db.update_session(s.id, rfc="training-metrics-v2", active_domains=())
    assert db.sessions()[0].activity == "working on training-metrics-v2"
    assert db.deregister(s.id)
    assert db.sessions() == [] and not db.heartbeat(s.id) and not db.deregister(s.id)


def test_ids_are_unique_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    ids = set()
    for _ in range(5):
        with SyncSessionsDb.open(path) as handle:
            for _ in range(40):
                s = handle.register(SessionSpec("cli"))
                ids.add(s.id)
                handle.deregister(s.id)
    assert len(ids) == 200


def test_late_then_stale_by_age_and_reaped_by_whoever_looks(db: SyncSessionsDb, clock: FixedClock) -> None:
    s = db.register(SessionSpec("dashboard", repo="aperture"))
    clock.now += 20
    [late] = db.sessions()
    assert late.state == "late" and late.heartbeat_age == 20
    clock.now += 11
    assert db.sessions() == []
    raw = sqlite3.connect(db.path)
    assert raw.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0  # removed, not just hidden
    raw.close()
    assert db.session(s.id) is None


def test_reap_returns_the_removed_sessions_once(db: SyncSessionsDb, clock: FixedClock) -> None:
    a = db.register(SessionSpec("cli", repo="a"))
    b = db.register(SessionSpec("cli", repo="b"))
    clock.now += 25
    db.heartbeat(b.id)
    clock.now += 10
    reaped = db.reap()
    assert [r.id for r in reaped] == [a.id] and reaped[0].repo == "a"
    assert db.reap() == []
    assert [s.id for s in db.sessions()] == [b.id]


def test_a_killed_process_leaves_no_ghost(db: SyncSessionsDb) -> None:
    code = (
        "import sys, time\n"
        "from blue_tui.core.sessions import SessionSpec, SyncSessionsDb\n"
        "with SyncSessionsDb.open(__import__('pathlib').Path(sys.argv[1])) as db:\n"
        "    print(db.register(SessionSpec('dashboard', repo='ghost')).id, flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(db.path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ghost = proc.stdout.readline().strip()
    assert [s.id for s in db.sessions()] == [ghost]
    proc.kill()
    proc.wait()
    # The heartbeat is fresh (by the fixed clock), but its pid is gone on this host: stale now.
    assert db.sessions() == []


def test_a_session_on_another_host_is_judged_by_age_only(db: SyncSessionsDb, clock: FixedClock) -> None:
    s = db.register(SessionSpec("dashboard", pid=2**22 + 7))
    raw = sqlite3.connect(db.path)
    raw.execute("UPDATE sessions SET host = 'elsewhere' WHERE id = ?", [s.id])
    raw.commit()
    raw.close()
    assert [x.host for x in db.sessions()] == ["elsewhere"]
    clock.now += 31
    assert db.sessions() == []


# ---- notifications -----------------------------------------------------------------------------------


def test_the_same_change_twice_is_one_row(db: SyncSessionsDb) -> None:
    first = db.notify(change(summary="first words"))
    assert first is not None and first.change_type == "updated"
    assert db.notify(change(summary="other words")) is None
    [only] = db.notifications(FUNGAL)
    assert only.id == first.id and only.summary == "first words"


def test_acknowledged_per_repo_and_never_pending_for_the_changer(db: SyncSessionsDb) -> None:
    n = db.notify(change("2.0.0", ok=False))
    assert n is not None and n.breaking and n.acked_by == ("aperture",)
    assert db.notifications(APERTURE) == []
    assert [x.state for x in db.notifications(APERTURE, state="all")] == ["seen"]
    other_fungal_session = Viewer("letemcook", "fungal", frozenset({"s3-access"}), session_id="s2")
    assert [x.id for x in db.notifications(FUNGAL)] == [n.id]
    assert db.acknowledge(FUNGAL, [n.id]) == [n.id]
    assert db.notifications(other_fungal_session) == []  # the repo's ack holds for all its sessions
    assert db.acknowledge(FUNGAL, [n.id]) == []  # idempotent
    [seen] = db.notifications(FUNGAL, state="seen")
    assert seen.acked_by == ("aperture", "fungal")


def test_session_acks_without_a_repo(db: SyncSessionsDb) -> None:
    n = db.notify(change())
    assert n is not None
    mine, theirs = Viewer(session_id="s1"), Viewer(session_id="s2")
    assert db.acknowledge(mine) == [n.id]
    assert db.notifications(mine) == [] and [x.id for x in db.notifications(theirs)] == [n.id]
    with pytest.raises(SessionsError, match="needs a repo"):
        db.acknowledge(Viewer())


def test_notifications_are_filtered_to_the_viewers_realm_and_domains(db: SyncSessionsDb) -> None:
    db.notify(change())
    db.notify(change(domain="billing", contract="invoice"))
    db.notify(change(realm="elsewhere"))
    assert [n.contract for n in db.notifications(FUNGAL)] == ["s3-permissions"]
    assert [n.contract for n in db.notifications(WEB)] == ["invoice"]
    assert len(db.notifications(Viewer())) == 3
    assert len(db.notifications(Viewer(realm="letemcook"))) == 2


def test_ack_of_an_unknown_or_invisible_id_acks_nothing(db: SyncSessionsDb) -> None:
    mine = db.notify(change())
    billing = db.notify(change(domain="billing", contract="invoice"))
    assert mine is not None and billing is not None
    with pytest.raises(NoSuchNotification, match=f"no notification {billing.id} for repo 'fungal'"):
        db.acknowledge(FUNGAL, [mine.id, billing.id])
    assert [n.id for n in db.notifications(FUNGAL)] == [mine.id]
    with pytest.raises(NoSuchNotification):
        db.acknowledge(FUNGAL, [9999])


def test_ack_all_takes_every_pending_one_and_nothing_else(db: SyncSessionsDb) -> None:
    ids = [n.id for n in (db.notify(change(to=f"1.{i}.0", frm=f"1.{i - 1}.0")) for i in range(1, 5)) if n]
    db.notify(change(domain="billing", contract="invoice"))
    assert db.acknowledge(FUNGAL) == ids
    assert db.acknowledge(FUNGAL) == []
    assert [n.state for n in db.notifications(WEB)] == ["pending"]


def test_expire_after_the_ttl_listable_until_purged(db: SyncSessionsDb, clock: FixedClock) -> None:
    old = db.notify(change())
    clock.now += 3 * DAY
    new = db.notify(change(to="1.2.0", frm="1.1.0"))
    assert old is not None and new is not None
    clock.now += 4 * DAY + 1  # old: 7 days + 1 s; new: 4 days
    assert [n.id for n in db.notifications(FUNGAL)] == [new.id]
    [expired] = db.notifications(FUNGAL, state="expired")
    assert expired.id == old.id and expired.state == "expired"
    assert [n.id for n in db.notifications(FUNGAL, state="all")] == [new.id, old.id]
    clock.now += 7 * DAY  # old: 14 days + 1 s: purged
    assert [n.id for n in db.notifications(FUNGAL, state="all")] == [new.id]
    raw = sqlite3.connect(db.path)
    assert [r[0] for r in raw.execute("SELECT id FROM notifications")] == [new.id]
    assert raw.execute("SELECT count(*) FROM acks WHERE notification_id = ?", [old.id]).fetchone()[0] == 0
    raw.close()


def test_the_ttl_is_configurable(tmp_path: Path, clock: FixedClock) -> None:
    settings = Settings.from_env(
        {
            "HOME": str(tmp_path),
            "BLUE_SESSIONS_DB": str(tmp_path / "s.db"),
            "BLUE_NOTIFICATIONS_TTL_DAYS": "1",
        }
    )
    with open_sessions(settings, clock=clock) as handle:
        handle.notify(change())
        clock.now += DAY + 1
        assert handle.notifications(FUNGAL) == []
        assert len(handle.notifications(FUNGAL, state="expired")) == 1


def test_summaries_are_stored_without_terminal_escapes(db: SyncSessionsDb) -> None:
    db.notify(change(summary="fine\x1b[2J\x1b]0;owned\x07 \u202etxt"))
    [n] = db.notifications(FUNGAL)
    assert "\x1b" not in n.summary and "\u202e" not in n.summary and "\x07" not in n.summary


def test_unknown_state_is_refused(db: SyncSessionsDb) -> None:
    with pytest.raises(SessionsError, match="unknown notification state 'new'"):
        db.notifications(FUNGAL, state="new")


# ---- the file ------------------------------------------------------------------------------------------


def env_for(tmp_path: Path, **extra: str) -> Settings:
    return Settings.from_env(
        {"HOME": str(tmp_path / "home"), "XDG_RUNTIME_DIR": str(tmp_path / "xdg"), **extra}
    )


def test_folder_0700_file_0600_and_wal(tmp_path: Path) -> None:
    settings = env_for(tmp_path)
    (tmp_path / "xdg" / "blue").mkdir(parents=True, mode=0o755)
    os.chmod(tmp_path / "xdg" / "blue", 0o755)
    with open_sessions(settings) as handle:
        handle.register(SessionSpec("cli"))
        assert settings.sessions_db == tmp_path / "xdg" / "blue" / "sessions.db"
        assert stat.S_IMODE(settings.sessions_db.parent.stat().st_mode) == 0o700
        for path in settings.sessions_db.parent.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        raw = sqlite3.connect(settings.sessions_db)
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
        raw.close()


def test_without_xdg_runtime_dir_it_lives_under_blue_home(tmp_path: Path) -> None:
    settings = Settings.from_env({"HOME": str(tmp_path), "BLUE_HOME": str(tmp_path / "b")})
    with open_sessions(settings) as handle:
        assert handle.path == tmp_path / "b" / "run" / "sessions.db"
    assert stat.S_IMODE((tmp_path / "b" / "run").stat().st_mode) == 0o700


def test_a_folder_or_file_of_another_user_is_refused(tmp_path: Path) -> None:
    settings = env_for(tmp_path)
    folder = tmp_path / "xdg" / "blue"
    folder.mkdir(parents=True)
    os.chown(folder, 65534, 65534)
    with pytest.raises(SessionsDbUnsafe, match="belongs to uid 65534"):
        open_sessions(settings)
    os.chown(folder, os.getuid(), os.getgid())
    (folder / "sessions.db").write_bytes(b"")
    os.chown(folder / "sessions.db", 65534, 65534)
    with pytest.raises(SessionsDbUnsafe, match=r"sessions database .* belongs to uid 65534"):
        open_sessions(settings)


@pytest.mark.parametrize(
    ("content", "error", "words"),
    [
        (b"just some notes\n", SessionsDbForeign, "not an SQLite file"),
        (b"SQLite format 3\x00" + b"\xff" * 4000, SessionsDbCorrupt, "damaged"),
    ],
)
def test_a_non_database_file_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes, error: type[Exception], words: str
) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(content)
    with pytest.raises(error, match=words) as err:
        SyncSessionsDb.open(path)
    assert str(path) in str(err.value) and "blue session reset" in (getattr(err.value, "hint", "") or "")
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions.db"]


def test_another_programs_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE sessions (id TEXT, note TEXT)")
    raw.execute("INSERT INTO sessions VALUES ('x', 'keep me')")
    raw.commit()
    raw.close()
    before = path.read_bytes()
    with pytest.raises(SessionsDbForeign, match="has tables blue did not make"):
        SyncSessionsDb.open(path)
    assert path.read_bytes() == before


def test_a_database_damaged_inside_is_reported_not_used(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    with SyncSessionsDb.open(path) as handle:
        for i in range(300):
            handle.notify(change(to=f"1.{i + 1}.0", frm=f"1.{i}.0", summary="x" * 400))
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * 4096
    data[3 * 4096 : 6 * 4096] = b"\x00garbage!" * (3 * 4096 // 9) + b"\x00" * (3 * 4096 % 9)
    path.write_bytes(bytes(data))
    with pytest.raises(SessionsDbCorrupt, match="is damaged"):
        SyncSessionsDb.open(path)
    assert path.read_bytes() == bytes(data)


def test_a_planted_looping_trigger_is_refused_without_running(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    with SyncSessionsDb.open(path):
        pass
    raw = sqlite3.connect(path)
    raw.execute(
        "CREATE TRIGGER spin AFTER INSERT ON sessions BEGIN "
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c; END"
    )
    raw.commit()
    raw.close()
    started = time.monotonic()
    with pytest.raises(SessionsDbForeign, match="unexpected trigger spin"):
        SyncSessionsDb.open(path)
    assert time.monotonic() - started < 5


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    with SyncSessionsDb.open(path):
        pass
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(SessionsDbNewer, match="this blue knows up to") as err:
        SyncSessionsDb.open(path)
    assert "upgrade blue-tui" in (err.value.hint or "")


def test_an_older_schema_is_migrated_once_keeping_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sessions.db"
    with SyncSessionsDb.open(path) as handle:
        kept = handle.notify(change())
    v2 = (*schema.MIGRATIONS, ("CREATE TABLE extra (x INTEGER) STRICT",))
    monkeypatch.setattr(schema, "MIGRATIONS", v2)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(v2))
    schema.expected_objects.cache_clear()
    try:

        async def many() -> None:
            dbs = await asyncio.gather(*(SessionsDb.open(path) for _ in range(4)))
            for d in dbs:
                await d.close()

        asyncio.run(many())
        raw = sqlite3.connect(path)
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 2
        assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 1
        raw.close()
        with SyncSessionsDb.open(path) as handle:
            assert kept is not None and [n.id for n in handle.notifications(FUNGAL)] == [kept.id]
    finally:
        schema.expected_objects.cache_clear()


# ---- leases ----------------------------------------------------------------------------------------------


def test_an_async_lease_beats_and_comes_back_after_being_reaped(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"

    async def scenario() -> None:
        async with await SessionsDb.open(path) as adb:
            lease = SessionLease(adb, SessionSpec("dashboard", repo="aperture"), interval=0.05)
            async with lease as session:
                first = session.last_heartbeat
                await asyncio.sleep(0.2)
                now = await adb.session(session.id)
                assert now is not None and now.last_heartbeat > first
                await adb.deregister(session.id)  # as a reset would
                await asyncio.sleep(0.2)
                back = await adb.session(session.id)
                assert back is not None and back.started_at == session.started_at
            assert await adb.session(session.id) is None

    asyncio.run(scenario())


def test_held_session_is_there_for_the_block_only(tmp_path: Path) -> None:
    settings = env_for(tmp_path)
    with held_session(
        settings, SessionSpec("cli", command="blue realm admin contract"), interval=0.05
    ) as lease:
        assert lease.problem is None and lease.session is not None
        time.sleep(0.2)
        with open_sessions(settings) as handle:
            [live] = handle.sessions()
            assert live.id == lease.session.id and live.last_heartbeat > lease.session.last_heartbeat
    with open_sessions(settings) as handle:
        assert handle.sessions() == []


def test_held_session_on_a_bad_file_runs_the_block_and_keeps_the_file(tmp_path: Path) -> None:
    settings = env_for(tmp_path, BLUE_SESSIONS_DB=str(tmp_path / "s.db"))
    (tmp_path / "s.db").write_text("not a database")
    ran = False
    with held_session(settings, SessionSpec("cli")) as lease:
        ran = True
        assert isinstance(lease.problem, SessionsDbForeign) and lease.session is None
    assert ran and (tmp_path / "s.db").read_text() == "not a database"
