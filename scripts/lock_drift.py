"""Print the packages whose newest installed release differs from requirements.lock.

Usage: python scripts/lock_drift.py requirements.lock versions.txt (from `pip list --format=freeze`).
`make test-latest` prints this before running the suite, so a failure names its suspects.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: Packages every venv brings, and the project itself: never in the lock.
_VENV_OWN = frozenset({"blue-tui", "pip", "setuptools", "wheel"})
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, set[str]]:
    """Every pinned version per package (a universal lock pins some twice, per Python marker)."""
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = _PIN.match(line.strip())
        if match:
            found.setdefault(_canonical(match.group(1)), set()).add(match.group(2))
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    locked = pins(Path(argv[1]).read_text())
    latest = {name: min(versions) for name, versions in pins(Path(argv[2]).read_text()).items()}
    changed = sorted(name for name in latest if name in locked and latest[name] not in locked[name])
    added = sorted(name for name in latest if name not in locked and name not in _VENV_OWN)
    for name in changed:
        print(f"  {name}: {' / '.join(sorted(locked[name]))} -> {latest[name]}")
    for name in added:
        print(f"  {name}: (not in the lock) {latest[name]}")
    if not changed and not added:
        print("  none: the lock is current")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
