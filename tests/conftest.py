"""Shared fixtures: real DynamoDB Local (one per session, one table per test), moto's KMS server,
an isolated environment per test, and helpers to run `blue` in-process or as a subprocess.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from blue_tui.core import localdb
from blue_tui.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _user_cache_home() -> Path:
    """Where `make` fetched DynamoDB Local (reused, never re-downloaded per test run)."""
    value = os.environ.get("XDG_CACHE_HOME", "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".cache"


#: Variables of the user's shell that would change what the product does under test.
_SCRUBBED_PREFIXES = ("BLUE_", "AWS_", "DYNAMODB_", "TEXTUAL", "XDG_")
_SCRUBBED_NAMES = ("CI", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "GIT_DIR", "GIT_WORK_TREE")
_hermetic_root: tempfile.TemporaryDirectory[str] | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Make the whole run hermetic before any test module is imported.

    Nothing a user runs or keeps on this machine may change a result: their `~/.blue`, their
    AWS profile and variables, a DynamoDB on the default port, their git or XDG settings. Every
    test gets an empty HOME; DYNAMODB_ENDPOINT points at a closed port unless a fixture sets one;
    only the cached DynamoDB Local jar (XDG_CACHE_HOME) is shared with the user.
    """
    global _hermetic_root
    cache_home = _user_cache_home()
    for name in list(os.environ):
        if name.startswith(_SCRUBBED_PREFIXES) or name in _SCRUBBED_NAMES:
            del os.environ[name]
    _hermetic_root = tempfile.TemporaryDirectory(prefix="blue-tests-")
    root = Path(_hermetic_root.name)
    home = root / "home"
    home.mkdir()
    os.environ.update(
        {
            "HOME": str(home),
            "XDG_CACHE_HOME": str(cache_home),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_DATA_HOME": str(root / "data"),
            "XDG_STATE_HOME": str(root / "state"),
            "XDG_RUNTIME_DIR": str(root / "run"),
            # Discard port: a test that forgets its endpoint fails loudly instead of using the user's server.
            "DYNAMODB_ENDPOINT": "http://127.0.0.1:9",
            "AWS_CONFIG_FILE": str(root / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(root / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    if _hermetic_root is not None:
        _hermetic_root.cleanup()


@pytest.fixture(scope="session")
def dynamodb_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DynamoDB Local, started through the same code as `blue dev up` (in memory, on a free port)."""
    data = tmp_path_factory.mktemp("ddb-data")
    settings = Settings.from_env(
        {"HOME": str(data), "XDG_CACHE_HOME": str(_user_cache_home()), "XDG_DATA_HOME": str(data)}
    )
    port = localdb.free_port()
    status = localdb.start(settings, port, in_memory=True)
    try:
        yield status.endpoint
    finally:
        localdb.stop(settings)


@pytest.fixture(scope="session")
def kms_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's server on loopback, as a separate process: our KMS-compatible endpoint."""
    port = localdb.free_port()
    exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    assert exe, "moto_server not installed (pip install 'moto[server]')"
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(endpoint + "/moto-api/", timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("moto_server did not start")
    try:
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
def blue_env(
    tmp_path: Path, dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """An isolated environment (own BLUE_HOME, own table) applied to os.environ for in-process calls."""
    table = f"t_{uuid.uuid4().hex[:12]}"
    env = {
        "HOME": str(tmp_path / "home"),
        "BLUE_HOME": str(tmp_path / "home" / ".blue"),
        "XDG_CACHE_HOME": str(_user_cache_home()),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        "DYNAMODB_ENDPOINT": dynamodb_endpoint,
        "BLUE_TABLE": table,
        "BLUE_USER": "tester@example.com",
        "BLUE_KEY_PROVIDER": "local",
        "AWS_REGION": "us-east-1",
    }
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_KMS",
        "BLUE_KMS_KEY_ID",
        "BLUE_SESSIONS_DB",
        "TRACEPARENT",
        "CI",
    ):
        monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "home").mkdir(exist_ok=True)
    from blue_tui.core.store.table import delete_table, ensure_table

    settings = Settings.from_env(env)
    ensure_table(settings)
    try:
        yield env
    finally:
        delete_table(settings, table)


@pytest.fixture
def settings(blue_env: dict[str, str]) -> Settings:
    return Settings.from_env(blue_env)


@pytest.fixture
def kms_env(blue_env: dict[str, str], kms_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """blue_env switched to the KMS provider with a fresh key on moto's server."""
    import boto3

    kms = boto3.client(
        "kms",
        endpoint_url=kms_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    key_id = kms.create_key(Description="blue-tui test")["KeyMetadata"]["KeyId"]
    alias = f"alias/blue-{uuid.uuid4().hex[:8]}"
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    extra = {"BLUE_KEY_PROVIDER": "kms", "BLUE_KMS_KEY_ID": alias, "AWS_ENDPOINT_URL_KMS": kms_endpoint}
    for key, value in extra.items():
        monkeypatch.setenv(key, value)
    blue_env.update(extra)
    blue_env["_KMS_KEY_ID"] = key_id
    return blue_env


def run_blue(
    *args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`blue ARGS` as a real subprocess (what a user runs)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BLUE_", "AWS_", "DYNAMODB_"))}
    full_env.update({k: v for k, v in env.items() if not k.startswith("_")})
    return subprocess.run(
        [sys.executable, "-m", "blue_tui", *args],
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
