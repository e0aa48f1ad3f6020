"""`blue realm check`: modes, hooks, version bumps against git history, exit codes 0/1/2."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from realm_builders import (
    SCHEMA_BROKEN,
    SCHEMA_V1,
    SCHEMA_V2,
    RealmBuilder,
    git,
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


@dataclass
class World:
    realm: RealmBuilder
    aperture: Path
    fungal: Path
    tmp: Path


@pytest.fixture
def world(renv: dict[str, str], tmp_path: Path) -> World:
    b = sample_realm(tmp_path / "realm")
    register(Path(renv["BLUE_HOME"]), "letemcook", b.root)
    aperture = member_repo(tmp_path / "aperture", "letemcook", "aperture")
    (aperture / "models").mkdir()
    (aperture / "models" / "s3.py").write_text("PATHS = []\n")
    fungal = member_repo(tmp_path / "fungal", "letemcook", "fungal")
    return World(b, aperture, fungal, tmp_path)


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.out)  # type: ignore[no-any-return]

    def rules(self) -> set[str]:
        return {p["rule"] for p in self.json()["problems"]}


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    def run(cwd: Path, *args: str) -> Run:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main(["realm", "check", *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return run


def hook(repo: Path, name: str, body: str) -> str:
    """A hook script, committed to the repo (hooks run only files git tracks)."""
    path = repo / "scripts" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    git(repo, "add", f"scripts/{name}")
    git(repo, "commit", "-q", "-m", f"hook {name}")
    return f"scripts/{name}"


def test_clean_realm_default_modes(world: World, check: Callable[..., Run]) -> None:
    r = check(world.fungal, "--json")
    assert r.code == 0, r.out
    data = r.json()
    assert data["modes"] == ["exporter", "importer"] and data["repo"] == "fungal" and data["exit_code"] == 0
    assert check(world.aperture).code == 0
    r = check(world.tmp, "--realm", str(world.realm.root), "--json")
    assert (
        r.code == 0
        and r.json()["modes"] == ["contract"]
        and r.json()["merge_order"] == [["aperture", "web"], ["fungal"]]
    )
    text = check(world.fungal)
    assert "realm check ok" in text.out


def test_stale_unsatisfied_and_strict(world: World, check: Callable[..., Run]) -> None:
    world.realm.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_V2, ["1.0.0", "1.1.0"])
    world.realm.commit("1.1.0")
    r = check(world.fungal)
    assert r.code == 2
    line = next(x for x in r.out.splitlines() if "[import-stale]" in x)
    assert line.startswith("WARNING  s3-access/s3-permissions  domains/s3-access/bindings/fungal.yaml:")
    assert "--refresh" in r.out
    assert check(world.fungal, "--strict").code == 1
    world.realm.contract(
        "s3-access", "s3-permissions", "2.0.0", "aperture", SCHEMA_BROKEN, ["1.0.0", "1.1.0", "2.0.0"]
    )
    world.realm.commit("2.0.0")
    r = check(world.fungal, "--json")
    assert r.code == 1
    [p] = [p for p in r.json()["problems"] if p["rule"] == "import-unsatisfied"]
    assert (
        p["file"] == "domains/s3-access/bindings/fungal.yaml"
        and p["key"] == "imports[0].version"
        and p["line"] == 4
    )
    # The exporter is not failed by an importer left behind: a pending warning.
    r = check(world.aperture, "--json")
    assert r.code == 2 and "importer-pending" in r.rules()


def test_resolved_schema_that_cannot_read_the_new_version(world: World, check: Callable[..., Run]) -> None:
    # 1.0.0 -> 1.1.0 breaks forward (wrongly published as a minor): fungal, resolved at 1.0.0, is told.
    world.realm.contract(
        "s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_BROKEN, ["1.0.0", "1.1.0"]
    )
    world.realm.commit("bad minor")
    r = check(world.fungal, "--json")
    assert r.code == 1 and {"import-stale", "import-breaks"} <= r.rules()
    r = check(world.tmp, "--realm", str(world.realm.root), "--json")
    assert r.code == 1 and "bump-too-small" in r.rules()
    bump = next(p for p in r.json()["problems"] if p["rule"] == "bump-too-small")
    assert bump["file"] == "domains/s3-access/contracts/s3-permissions.yaml" and bump["key"] == "version"
    assert "needs a major bump" in bump["message"]


def test_missing_files_for_exports_and_imports(world: World, check: Callable[..., Run]) -> None:
    (world.aperture / "models" / "s3.py").unlink()
    r = check(world.aperture, "--json")
    assert r.code == 1
    [p] = [p for p in r.json()["problems"] if p["rule"] == "source-missing"]
    assert p["key"] == "exports[0].source_files[0]" and p["line"] == 5
    world.realm.binding(
        "s3-access",
        "fungal",
        imports=[
            {
                "contract": "s3-permissions",
                "version": "^1",
                "binding": "cdk/stack.py",
                "status": "current",
                "resolved_version": "1.0.0",
            }
        ],
    )
    world.realm.commit("binding file")
    r = check(world.fungal, "--json")
    assert r.code == 1 and "binding-file-missing" in r.rules()


def test_hooks_exit_codes_output_timeout_and_ci_only(
    world: World, check: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok = hook(
        world.fungal, "ok.sh", 'echo "range=$BLUE_IMPORT_RANGE schema=$(cat $BLUE_SCHEMA_FILE | head -c 1)"'
    )
    warn = hook(world.fungal, "warn.sh", "echo careful; exit 2")
    slow = hook(world.fungal, "slow.sh", "sleep 30")
    ci = hook(world.fungal, "ci.sh", "echo in-ci; exit 1")
    world.realm.contract(
        "s3-access",
        "s3-permissions",
        "1.0.0",
        "aperture",
        SCHEMA_V1,
        validation={"importer": [ok, warn], "ci_only": [{"run": ci, "mode": "importer"}]},
    )
    world.realm.commit("hooks")
    r = check(world.fungal, "--json")
    assert r.code == 2
    hooks = {h["hook"]: h for h in r.json()["hooks"]}
    assert hooks[ok]["status"] == "ok" and hooks[ok]["output"].strip() == "range=>=1.0.0 <2.0.0 schema={"
    assert hooks[warn]["status"] == "warning"
    assert hooks[ci]["status"] == "skipped"
    monkeypatch.setenv("CI", "true")
    r = check(world.fungal)
    assert r.code == 1 and "[hook-failed]" in r.out and "| in-ci" in r.out
    monkeypatch.delenv("CI")
    world.realm.contract(
        "s3-access",
        "s3-permissions",
        "1.0.0",
        "aperture",
        SCHEMA_V1,
        validation={"importer": [slow, "scripts/nothere.sh", "../outside.sh"]},
    )
    world.realm.commit("bad hooks")
    started = time.monotonic()
    r = check(world.fungal, "--json", "--hook-timeout", "0.5")
    assert time.monotonic() - started < 10
    assert r.code == 1
    results = {h["hook"]: h for h in r.json()["hooks"]}
    assert "timed out" in results[slow]["reason"]
    assert "not found" in results["scripts/nothere.sh"]["reason"]
    assert "unsafe-path" in r.rules()  # ../outside.sh is refused at load, never run


def test_hook_results_are_cached_until_inputs_change(world: World, check: Callable[..., Run]) -> None:
    counter = world.tmp / "count"
    script = hook(world.aperture, "count.sh", f"echo x >> {counter}")
    world.realm.contract(
        "s3-access", "s3-permissions", "1.0.0", "aperture", SCHEMA_V1, validation={"exporter": script}
    )
    world.realm.commit("exporter hook")
    for _ in range(2):
        assert check(world.aperture).code == 0
    assert counter.read_text().count("x") == 1
    r = check(world.aperture, "--json")
    assert r.json()["hooks"][0]["cached"] is True
    (world.aperture / "models" / "s3.py").write_text("PATHS = ['changed']\n")
    assert check(world.aperture).code == 0
    assert counter.read_text().count("x") == 2
    assert check(world.aperture, "--no-cache").code == 0
    assert counter.read_text().count("x") == 3


def test_contract_mode_version_rules(world: World, check: Callable[..., Run]) -> None:
    root = str(world.realm.root)
    world.realm.contract("s3-access", "s3-permissions", "1.0.0", "aperture", SCHEMA_V2)
    r = check(world.tmp, "--realm", root, "--mode", "contract", "--json")  # uncommitted: compared with HEAD
    assert r.code == 1 and "version-not-bumped" in r.rules() and r.json()["base"] == "HEAD"
    world.realm.contract("s3-access", "s3-permissions", "0.9.0", "aperture", SCHEMA_V1, ["0.9.0"])
    assert "version-decreased" in check(world.tmp, "--realm", root, "--json").rules()
    world.realm.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_V2, ["1.1.0", "1.0.0"])
    r = check(world.tmp, "--realm", root, "--json")
    assert r.code == 1 and {"evolution-order"} <= r.rules()
    world.realm.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_V2, ["1.0.0"])
    assert "evolution-missing-current" in check(world.tmp, "--realm", root, "--json").rules()
    world.realm.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_V2, ["1.0.0", "1.1.0"])
    r = check(world.tmp, "--realm", root, "--json")
    assert r.code == 2, r.out  # fungal is now stale (a warning in contract mode)
    compat = r.json()["compatibility"]
    assert [(c["from"], c["to"], c["ok"], c["required_bump"]) for c in compat] == [
        ("1.0.0", "1.1.0", True, "minor")
    ]
    world.realm.commit("1.1.0")
    assert check(world.tmp, "--realm", root, "--against", "HEAD~1").code == 2
    r = check(world.tmp, "--realm", root, "--against", "no-such-ref")
    assert r.code == 64 and "no such commit" in r.err


def test_cycle_written_by_hand_is_reported(world: World, check: Callable[..., Run]) -> None:
    b = world.realm
    b.domain("back", ["fungal", "aperture"])
    b.contract("back", "events", owner="fungal")
    b.binding("back", "aperture", imports=[("events", "^1", "1.0.0")])
    b.commit("cycle")
    r = check(world.tmp, "--realm", str(b.root))
    assert r.code == 1
    assert (
        "[cycle]  cycle: aperture -> fungal -> aperture" in r.out
        or "[cycle]  cycle: fungal -> aperture -> fungal" in r.out
    )
    assert "via back/events" in r.out


def test_compatibility_mode(world: World, check: Callable[..., Run]) -> None:
    b = world.realm
    b.contract("s3-access", "s3-permissions", "1.1.0", "aperture", SCHEMA_V2, ["1.0.0", "1.1.0"])
    b.commit("1.1.0")
    b.contract("s3-access", "s3-permissions", "1.2.0", "aperture", SCHEMA_V1, ["1.0.0", "1.1.0", "1.2.0"])
    b.commit("1.2.0 drops write again")
    root = str(b.root)
    r = check(world.tmp, "--realm", root, "--contract", "s3-permissions", "--from", "1.0.0", "--to", "1.1.0")
    assert r.code == 0, r.out
    assert "s3-access/s3-permissions 1.0.0 -> 1.1.0 (lenient, backward+forward directions)" in r.out
    r = check(world.tmp, "--realm", root, "--contract", "s3-access/s3-permissions", "--json")
    assert r.json()["compatibility"][0]["from"] == "1.1.0" and r.json()["compatibility"][0]["to"] == "1.2.0"
    r = check(world.tmp, "--realm", root, "--mode", "compatibility", "--json")
    pairs = sorted((c["from"], c["to"]) for c in r.json()["compatibility"])
    assert pairs == [("1.0.0", "1.2.0"), ("1.1.0", "1.2.0")]  # transitive: against every earlier version
    r = check(world.tmp, "--realm", root, "--contract", "s3-permissions", "--from", "0.5.0", "--json")
    assert r.code == 1 and "schema-unavailable" in r.rules()
    r = check(world.tmp, "--realm", root, "--contract", "nope")
    assert r.code == 1 and "no contract 'nope'" in r.err


def test_broken_file_elsewhere_does_not_fail_a_repo_check(world: World, check: Callable[..., Run]) -> None:
    world.realm.write("domains/other/domain.yaml", "name: other\nmembers: [web\n")
    world.realm.commit("someone else's broken file")
    assert check(world.fungal).code == 0
    r = check(world.tmp, "--realm", str(world.realm.root))
    assert r.code == 1 and "[yaml-syntax]" in r.out and "domains/other/domain.yaml:3" in r.out
    assert "(started at line 2)" in r.out


def test_mode_that_needs_a_member_repo(world: World, check: Callable[..., Run]) -> None:
    r = check(world.tmp, "--realm", str(world.realm.root), "--mode", "importer")
    assert r.code == 1 and "--mode contract" in r.err


def test_inside_the_realm_repo_is_contract_mode_even_with_git_env(
    world: World, check: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in the realm repo's own CI, or a git hook (which sets GIT_DIR to some other repository).
    monkeypatch.setenv("GIT_DIR", str(world.aperture / ".git"))
    r = check(world.realm.root, "--json")
    assert r.code == 0 and r.json()["modes"] == ["contract"] and r.json()["base"] is None  # one commit only
    assert r.json()["commit"] == git(world.realm.root, "rev-parse", "HEAD")
    r = check(world.fungal, "--mode", "all", "--json")
    assert r.json()["modes"] == ["exporter", "importer", "contract", "compatibility"]


def test_core_api_in_a_worker_thread(world: World) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from blue_tui.core.config import Settings
    from blue_tui.core.realm.cache import Cache, cache_path_for
    from blue_tui.core.realm.check import CheckOptions, run_check
    from blue_tui.core.realm.locate import find_realm

    seen: list[tuple[str, int, int]] = []

    def work() -> int:
        located = find_realm(Settings.from_env(), None, world.fungal)
        with Cache(cache_path_for(located)) as cache:
            report = run_check(
                located,
                CheckOptions(modes=("importer", "contract")),
                cache=cache,
                progress=lambda *p: seen.append(p),
            )
        return report.exit_code

    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda _: work(), range(2)))
    assert codes == [0, 0]
    assert ("importer", 0, 1) in seen and ("contract", 0, 1) in seen
