"""Issue 10, item 11: ``.blue/cache.db`` may come from a CI cache, so a poisoned entry must only
ever be a miss. Each test poisons the real file with sqlite3, the way an attacker who hands over
the cache would, and checks that the hooks and the compatibility checks still run."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from realm_builders import SCHEMA_BROKEN, SCHEMA_V1, Run, World, isolate, make_world, run_main, script

pytestmark = pytest.mark.integration

Check = Callable[..., Run]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    env = isolate(tmp_path, monkeypatch)
    return make_world(tmp_path, Path(env["BLUE_HOME"]))


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Check:
    def run(cwd: Path, *args: str) -> Run:
        return run_main(["realm", "check", "--json", *args], cwd=cwd, capsys=capsys, monkeypatch=monkeypatch)

    return run


@contextmanager
def poison(db: Path) -> Iterator[sqlite3.Connection]:
    assert db.exists()
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        yield conn


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_a_transplanted_realm_snapshot_does_not_skip_the_hooks(world: World, check: Check) -> None:
    # Commit 1 has no hooks; commit 2 adds an importer hook that fails. The attacker copies the
    # snapshot of commit 1 (everything but its key) into commit 2's row: the hook would vanish.
    db = world.fungal / ".blue" / "cache.db"
    assert check(world.fungal).code == 0
    failing = script(world.fungal, "scripts/verify.sh", "echo refusing; exit 1")
    world.realm.contract(
        "s3-access", "s3-permissions", "1.0.0", "aperture", SCHEMA_V1, validation={"importer": failing}
    )
    world.realm.commit("importer hook")
    assert check(world.fungal).code == 1
    with poison(db) as conn:
        keys = ("realm", "realm_commit", "format")
        rows = conn.execute("SELECT * FROM realm_snapshot ORDER BY cached_at, rowid").fetchall()
        assert len(rows) == 2
        names = columns(conn, "realm_snapshot")
        hookless, target = dict(zip(names, rows[0], strict=True)), dict(zip(names, rows[-1], strict=True))
        values = {k: v for k, v in hookless.items() if k not in keys}
        conn.execute(
            f"UPDATE realm_snapshot SET {', '.join(f'{k}=?' for k in values)} "
            "WHERE realm=? AND realm_commit=? AND format=?",
            (*values.values(), target["realm"], target["realm_commit"], target["format"]),
        )
    r = check(world.fungal)
    assert r.code == 1, "the poisoned snapshot hid the failing hook"
    assert [h["status"] for h in r.json()["hooks"]] == ["fail"]


def test_a_flipped_hook_verdict_is_a_miss(world: World, check: Check) -> None:
    counter = world.tmp / "runs"
    warns = script(world.fungal, "scripts/warn.sh", f"echo x >> {counter}; echo careful; exit 2")
    world.realm.contract(
        "s3-access", "s3-permissions", "1.0.0", "aperture", SCHEMA_V1, validation={"importer": warns}
    )
    world.realm.commit("a warning hook")
    assert check(world.fungal).code == 2
    assert check(world.fungal).json()["hooks"][0]["cached"] is True
    with poison(world.fungal / ".blue" / "cache.db") as conn:
        assert conn.execute("UPDATE validation_cache SET valid=0, output='all good'").rowcount == 1
    r = check(world.fungal)
    assert r.code == 2, "the poisoned verdict turned a warning into a pass"
    assert r.json()["hooks"][0]["cached"] is False and counter.read_text().count("x") == 2


def test_a_forged_source_file_hash_does_not_reuse_an_old_verdict(world: World, check: Check) -> None:
    # The exporter hook passes only for "good" sources. After a pass is cached, the source turns
    # bad (same size); the attacker sets the file's cached hash back to the good content's.
    source = world.aperture / "models" / "s3.py"
    source.write_text("good\n")
    hook = script(world.aperture, "scripts/lint.sh", "grep -q good models/s3.py")
    world.realm.contract(
        "s3-access", "s3-permissions", "1.0.0", "aperture", SCHEMA_V1, validation={"exporter": hook}
    )
    world.realm.commit("exporter hook")
    assert check(world.aperture).code == 0
    source.write_text("bad!\n")
    st = source.stat()
    with poison(world.aperture / ".blue" / "cache.db") as conn:
        changed = conn.execute(
            "UPDATE export_cache SET mtime=?, size=? WHERE file_path LIKE ?",
            (st.st_mtime_ns, st.st_size, "%s3.py"),
        ).rowcount
        assert changed == 1
    r = check(world.aperture)
    assert r.code == 1, "the forged file hash reused the verdict for the old source"


def test_a_poisoned_schema_history_does_not_pass_the_compatibility_check(world: World, check: Check) -> None:
    # 1.0.0 -> 1.1.0 breaks `read` with only a minor bump. The attacker rewrites the cached 1.0.0
    # schema to equal 1.1.0's, so that the transitive check would see no change.
    b = world.realm
    b.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_BROKEN, ["1.0.0", "1.1.0"])
    b.commit("1.1.0 (a break, minor bump)")
    args = ("--realm", str(b.root), "--mode", "compatibility")
    assert check(world.tmp, *args).code == 1
    with poison(b.root / ".blue" / "cache.db") as conn:
        [(schema,)] = conn.execute("SELECT schema FROM contract_cache WHERE version='1.1.0'").fetchall()
        assert (
            conn.execute("UPDATE contract_cache SET schema=? WHERE version='1.0.0'", (schema,)).rowcount == 1
        )
    r = check(world.tmp, *args)
    assert r.code == 1, "the poisoned history passed the compatibility check"
    assert "bump-too-small" in r.rules()


def test_deleted_history_rows_are_rescanned_not_skipped(world: World, check: Check) -> None:
    b = world.realm
    b.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_BROKEN, ["1.0.0", "1.1.0"])
    b.commit("1.1.0 (a break, minor bump)")
    args = ("--realm", str(b.root), "--mode", "compatibility")
    assert check(world.tmp, *args).code == 1
    with poison(b.root / ".blue" / "cache.db") as conn:
        assert conn.execute("DELETE FROM contract_cache WHERE version='1.0.0'").rowcount == 1
    r = check(world.tmp, *args)
    assert r.code == 1 and "bump-too-small" in r.rules() and "schema-unavailable" not in r.rules()


def test_a_cache_from_another_key_is_all_misses_and_a_shared_ci_key_is_hits(
    world: World, check: Check, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A cache.db handed over from elsewhere (another machine's key) is worth nothing here...
    args = ("--realm", str(world.realm.root))
    assert check(world.tmp, *args).json()["source"] == "files"
    assert check(world.tmp, *args).json()["source"] == "cache"
    key_file = Path(os.environ["BLUE_HOME"]) / "cache.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    monkeypatch.setenv("BLUE_HOME", str(tmp_path / "another-machine"))
    assert check(world.tmp, *args).json()["source"] == "files"
    # ...while CI runs that share a secret BLUE_CACHE_KEY share the cache.
    monkeypatch.setenv("BLUE_CACHE_KEY", "a-ci-secret-of-some-length")
    assert check(world.tmp, *args).json()["source"] == "files"
    monkeypatch.setenv("BLUE_HOME", str(tmp_path / "a-fresh-runner"))
    assert check(world.tmp, *args).json()["source"] == "cache"
    monkeypatch.setenv("BLUE_CACHE_KEY", "short")
    r = check(world.tmp, *args)
    assert r.code == 0 and r.json()["source"] == "files"
    assert "BLUE_CACHE_KEY" in r.json()["cache"]["error"]


def test_a_snapshot_of_another_checker_version_is_a_miss(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from blue_tui.core.realm import cache_auth
    from blue_tui.core.realm.cache import Cache
    from blue_tui.core.realm.loader import load_realm

    db = world.tmp / "cache.db"
    with Cache(db) as cache:
        load_realm(world.realm.root, cache=cache)
        assert load_realm(world.realm.root, cache=cache).source == "cache"
    monkeypatch.setattr(cache_auth, "checker_version", lambda: "9.9.9+another-checker")
    with Cache(db) as cache:
        assert load_realm(world.realm.root, cache=cache).source == "files"
