"""The README's screenshot: the demo's realm graph pane, exported by the dashboard itself.

`python -m tests.ui.readme_screenshot [OUT.svg]` builds the demo realm in a scratch BLUE_HOME
(no DynamoDB needed for this pane), opens blue-tui on it headless at 140x30, selects the
out-of-range edge and saves the app's own SVG export (docs/screenshot.svg by default).
tests/ui/test_readme_screenshot.py checks that the committed file is what this makes.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from blue_tui.core.config import Settings
from blue_tui.core.demo import workspace
from tests.ui.conftest import make_app, settle

DEFAULT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.svg"
SIZE = (140, 30)


async def export(home: Path) -> str:
    settings = Settings.from_env({"HOME": str(home), "BLUE_HOME": str(home / ".blue")})
    workspace.build(settings)
    app = make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        return app.export_screenshot(title="blue-tui --realm demo")


def render() -> str:
    with tempfile.TemporaryDirectory(prefix="blue-shot-") as tmp:
        return asyncio.run(export(Path(tmp)))


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
