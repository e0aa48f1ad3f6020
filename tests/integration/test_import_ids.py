"""`blue dialogue import` as a user runs it: ids as written and found in any case, files that
are not regular files or are too big refused by name, `--max-file-size`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from blue_tui.cli import main
from tests.conftest import FIXTURES, run_blue

CORPUS = FIXTURES / "dialogues" / "corpus"
CONFIG = CORPUS / "2026-01-26T1829Z-blue-config-architecture.dialogue.recorded.md"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_ids_keep_their_case_and_are_found_in_any_case(
    blue_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_json(capsys, "dialogue", "import", str(CONFIG))
    assert code == 0 and out["imported"][0]["id"] == "2026-01-26T1829Z-blue-config-architecture"
    for typed in ("2026-01-26T1829Z-blue-config-architecture", "2026-01-26t1829z-BLUE-config-architecture"):
        code, shown = run_json(capsys, "dialogue", "show", typed)
        assert code == 0 and shown["id"] == "2026-01-26T1829Z-blue-config-architecture"
    assert main(["dialogue", "verify", "2026-01-26T1829Z-BLUE-CONFIG-ARCHITECTURE"]) == 0
    capsys.readouterr()
    # Two stored ids that differ only in case: the exact one is found, a third spelling is refused.
    for ident in ("Design-Review", "design-review"):
        path = tmp_path / f"{ident}.dialogue.json"
        path.write_text(json.dumps({"id": ident, "title": ident}))
        assert main(["dialogue", "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["dialogue", "export", "design-review"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "design-review"
    assert main(["dialogue", "export", "DESIGN-REVIEW"]) == 1
    err = capsys.readouterr().err
    assert "'DESIGN-REVIEW' names 2 dialogues that differ only in case: Design-Review, design-review" in err
    assert "hint: give the id exactly as `blue dialogue list` shows it" in err
    assert main(["dialogue", "show", "no-such-dialogue"]) == 1
    assert "no dialogue 'no-such-dialogue' in the store" in capsys.readouterr().err


def test_fifos_links_and_big_files_are_refused_by_name(blue_env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "dialogues"
    folder.mkdir()
    shutil.copy(CONFIG, folder)
    os.mkfifo(folder / "pipe.dialogue.md")
    (folder / "zero.dialogue.md").symlink_to("/dev/zero")
    done = run_blue("dialogue", "import", str(folder), "--json", env=blue_env, timeout=60)
    assert done.returncode == 1, done.stderr
    out = json.loads(done.stdout)
    assert [r["id"] for r in out["imported"]] == ["2026-01-26T1829Z-blue-config-architecture"]
    assert {Path(f["source"]).name: f["error"] for f in out["failed"]} == {
        "pipe.dialogue.md": f"{folder / 'pipe.dialogue.md'}: is a FIFO, not a regular file; only regular files "
        "are read",
        "zero.dialogue.md": f"{folder / 'zero.dialogue.md'}: is a symbolic link; inside a folder only regular "
        "files are read (links are not followed)",
    }
    done = run_blue("dialogue", "import", str(CONFIG), "--max-file-size", "16K", env=blue_env)
    assert done.returncode == 1
    size = CONFIG.stat().st_size
    assert (
        f"blue: error: {CONFIG}: is {size:,} bytes, over the 16,384 bytes limit for one file "
        "(raise it with --max-file-size)"
    ) in done.stderr
    done = run_blue("dialogue", "import", str(CONFIG), "--max-file-size", "1M", "--json", env=blue_env)
    assert done.returncode == 0 and json.loads(done.stdout)["imported"][0]["status"] == "unchanged"
    done = run_blue("dialogue", "import", str(CONFIG), "--max-file-size", "lots", env=blue_env)
    assert done.returncode == 64 and "'lots' is not a size" in done.stderr
