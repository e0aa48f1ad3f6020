"""Issue 10, item 7: a contract another team owns cannot make the importer's CI run what it likes.

The attacker owns ``s3-access/s3-permissions`` (aperture) and writes its ``validation`` block; the
victim is fungal, which imports the contract and runs ``blue realm check`` in its CI.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from realm_builders import SCHEMA_V1, Run, World, git, isolate, make_world, run_main, script

pytestmark = pytest.mark.integration

Check = Callable[..., Run]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    env = isolate(tmp_path, monkeypatch)
    return make_world(tmp_path, Path(env["BLUE_HOME"]))


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Check:
    def run(cwd: Path, *args: str) -> Run:
        return run_main(["realm", "check", *args], cwd=cwd, capsys=capsys, monkeypatch=monkeypatch)

    return run


def contract_hooks(world: World, validation: dict[str, object]) -> None:
    """The attacker (aperture, the owner) publishes hooks in its contract."""
    world.realm.contract("s3-access", "s3-permissions", "1.0.0", "aperture", SCHEMA_V1, validation=validation)
    world.realm.commit("contract hooks")


def allow(world: World, *, arguments: list[str] | None = None, env: list[str] | None = None) -> None:
    """The victim (fungal) opts in, in its own .blue/config.yaml."""
    lines = ["realm:", "  name: letemcook", "  repo: fungal", "  hooks:"]
    if arguments is not None:
        lines.append(f"    allow_arguments: [{', '.join(arguments)}]")
    if env is not None:
        lines.append(f"    env: [{', '.join(env)}]")
    (world.fungal / ".blue" / "config.yaml").write_text("\n".join(lines) + "\n")


def hook_result(r: Run, hook: str) -> dict[str, object]:
    found = [h for h in r.json()["hooks"] if h["hook"] == hook]
    assert found, r.out
    return found[0]  # type: ignore[no-any-return]


def test_an_ignored_interpreter_in_the_repo_is_not_a_hook(world: World, check: Check) -> None:
    # The attack as the issue found it: `.venv/bin/python3 -c ...` ran `id` in the importer's CI.
    (world.fungal / ".gitignore").write_text(".venv/\n")
    git(world.fungal, "add", ".gitignore")
    git(world.fungal, "commit", "-q", "-m", "ignore the venv")
    script(world.fungal, ".venv/bin/python3", f'exec {shlex.quote(sys.executable)} "$@"', track=False)
    pwned = world.tmp / "pwned"
    payload = (
        f"import subprocess; open({str(pwned)!r}, 'w').write(subprocess.check_output(['id'], text=True))"
    )
    contract_hooks(world, {"importer": {"run": [".venv/bin/python3", "-c", payload]}})
    r = check(world.fungal, "--json")
    assert not pwned.exists()
    assert r.code == 1
    result = hook_result(r, f".venv/bin/python3 -c {payload}")
    assert result["status"] == "fail" and "not tracked by git" in str(result["reason"])


def test_a_tracked_but_ignored_program_is_not_a_hook(world: World, check: Check) -> None:
    (world.fungal / ".gitignore").write_text("build/\n")
    pwned = world.tmp / "pwned"
    script(world.fungal, "build/tool", f"touch {shlex.quote(str(pwned))}")  # force-added past .gitignore
    contract_hooks(world, {"importer": "build/tool"})
    r = check(world.fungal, "--json")
    assert not pwned.exists() and r.code == 1
    assert "ignored" in str(hook_result(r, "build/tool")["reason"])


def test_a_symlinked_program_is_not_a_hook(world: World, check: Check) -> None:
    (world.fungal / "scripts").mkdir()
    (world.fungal / "scripts" / "sh").symlink_to("/bin/sh")
    git(world.fungal, "add", "scripts/sh")
    git(world.fungal, "commit", "-q", "-m", "a tracked symlink")
    pwned = world.tmp / "pwned"
    contract_hooks(world, {"importer": {"run": ["scripts/sh", "-c", f"touch {pwned}"]}})
    r = check(world.fungal, "--json")
    assert not pwned.exists() and r.code == 1


def test_another_teams_contract_gives_no_arguments_unless_the_importer_allows_that_hook(
    world: World, check: Check
) -> None:
    # A wrapper many repos have: it runs its arguments. The contract's arguments make it run `id`.
    wrapper = script(world.fungal, "scripts/with-env.sh", 'exec "$@"')
    pwned = world.tmp / "pwned"
    run = [wrapper, "sh", "-c", f"id > {pwned}"]
    contract_hooks(world, {"importer": {"run": run}})
    r = check(world.fungal, "--json")
    assert not pwned.exists(), "the contract's arguments ran"
    assert r.code == 1
    reason = str(hook_result(r, " ".join(run))["reason"])
    assert "aperture" in reason and "allow_arguments" in reason and ".blue/config.yaml" in reason
    # The importer allows that hook by name, in its own config: now the arguments are taken.
    allow(world, arguments=[wrapper])
    r = check(world.fungal, "--json")
    assert pwned.exists() and "uid=" in pwned.read_text()
    assert hook_result(r, " ".join(run))["status"] == "ok"


def test_the_owner_runs_its_own_contracts_hooks_with_their_arguments(world: World, check: Check) -> None:
    hook = script(world.aperture, "scripts/check.sh", 'test "$1" = --fast')
    contract_hooks(world, {"exporter": f"{hook} --fast"})
    r = check(world.aperture, "--json")
    assert r.code == 0, r.out
    assert hook_result(r, f"{hook} --fast")["status"] == "ok"


def test_hooks_run_with_a_scrubbed_environment(
    world: World, check: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hunter2-secret")
    monkeypatch.setenv("LANG", "C.UTF-8")
    hook = script(world.fungal, "scripts/env.sh", "env | sort")
    contract_hooks(world, {"importer": hook})
    r = check(world.fungal, "--json", "--no-cache")
    output = str(hook_result(r, hook)["output"])
    names = {line.split("=", 1)[0] for line in output.splitlines() if "=" in line}
    assert "hunter2-secret" not in output
    assert {"PATH", "HOME", "LANG", "BLUE_CONTRACT", "BLUE_HOOK_MODE", "BLUE_SCHEMA_FILE"} <= names
    assert names - {"PATH", "HOME", "LANG", "PWD", "SHLVL", "_"} <= {
        n for n in names if n.startswith("BLUE_")
    }
    # What the importer lists in its own config is passed on.
    allow(world, env=["AWS_SECRET_ACCESS_KEY"])
    r = check(world.fungal, "--json", "--no-cache")
    assert "AWS_SECRET_ACCESS_KEY=hunter2-secret" in str(hook_result(r, hook)["output"])


def test_a_bad_hooks_block_in_the_importers_config_is_one_clear_error(world: World, check: Check) -> None:
    allow(world, env=["NOT A NAME"])
    r = check(world.fungal)
    assert r.code == 1 and "config.yaml" in r.err and "realm.hooks.env" in r.err
    assert "Traceback" not in r.err
