"""The dependency rule, checked at run time: core never pulls in the UI, and --help stays light."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import blue_tui.core

CORE_MODULES = sorted(m.name for m in pkgutil.walk_packages(blue_tui.core.__path__, "blue_tui.core."))

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich', 'screens'})))
"""


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ui(module: str) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [], f"{module} pulled in UI modules"


HEAVY_PROBE = """
import json, sys
from blue_tui.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'cryptography', 'textual'})),
      file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["dialogue", "--help"], ["realm", "--help"]])
def test_version_and_help_stay_light(argv: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", HEAVY_PROBE, *argv], capture_output=True, text=True, check=False
    )
    assert json.loads(out.stderr.strip().splitlines()[-1]) == []
    if argv == ["--version"]:
        assert out.stdout.startswith("blue ")


def test_core_list_is_not_empty() -> None:
    assert "blue_tui.core.store.dialogue_store" in CORE_MODULES
    assert "blue_tui.core.crypto.audit" in CORE_MODULES


START_PROBE = """
import json, sys
from blue_tui.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(set(sys.modules) & {'dataclasses', 'inspect', 'typing', 'shutil', 'lzma', 'bz2'})),
      file=sys.stderr)
"""


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_skip_the_costly_stdlib(argv: list[str]) -> None:
    """Start-up is a feature (benchmarks/bench_cli.py): these modules were most of it."""
    out = subprocess.run(
        [sys.executable, "-c", START_PROBE, *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert json.loads(out.stderr.strip().splitlines()[-1]) == [], out.stderr
