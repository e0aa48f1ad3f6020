""".blue/cache.db: invisible, bypassable, inspectable, and safe with two processes at once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from realm_builders import SCHEMA_V2, isolate, member_repo, register, run_blue, sample_realm

from blue_tui.core.realm.cache import Cache
from blue_tui.core.realm.loader import load_realm

pytestmark = pytest.mark.integration


@pytest.fixture
def renv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return isolate(tmp_path, monkeypatch)


def test_snapshot_is_used_only_for_a_clean_known_commit(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    with Cache(tmp_path / "cache.db") as cache:
        first = load_realm(b.root, cache=cache)
        second = load_realm(b.root, cache=cache)
    assert (first.source, second.source) == ("files", "cache")
    assert second.contracts == first.contracts and second.bindings == first.bindings
    assert (
        second.contract("s3-access", "s3-permissions").schema
        == first.contract(
            "s3-access",  # type: ignore[union-attr]
            "s3-permissions",
        ).schema
    )
    # An uncommitted edit is never hidden by the cache.
    b.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_V2, ["1.0.0", "1.1.0"])
    with Cache(tmp_path / "cache.db") as cache:
        dirty = load_realm(b.root, cache=cache)
        assert dirty.source == "files" and dirty.dirty
        assert dirty.contract("s3-access", "s3-permissions").version == "1.1.0"  # type: ignore[union-attr]
        b.commit("1.1.0")
        assert load_realm(b.root, cache=cache).source == "files"
        assert load_realm(b.root, cache=cache).source == "cache"
        stats = cache.stats()
    assert stats["tables"]["realm_snapshot"]["rows"] == 2


def test_problems_survive_the_cache(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    b.write("repos/web.yaml", "name: web\ncolour: blue\n")
    b.commit("bad key")
    with Cache(tmp_path / "cache.db") as cache:
        load_realm(b.root, cache=cache)
        again = load_realm(b.root, cache=cache)
    assert again.source == "cache"
    [p] = again.problems
    assert (p.rule, p.file, p.key, p.line) == ("unknown-key", "repos/web.yaml", "colour", 2)


def test_corrupt_or_unwritable_cache_never_fails_the_command(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    bad = tmp_path / "cache.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with Cache(bad) as cache:
        assert load_realm(b.root, cache=cache).problems == []
        assert cache.enabled and cache.error is None
    assert load_realm(b.root, cache=Cache(bad)).source == "cache"
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    with Cache(blocked / "cache.db") as cache:
        assert load_realm(b.root, cache=cache).problems == []
        assert not cache.enabled and cache.error


def test_cli_stats_clear_and_no_cache(renv: dict[str, str], tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    register(Path(renv["BLUE_HOME"]), "letemcook", b.root)
    repo = member_repo(tmp_path / "fungal", "letemcook", "fungal")
    assert run_blue(["realm", "check"], cwd=repo, env=renv).returncode == 0
    assert (repo / ".blue" / "cache.db").exists()
    assert (repo / ".blue" / ".gitignore").read_text().endswith("cache.db*\n")
    out = run_blue(["realm", "check", "--json"], cwd=repo, env=renv)
    assert json.loads(out.stdout)["source"] == "cache"
    out = run_blue(["realm", "check", "--json", "--no-cache"], cwd=repo, env=renv)
    assert json.loads(out.stdout)["source"] == "files"
    stats = json.loads(run_blue(["realm", "admin", "cache", "stats", "--json"], cwd=repo, env=renv).stdout)
    snap = stats["tables"]["realm_snapshot"]
    assert snap["rows"] == 1 and snap["hits"] >= 1 and snap["misses"] >= 1 and 0 < snap["hit_rate"] < 1
    text = run_blue(["realm", "admin", "cache", "stats"], cwd=repo, env=renv).stdout
    assert "realm_snapshot" in text and "hit rate" in text
    cleared = json.loads(run_blue(["realm", "admin", "cache", "clear", "--json"], cwd=repo, env=renv).stdout)
    assert cleared["removed_rows"] >= 1
    stats = json.loads(run_blue(["realm", "admin", "cache", "stats", "--json"], cwd=repo, env=renv).stdout)
    assert stats["tables"]["realm_snapshot"]["rows"] == 0


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from blue_tui.core.realm.cache import Cache
    from blue_tui.core.realm.loader import load_realm
    path, realm, who = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    hits = 0
    for i in range(60):
        with Cache(path) as cache:
            cache.put_validation(f"d/c{i % 7}", "1.0.0", f"{who}-{i}", 0, "ok")
            got = cache.get_validation(f"d/c{i % 7}", "1.0.0", f"{who}-{i}")
            # The other process may clear the cache between our put and get: then it is a miss.
            assert got in ((0, "ok"), None), (got, cache.error)
            hits += got == (0, "ok")
            if i % 10 == 0:
                load_realm(realm, cache=cache)
            if i == 30 and who == "b":
                cache.clear()
            assert cache.enabled, cache.error
    assert hits >= 55, hits
    print("done")
    """
)


def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    b = sample_realm(tmp_path / "realm")
    db = tmp_path / ".blue" / "cache.db"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), str(b.root), who],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "done"
    with Cache(db) as cache:
        assert cache.stats()["tables"]["validation_cache"]["rows"] > 0
        assert cache.error is None
    mode = subprocess.run(
        ["sqlite3", str(db), "PRAGMA journal_mode"], capture_output=True, text=True, check=False
    )
    if mode.returncode == 0:
        assert mode.stdout.strip() == "wal"


def test_history_scan_is_cached_and_continued(tmp_path: Path) -> None:
    from blue_tui.core.realm.history import ContractHistory

    b = sample_realm(tmp_path / "realm")
    b.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_V2, ["1.0.0", "1.1.0"])
    b.commit("1.1.0")
    with Cache(tmp_path / "cache.db") as cache:
        h = ContractHistory(load_realm(b.root), cache)
        h.prefetch_all()
        assert set(h.versions("s3-access", "s3-permissions")) == {"1.0.0", "1.1.0"}
        assert h.scanned_commits == 2
        b.contract("s3-access", "s3-permissions", "1.2.0", "aperture", SCHEMA_V2, ["1.0.0", "1.1.0", "1.2.0"])
        b.commit("1.2.0")
        again = ContractHistory(load_realm(b.root), cache)
        again.prefetch_all()
        assert again.scanned_commits == 1  # only the new commit was read
        assert set(again.versions("s3-access", "s3-permissions")) == {"1.0.0", "1.1.0", "1.2.0"}
        old = again.schema("s3-access", "s3-permissions", "1.0.0")
        assert old is not None and old.commit is not None
        assert cache.stats()["tables"]["contract_cache"]["rows"] == 3
