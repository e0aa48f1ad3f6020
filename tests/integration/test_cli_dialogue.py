"""`blue dialogue ...`, `blue keys ...` and `blue audit ...` as a user runs them, including the bad paths."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blue_tui.cli import main
from tests.conftest import FIXTURES, run_blue

SAMPLE = FIXTURES / "dialogues" / "local-prod-parity.dialogue.json"


def test_import_list_show_export_verify(
    blue_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dialogue", "import", str(SAMPLE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["failed"] == []
    assert [(r["id"], r["source"], r["status"]) for r in out["imported"]] == [
        ("local-prod-parity", str(SAMPLE), "created")
    ]
    assert isinstance(out["imported"][0]["items"], int) and out["imported"][0]["items"] > 40

    assert main(["dialogue", "import", str(SAMPLE), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"][0]["status"] == "unchanged"

    assert main(["dialogue", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["dialogues"]
    assert [d["id"] for d in listed] == ["local-prod-parity"]

    assert main(["dialogue", "show", "local-prod-parity"]) == 0
    shown = capsys.readouterr().out
    for text in (
        "Local-Production Parity",
        "Cupcake",
        "P0011",
        "Key hierarchy must be fully exercised locally",
        "T0006",
        "resolved",
        "unanimous",
    ):
        assert text in shown

    assert main(["dialogue", "show", "local-prod-parity", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dialogue"] == json.loads(SAMPLE.read_text())

    target = tmp_path / "out" / "export.json"
    target.parent.mkdir()
    assert main(["dialogue", "export", "local-prod-parity", "-o", str(target)]) == 0
    assert json.loads(target.read_text()) == json.loads(SAMPLE.read_text())
    assert (target.stat().st_mode & 0o777) == 0o600
    capsys.readouterr()
    assert main(["dialogue", "export", "local-prod-parity"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(SAMPLE.read_text())

    assert main(["dialogue", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "problems": [],
        "dialogues": 1,
        "stale_items": 0,
    }
    assert main(["audit", "verify", "--json"]) == 0
    audit = json.loads(capsys.readouterr().out)
    assert audit["ok"] is True and audit["first_bad"] is None and audit["events"] >= 5


def test_changed_file_needs_replace_and_bad_files_fail_alone(
    blue_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(SAMPLE.read_text())
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc))
    assert main(["dialogue", "import", str(good)]) == 0
    doc["status"] = "abandoned"
    good.write_text(json.dumps(doc))
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "x",\n  "title": oops}\n')
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"id": "second", "title": "Second"}))
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x00\x01\x02garbage")
    badid = tmp_path / "badid.json"
    badid.write_text(json.dumps({"id": "../../etc", "title": "x"}))
    capsys.readouterr()

    code = main(
        [
            "dialogue",
            "import",
            str(good),
            str(broken),
            str(other),
            str(binary),
            str(badid),
            str(tmp_path / "missing.json"),
            "--json",
        ]
    )
    assert code == 1
    out = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in out["imported"]] == ["second"]
    errors = {Path(f["source"]).name: f["error"] for f in out["failed"]}
    assert set(errors) == {"good.json", "broken.json", "binary.json", "badid.json", "missing.json"}
    assert "different content" in errors["good.json"]
    assert errors["broken.json"].startswith(f"{broken}:2:") and "not valid JSON" in errors["broken.json"]
    assert "binary" in errors["binary.json"]
    assert "not a safe name" in errors["badid.json"]
    assert "no such file" in errors["missing.json"]

    assert main(["dialogue", "import", str(good), "--replace", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"][0]["status"] == "replaced"


def test_usage_errors_exit_64(blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["dialogue", "import"])
    assert exit_info.value.code == 64
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 64
    assert main(["dialogue"]) == 64
    assert "import" in capsys.readouterr().err


def test_unreachable_endpoint_is_one_clear_message(blue_env: dict[str, str]) -> None:
    from tests.conftest import free_port

    env = {**blue_env, "DYNAMODB_ENDPOINT": f"http://127.0.0.1:{free_port()}"}
    done = run_blue("dialogue", "list", env=env)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"blue: error: cannot reach DynamoDB at {env['DYNAMODB_ENDPOINT']}")
    assert "blue dev up" in lines[1] and "Traceback" not in done.stderr


def test_missing_table_names_it(
    blue_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUE_TABLE", "no_such_table_here")
    assert main(["dialogue", "list"]) == 1
    err = capsys.readouterr().err
    assert "no_such_table_here" in err and "blue dev up" in err


# ---- key loss (seed 001) -------------------------------------------------------------------------


def replace_key(env: dict[str, str]) -> None:
    path = Path(env["BLUE_HOME"]) / "keys" / "umk.key"
    path.write_bytes(os.urandom(32))


def test_key_loss_without_a_terminal_stops_and_keeps_data(blue_env: dict[str, str]) -> None:
    assert run_blue("dialogue", "import", str(SAMPLE), env=blue_env).returncode == 0
    replace_key(blue_env)
    done = run_blue("dialogue", "list", env=blue_env)
    assert done.returncode == 1
    assert "local encryption key changed" in done.stderr and "--yes" in done.stderr
    assert "Traceback" not in done.stderr
    # nothing was wiped: the old key would still read it
    scan = run_blue("dialogue", "verify", "--json", env=blue_env)
    assert "local encryption key changed" in scan.stderr


def test_key_loss_with_yes_resets_and_carries_on(blue_env: dict[str, str]) -> None:
    assert run_blue("dialogue", "import", str(SAMPLE), env=blue_env).returncode == 0
    replace_key(blue_env)
    done = run_blue("dialogue", "import", str(SAMPLE), "--yes", "--json", env=blue_env)
    assert done.returncode == 0, done.stderr
    assert "reset the local dialogue store: wiped 1 dialogue(s)" in done.stderr
    assert json.loads(done.stdout)["imported"][0]["status"] == "created"
    assert run_blue("audit", "verify", env=blue_env).returncode == 0
    log = json.loads(run_blue("audit", "log", "--json", env=blue_env).stdout)["events"]
    assert "reset" in [e["operation"] for e in log]


def _run_in_pty(args: list[str], env: dict[str, str], answer: str) -> tuple[int, str]:
    """Run `blue` on a pseudo-terminal, answer its question, return (exit code, everything shown)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BLUE_", "AWS_", "DYNAMODB_"))}
    full_env.update(env)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "blue_tui", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=full_env,
        close_fds=True,
    )
    os.close(follower)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(leader, answer.encode() + b"\n")
            answered = True
        if proc.poll() is not None and not ready:
            break
    code = proc.wait(30)
    os.close(leader)
    return code, seen.decode(errors="replace")


@pytest.mark.parametrize("answer", ["n", "y"])
def test_key_loss_asks_on_a_terminal(blue_env: dict[str, str], answer: str) -> None:
    assert run_blue("dialogue", "import", str(SAMPLE), env=blue_env).returncode == 0
    replace_key(blue_env)
    code, shown = _run_in_pty(["dialogue", "list"], blue_env, answer)
    assert "Local encryption key changed. Reset local dialogue store? [y/N]" in shown
    if answer == "n":
        assert code == 1
        assert "left as it is" in shown and "umk.key" in shown
        assert "local encryption key changed" in run_blue("dialogue", "list", env=blue_env).stderr
    else:
        assert code == 0, shown
        assert "wiped 1 dialogue(s)" in shown
        assert json.loads(run_blue("dialogue", "list", "--json", env=blue_env).stdout) == {"dialogues": []}


def test_keys_commands(blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "status", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["exists"] is False
    assert main(["keys", "init", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["created"] is True and info["ok"] is True and info["mode"] == "0600"
    assert main(["keys", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["key_id"] == info["key_id"] and status["user"] == "tester@example.com"
    assert main(["dialogue", "import", str(SAMPLE)]) == 0
    # reset without a terminal and without --yes refuses
    assert main(["keys", "reset"]) == 1
    assert "--yes" in capsys.readouterr().err
    assert main(["keys", "reset", "--yes", "--json"]) == 0
    reset = json.loads(capsys.readouterr().out)
    assert reset["wiped"] == 1 and reset["key_id"] != info["key_id"]


def test_reset_refuses_a_remote_endpoint(
    blue_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT", "https://dynamodb.us-east-1.amazonaws.com")
    assert main(["keys", "reset", "--yes"]) == 1
    assert "not a local endpoint" in capsys.readouterr().err


def test_paths_json(blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["paths", "--json"]) == 0
    paths = json.loads(capsys.readouterr().out)
    assert paths["umk"] == str(Path(blue_env["BLUE_HOME"]) / "keys" / "umk.key")
    assert (
        paths["dynamodb_endpoint"] == blue_env["DYNAMODB_ENDPOINT"]
        and paths["table"] == blue_env["BLUE_TABLE"]
    )


def test_a_damaged_high_water_file_is_named_and_nothing_is_lost(
    blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dialogue", "import", str(SAMPLE)]) == 0
    marks = Path(blue_env["BLUE_HOME"]) / "state" / "highwater.json"
    assert (marks.stat().st_mode & 0o777) == 0o600
    assert json.loads(marks.read_text())["format"] == 1
    marks.write_text("{not json")
    capsys.readouterr()
    assert main(["dialogue", "show", "local-prod-parity"]) == 1
    err = capsys.readouterr().err
    assert str(marks) in err and "not valid JSON" in err and "hint:" in err and "Traceback" not in err
    marks.unlink()  # what the hint offers: start afresh
    assert main(["dialogue", "show", "local-prod-parity", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dialogue"] == json.loads(SAMPLE.read_text())
    assert json.loads(marks.read_text())["format"] == 1
