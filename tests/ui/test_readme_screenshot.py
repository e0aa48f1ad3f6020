"""The README shows the demo's graph pane as the dashboard exports it; keep the file current."""

from __future__ import annotations

from tests.ui.readme_screenshot import DEFAULT, render


def test_the_readme_screenshot_is_what_the_demo_shows() -> None:
    fresh = render()
    assert "s3-permissions 2.0.0 ✗" in fresh.replace("&#160;", " ")
    assert DEFAULT.read_text(encoding="utf-8") == fresh, (
        "docs/screenshot.svg is stale: run `python -m tests.ui.readme_screenshot`"
    )
