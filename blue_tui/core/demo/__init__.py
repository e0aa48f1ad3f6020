"""`blue demo` / `make demo`: a workspace to try the dashboard on, built once under
``$BLUE_HOME/demo/`` (see :mod:`blue_tui.core.demo.workspace`), and the sample dialogues shipped
in ``samples/`` imported into DynamoDB Local."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from blue_tui.core.config import Settings
from blue_tui.core.errors import BlueError

if TYPE_CHECKING:
    from blue_tui.core.store.dialogue_store import DialogueStore, ImportResult

Progress = Callable[[str], None]


def samples_dir() -> Path:
    return Path(str(resources.files("blue_tui.core.demo").joinpath("samples")))


def sample_paths() -> list[Path]:
    return sorted(samples_dir().iterdir(), key=lambda p: p.name)


def require_local_endpoint(settings: Settings) -> str:
    """The demo writes only to DynamoDB Local: never sample data into a real table."""
    if not settings.endpoint_is_local or settings.dynamodb_endpoint is None:
        raise BlueError(
            f"`blue demo` imports sample dialogues only into DynamoDB Local, and DYNAMODB_ENDPOINT is "
            f"{settings.endpoint_label}",
            hint="unset DYNAMODB_ENDPOINT (or set it to http://127.0.0.1:8000) and run `blue demo` again",
        )
    return settings.dynamodb_endpoint


def ensure_dynamodb(settings: Settings, progress: Progress | None = None) -> str:
    """DynamoDB Local answering at the configured loopback endpoint, with the table (like `blue dev up`)."""
    from urllib.parse import urlparse

    from blue_tui.core import localdb
    from blue_tui.core.store.table import ensure_table

    endpoint = require_local_endpoint(settings)
    if not localdb.probe(endpoint):
        port = urlparse(endpoint).port or 8000
        localdb.start(settings, port, progress=progress)
    ensure_table(settings)
    return endpoint


def import_samples(store: DialogueStore, progress: Progress | None = None) -> list[ImportResult]:
    """Import every sample (an unchanged one is a no-op, so re-runs are cheap)."""
    from blue_tui.core.store.sources import parse_path

    results = []
    for path in sample_paths():
        for parsed in parse_path(path):
            result = store.import_dialogue(parsed)
            if progress is not None:
                progress(f"dialogue {result.id}: {result.status}")
            results.append(result)
    return results
