"""`blue dev up | down | status`: the real jar started with java, and its failure modes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _user_cache_home, free_port, run_blue


@pytest.fixture
def dev_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    port = free_port()
    env = {
        "HOME": str(tmp_path),
        "BLUE_HOME": str(tmp_path / ".blue"),
        "XDG_CACHE_HOME": str(_user_cache_home()),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "DYNAMODB_ENDPOINT": f"http://127.0.0.1:{port}",
        "BLUE_TABLE": "blue_dialogues",
        "BLUE_USER": "dev@example.com",
        "_PORT": str(port),
    }
    try:
        yield env
    finally:
        run_blue("dev", "down", env=env)


def test_up_status_down_is_idempotent_and_keeps_data(dev_env: dict[str, str]) -> None:
    port = dev_env["_PORT"]
    first = run_blue("dev", "up", "--port", port, "--json", env=dev_env)
    assert first.returncode == 0, first.stderr
    up = json.loads(first.stdout)
    assert (
        up["running"] is True and up["endpoint"] == f"http://127.0.0.1:{port}" and up["table_created"] is True
    )
    assert isinstance(up["pid"], int)
    data_dir = Path(dev_env["XDG_DATA_HOME"]) / "blue" / "dynamodb"
    assert up["data_dir"] == str(data_dir) and (data_dir.stat().st_mode & 0o777) == 0o700

    again = json.loads(run_blue("dev", "up", "--port", port, "--json", env=dev_env).stdout)
    assert again["pid"] == up["pid"] and again["table_created"] is False

    status = json.loads(run_blue("dev", "status", "--json", env=dev_env).stdout)
    assert {k: status[k] for k in ("running", "endpoint", "pid")} == {
        "running": True,
        "endpoint": up["endpoint"],
        "pid": up["pid"],
    }

    sample = (
        Path(__file__).resolve().parents[1] / "fixtures" / "dialogues" / "local-prod-parity.dialogue.json"
    )
    assert run_blue("dialogue", "import", str(sample), env=dev_env).returncode == 0

    down = json.loads(run_blue("dev", "down", "--json", env=dev_env).stdout)
    assert down == {"stopped": True, "pid": up["pid"]}
    stopped = json.loads(run_blue("dev", "status", "--json", env=dev_env).stdout)
    assert {k: stopped[k] for k in ("running", "pid")} == {"running": False, "pid": None}
    assert json.loads(run_blue("dev", "down", "--json", env=dev_env).stdout)["stopped"] is False

    # The data survives a restart (-sharedDb -dbPath).
    assert run_blue("dev", "up", "--port", port, env=dev_env).returncode == 0
    listed = json.loads(run_blue("dialogue", "list", "--json", env=dev_env).stdout)
    assert [d["id"] for d in listed["dialogues"]] == ["local-prod-parity"]


def test_busy_port_is_one_clear_message(dev_env: dict[str, str]) -> None:
    port = int(dev_env["_PORT"])
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
        done = run_blue("dev", "up", "--port", str(port), env=dev_env)
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_java_is_one_clear_message(dev_env: dict[str, str], tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git", "npm"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    done = run_blue("dev", "up", "--port", dev_env["_PORT"], env={**dev_env, "PATH": str(bin_dir)})
    assert done.returncode == 1
    assert "java was not found on PATH" in done.stderr and "docker compose" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_crashed_server_is_reported_and_replaced(dev_env: dict[str, str]) -> None:
    port = dev_env["_PORT"]
    up = json.loads(run_blue("dev", "up", "--port", port, "--json", env=dev_env).stdout)
    os.kill(up["pid"], signal.SIGKILL)
    for _ in range(50):
        if (
            not Path(f"/proc/{up['pid']}").exists()
            or b"DynamoDB" not in Path(f"/proc/{up['pid']}/cmdline").read_bytes()
        ):
            break
        time.sleep(0.1)
    text = run_blue("dev", "status", env=dev_env)
    assert (
        f"pid {up['pid']}" in text.stderr
        and "exited unexpectedly" in text.stderr
        and "blue dev up" in text.stderr
    )
    listed = run_blue("dialogue", "list", env=dev_env)
    assert (
        listed.returncode == 1 and "cannot reach DynamoDB" in listed.stderr and "blue dev up" in listed.stderr
    )
    restarted = json.loads(run_blue("dev", "up", "--port", port, "--json", env=dev_env).stdout)
    assert restarted["running"] is True and restarted["pid"] != up["pid"]


def test_an_unusable_data_folder_is_named(dev_env: dict[str, str], tmp_path: Path) -> None:
    data_home = tmp_path / "brokendata"
    (data_home / "blue").mkdir(parents=True)
    (data_home / "blue" / "dynamodb").write_text("a file where the data folder should be")
    done = run_blue("dev", "up", "--port", dev_env["_PORT"], env={**dev_env, "XDG_DATA_HOME": str(data_home)})
    assert done.returncode == 1
    assert done.stderr.startswith(f"blue: error: cannot use {data_home / 'blue' / 'dynamodb'}")


def test_a_server_that_dies_during_startup_is_reported(dev_env: dict[str, str], tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "java"
    fake.write_text("#!/bin/sh\necho 'Error: Could not create the Java Virtual Machine.' >&2\nexit 3\n")
    fake.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    done = run_blue("dev", "up", "--port", dev_env["_PORT"], env={**dev_env, "PATH": path})
    assert done.returncode == 1
    assert "DynamoDB Local exited during start-up with code 3" in done.stderr
    assert "Could not create the Java Virtual Machine" in done.stderr and "dynamodb-local.log" in done.stderr
    status = json.loads(run_blue("dev", "status", "--json", env=dev_env).stdout)
    assert status["running"] is False and status["pid"] is None


def test_a_server_started_elsewhere_is_used_not_fought(dev_env: dict[str, str], tmp_path: Path) -> None:
    """docker compose (or another data folder) already serves the port: `blue dev up` reuses it."""
    port = dev_env["_PORT"]
    assert run_blue("dev", "up", "--port", port, env=dev_env).returncode == 0
    other = {**dev_env, "XDG_DATA_HOME": str(tmp_path / "elsewhere")}
    reused = run_blue("dev", "up", "--port", port, "--json", env=other)
    assert reused.returncode == 0, reused.stderr
    info = json.loads(reused.stdout)
    assert info["running"] is True and info["external"] is True and info["pid"] is None


def test_docker_compose_matches_the_dev_server() -> None:
    import yaml

    from blue_tui.core import localdb

    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    service = compose["services"]["dynamodb"]
    assert (
        service["image"] == localdb.DOCKER_IMAGE
        and ":" in service["image"]
        and "latest" not in service["image"]
    )
    assert "-sharedDb" in service["command"] and "-dbPath" in service["command"]
    assert "127.0.0.1:8000:8000" in service["ports"]
    volume = service["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert service["healthcheck"]["test"][0] == "CMD-SHELL" and "8000" in service["healthcheck"]["test"][1]


def test_status_looks_where_dynamodb_endpoint_points(dev_env: dict[str, str], dynamodb_endpoint: str) -> None:
    """Someone else's DynamoDB on another port (the demo's on 8000, say) is not reported as this one."""
    elsewhere = json.loads(run_blue("dev", "status", "--json", env=dev_env).stdout)
    assert elsewhere["running"] is False and elsewhere["endpoint"] == dev_env["DYNAMODB_ENDPOINT"]
    there = json.loads(
        run_blue("dev", "status", "--json", env={**dev_env, "DYNAMODB_ENDPOINT": dynamodb_endpoint}).stdout
    )
    assert there["running"] is True and there["external"] is True and there["endpoint"] == dynamodb_endpoint


def test_up_without_port_uses_the_port_of_dynamodb_endpoint(dev_env: dict[str, str]) -> None:
    up = run_blue("dev", "up", "--json", env=dev_env)
    assert up.returncode == 0, up.stderr
    assert json.loads(up.stdout)["endpoint"] == dev_env["DYNAMODB_ENDPOINT"]
