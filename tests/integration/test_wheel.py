"""The built wheel works outside the checkout: styles ship inside it, both packages are there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import blue_tui, screens
from blue_tui.app import BlueApp, styles_dir
assert blue_tui.__file__.startswith(sys.argv[1]), blue_tui.__file__
assert screens.__file__.startswith(sys.argv[1]), screens.__file__
css = styles_dir() / "app.tcss"
assert str(css).startswith(sys.argv[1]), css
assert css.read_text().strip()
assert BlueApp.CSS_PATH == str(css)
print("ok")
"""


def test_wheel_carries_styles_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(wheels.glob("blue_tui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "blue_tui/styles/app.tcss" in names
    assert "screens/dialogues.py" in names and "blue_tui/core/store/dialogue_store.py" in names
    assert not [n for n in names if n.startswith("tests/")]

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(target)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "ok", done.stderr
    version = subprocess.run(
        [str(target / "bin" / "blue"), "--version"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert version.stdout.startswith("blue "), version.stderr
