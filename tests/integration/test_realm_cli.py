"""`blue realm ...` as real subprocesses: what a user and a CI job see."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from realm_builders import GIT_ENV, member_repo, realm_env, register, run_blue, sample_realm

pytestmark = pytest.mark.integration

HEAVY = ("boto3", "botocore", "cryptography", "textual")

PROBE = """
import json, sys
from blue_tui.cli import main
code = main(sys.argv[1:])
print("MODULES=" + json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
sys.exit(code)
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    env = realm_env(tmp_path)
    b = sample_realm(tmp_path / "realm")
    register(Path(env["BLUE_HOME"]), "letemcook", b.root)
    repo = member_repo(tmp_path / "fungal", "letemcook", "fungal")
    return env, b.root, repo


def test_realm_check_stays_light(setup: tuple[dict[str, str], Path, Path]) -> None:
    env, realm, repo = setup
    code = PROBE.format(heavy=repr((*HEAVY, "rich")))
    for args in (["realm", "check"], ["realm", "check", "--mode", "contract", "--realm", str(realm)]):
        full = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("BLUE_", "GIT_"))}
        full.update(env)
        proc = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=repo,
            env=full,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "MODULES=[]" in proc.stdout


def test_exit_codes_and_messages(setup: tuple[dict[str, str], Path, Path], tmp_path: Path) -> None:
    env, realm, repo = setup
    ok = run_blue(["realm", "check"], cwd=repo, env=env)
    assert ok.returncode == 0 and "realm check ok" in ok.stdout
    # Broken YAML: one clear line naming the file and the line; never a traceback.
    (realm / "domains" / "s3-access" / "bindings" / "fungal.yaml").write_text("repo: fungal\nimports: [\n")
    bad = run_blue(["realm", "check"], cwd=repo, env=env)
    assert bad.returncode == 1
    assert "domains/s3-access/bindings/fungal.yaml:3" in bad.stdout and "[yaml-syntax]" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr
    as_json = json.loads(run_blue(["realm", "check", "--json"], cwd=repo, env=env).stdout)
    assert as_json["exit_code"] == 1 and as_json["summary"]["errors"] == 1
    # Missing realm: the message names the next command.
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    missing = run_blue(["realm", "status"], cwd=lonely, env=env)
    assert missing.returncode == 1
    assert missing.stderr.startswith("blue: error: no realm to work on")
    assert "blue realm admin join" in missing.stderr
    usage = run_blue(["realm", "check", "--mode", "bogus"], cwd=repo, env=env)
    assert usage.returncode == 64


def test_unknown_key_names_file_key_and_line(setup: tuple[dict[str, str], Path, Path]) -> None:
    env, realm, repo = setup
    (realm / "repos" / "fungal.yaml").write_text("name: fungal\nmaintainer: me@example.com\n")
    out = run_blue(["realm", "check"], cwd=repo, env=env)
    assert out.returncode == 1
    line = next(x for x in out.stdout.splitlines() if "unknown-key" in x)
    assert "repos/fungal.yaml:2 (maintainer)" in line
    assert "did you mean 'maintainers'?" in out.stdout


def test_two_cold_checks_at_once(setup: tuple[dict[str, str], Path, Path]) -> None:
    env, _, repo = setup
    full = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("BLUE_", "GIT_"))}
    full.update(env)
    full.update(GIT_ENV)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "blue_tui", "realm", "check", "--json"],
            cwd=repo,
            env=full,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert json.loads(out)["cache"]["enabled"] is True
    stats = json.loads(run_blue(["realm", "admin", "cache", "stats", "--json"], cwd=repo, env=env).stdout)
    assert stats["tables"]["realm_snapshot"]["rows"] == 1
