"""Shared plumbing for the benchmarks: a private DynamoDB Local, a fresh table, timing helpers.

Each benchmark measures its subject and its baseline in the same run, alternating
them, and prints the medians and the ratio. Run them with `make bench` or directly
(`.venv/bin/python benchmarks/bench_store.py`).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from blue_tui.core import localdb
from blue_tui.core.config import Settings


def _cache_home() -> str:
    value = os.environ.get("XDG_CACHE_HOME", "")
    return value if value and os.path.isabs(value) else str(Path.home() / ".cache")


@contextlib.contextmanager
def local_store_env() -> Iterator[dict[str, str]]:
    """A private DynamoDB Local (in memory, free port), a fresh table and a fresh BLUE_HOME."""
    from blue_tui.core.store.table import ensure_table

    with tempfile.TemporaryDirectory(prefix="blue-bench-") as tmp:
        server_settings = Settings.from_env(
            {"HOME": tmp, "XDG_CACHE_HOME": _cache_home(), "XDG_DATA_HOME": tmp}
        )
        status = localdb.start(server_settings, localdb.free_port(), in_memory=True)
        env = {
            "HOME": tmp,
            "BLUE_HOME": os.path.join(tmp, "blue"),
            "XDG_CACHE_HOME": _cache_home(),
            "XDG_DATA_HOME": tmp,
            "DYNAMODB_ENDPOINT": status.endpoint,
            "BLUE_TABLE": f"bench_{uuid.uuid4().hex[:8]}",
            "BLUE_USER": "bench@example.com",
        }
        try:
            ensure_table(Settings.from_env(env))
            yield env
        finally:
            localdb.stop(server_settings)


def cli_env(home: Path) -> dict[str, str]:
    """The environment of a `blue` subprocess in a benchmark: a fresh home, no BLUE_/GIT_ leaks.

    PYTHONDONTWRITEBYTECODE is dropped: an installed blue has its bytecode compiled, as after the
    first run here; otherwise every run would pay for compiling the package again.
    """
    drop = ("CI", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BLUE_", "GIT_")) and k not in drop}
    env.update({"HOME": str(home), "BLUE_HOME": str(home / ".blue"), "BLUE_USER": "bench@example.com"})
    return env


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(
    subject: Callable[[], object], baseline: Callable[[], object], rounds: int = 5, warmup: int = 1
) -> tuple[float, float]:
    """Median seconds of subject and baseline, run alternately so drift hits both alike."""
    for _ in range(warmup):
        subject()
        baseline()
    s_times, b_times = [], []
    for _ in range(rounds):
        s_times.append(timed(subject))
        b_times.append(timed(baseline))
    return statistics.median(s_times), statistics.median(b_times)


def own_seconds(fn: Callable[[], object]) -> float:
    """For :func:`paired`, when each call measures itself and returns its seconds."""
    return float(fn())  # type: ignore[arg-type]


def paired(
    subject: Callable[[], object],
    baseline: Callable[[], object],
    rounds: int = 9,
    warmup: int = 1,
    *,
    measure: Callable[[Callable[[], object]], float] = timed,
) -> tuple[float, float, float]:
    """Median seconds of subject and baseline, and the median of subject/baseline over back-to-back
    pairs: on a shared machine whose speed drifts, each pair sees nearly the same conditions.
    ``measure`` times one call (``own_seconds``: the call returns its own figure)."""
    for _ in range(warmup):
        subject()
        baseline()
    s_times, b_times, ratios = [], [], []
    for n in range(rounds):
        # Alternate which one goes first, so neither always follows the other.
        if n % 2:
            b = measure(baseline)
            s = measure(subject)
        else:
            s = measure(subject)
            b = measure(baseline)
        s_times.append(s)
        b_times.append(b)
        ratios.append(s / b)
    return statistics.median(s_times), statistics.median(b_times), statistics.median(ratios)


def report(name: str, value: str, ok: bool, target: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}  (target {target})")
    return ok
