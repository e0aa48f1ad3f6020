"""`blue dialogue import` of dialogue markdown and round-scoped folders, through the real store
(DynamoDB Local, encryption, manifests), as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from blue_tui.cli import main
from blue_tui.core.store.sources import parse_path
from tests.conftest import FIXTURES, run_blue

SAMPLES = FIXTURES / "dialogues" / "samples"
FORMATS = FIXTURES / "dialogues" / "formats"
V1 = SAMPLES / "cross-repo-realms-refinement.dialogue.recorded.md"
V4 = SAMPLES / "local-prod-parity"
INVENTORIES = ("perspectives", "tensions", "recommendations", "evidence", "claims", "verdicts")


def source_lines(path: Path) -> list[str]:
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*.md") if not p.name.endswith(".prompt.md"))
    )
    lines: list[str] = []
    for file in files:
        lines += [line.strip().lstrip("#").strip() for line in file.read_text().splitlines()]
    return [line for line in lines if line]


def imported(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["dialogue", "import", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_import_v1_file_and_v4_folder(blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = imported(capsys, str(V1), str(V4))
    assert code == 0 and out["failed"] == []
    assert [(r["id"], r["status"], r["source"]) for r in out["imported"]] == [
        ("cross-repo-realms-refinement", "created", str(V1)),
        ("local-prod-parity", "created", str(V4)),
    ]
    assert out["imported"][0]["warnings"] == []
    assert out["imported"][1]["warnings"] == [
        "status is converged but 2 tension(s) are not resolved: T0003 (T0003: open), T0005 (T0005: open)"
    ]

    # Same input, same document: nothing is written again.
    code, out = imported(capsys, str(V1), str(V4))
    assert code == 0 and [r["status"] for r in out["imported"]] == ["unchanged", "unchanged"]
    assert out["imported"][1]["warnings"]  # warnings come with every import, also an unchanged one

    assert main(["dialogue", "list", "--json"]) == 0
    listed = {d["id"]: d for d in json.loads(capsys.readouterr().out)["dialogues"]}
    assert listed["local-prod-parity"]["status"] == "converged"
    assert (listed["local-prod-parity"]["rounds"], listed["local-prod-parity"]["experts"]) == (4, 11)
    assert listed["cross-repo-realms-refinement"]["rounds"] == 12

    for ident, path in (("cross-repo-realms-refinement", V1), ("local-prod-parity", V4)):
        assert main(["dialogue", "export", ident]) == 0
        exported = json.loads(capsys.readouterr().out)
        assert exported == parse_path(path)[0].document
        for name in ("experts", "rounds_data", *INVENTORIES):
            assert isinstance(exported[name], list)

        assert main(["dialogue", "show", ident]) == 0
        shown = capsys.readouterr().out
        missing = [line for line in source_lines(path) if line not in shown]
        assert missing == []

    assert main(["dialogue", "export", "local-prod-parity"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [t["id"] for t in exported["tensions"]] == ["T0001", "T0002", "T0003", "T0004", "T0005", "T0006"]
    assert len(exported["perspectives"]) == 17 and len(exported["recommendations"]) == 12
    assert exported["verdicts"][-1]["id"] == "final"

    assert main(["dialogue", "verify", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_show_prints_panel_inventories_and_warnings(
    blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = FORMATS / "2026-01-26T0200Z-format-contract.dialogue.recorded.md"
    code, _ = imported(capsys, str(path))
    assert code == 0
    assert main(["dialogue", "show", "2026-01-26t0200z-format-contract"]) == 0
    shown = capsys.readouterr().out
    for text in (
        "Format Contract Design",
        "status: converged",
        "Warnings (3)",
        "! status is converged but 1 tension(s) are not resolved",
        "! T03 is used for more than one tension in round 0",
        "Panel (4)",
        "UX Architect",
        "Perspectives (5: 5 open)",
        "Tensions (3: 2 resolved, 1 open)",
        "T0001 resolved in round 1 by muffin, eclair",
        "Contributions (1)",
        "Where does the contract live?",
        "[final] final, round 1",
        "== Round 0: Opening Arguments",
    ):
        assert text in shown
    assert [line for line in source_lines(path) if line not in shown] == []


def test_changed_file_needs_replace(
    blue_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / V1.name
    shutil.copy(V1, path)
    assert imported(capsys, str(path))[1]["imported"][0]["status"] == "created"
    path.write_text(path.read_text().replace("**Date:** 2026-01-24", "**Date:** 2026-01-25"))
    code, out = imported(capsys, str(path))
    assert code == 1 and out["imported"] == []
    assert "different content" in out["failed"][0]["error"]
    code, out = imported(capsys, str(path), "--replace")
    assert code == 0 and out["imported"][0]["status"] == "replaced"
    assert main(["dialogue", "export", "cross-repo-realms-refinement"]) == 0
    assert json.loads(capsys.readouterr().out)["date"] == "2026-01-25"


def test_bad_files_fail_alone(
    blue_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.dialogue.md"
    shutil.copy(FORMATS / "v1-role-ids.dialogue.recorded.md", good)
    empty = tmp_path / "empty.dialogue.md"
    empty.write_text("")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\x00\x01PNG")
    latin = tmp_path / "latin.dialogue.md"
    latin.write_bytes(b"# Dialogue\n\n## Round 1\n\ncaf\xe9\n")
    folder = tmp_path / "many"
    shutil.copytree(V4, folder / "local-prod-parity")
    shutil.copy(latin, folder / "broken.dialogue.md")

    code, out = imported(capsys, str(good), str(empty), str(binary), str(latin), str(folder))
    assert code == 1
    assert [(r["id"], r["status"]) for r in out["imported"]] == [
        ("good", "created"),
        ("local-prod-parity", "created"),
    ]
    errors = {Path(f["source"]).name: f["error"] for f in out["failed"]}
    assert errors == {
        "empty.dialogue.md": f"{empty}: is empty",
        "binary.md": f"{binary}: is a binary file, not a dialogue",
        "latin.dialogue.md": f"{latin}:5: is not UTF-8 text",
        "broken.dialogue.md": f"{folder / 'broken.dialogue.md'}:5: is not UTF-8 text",
    }
    assert main(["dialogue", "list", "--json"]) == 0
    assert sorted(d["id"] for d in json.loads(capsys.readouterr().out)["dialogues"]) == [
        "good",
        "local-prod-parity",
    ]


def test_folder_of_every_format(blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = imported(capsys, str(FORMATS))
    assert code == 0 and out["failed"] == []
    ids = [r["id"] for r in out["imported"]]
    assert ids == [p.dialogue_id for p in parse_path(FORMATS)]
    assert len(ids) == 9
    warned = {r["id"]: r["warnings"] for r in out["imported"]}
    assert warned["free-form-conversation"] == []
    assert any("placeholder" in w for w in warned["2026-02-02T1158Z-awaiting-template"])
    code, out = imported(capsys, str(FORMATS))
    assert code == 0 and {r["status"] for r in out["imported"]} == {"unchanged"}


def test_show_in_a_real_process(blue_env: dict[str, str]) -> None:
    path = FORMATS / "2026-03-01T1200Z-hybrid-review"
    done = run_blue("dialogue", "import", str(path), env=blue_env)
    assert done.returncode == 0, done.stderr
    assert "warning: 2026-03-01T1200Z-hybrid-review: round-0/strudel.md is empty" in done.stderr
    shown = run_blue("dialogue", "show", "2026-03-01t1200z-hybrid-review", env=blue_env)
    assert shown.returncode == 0, shown.stderr
    assert "\x1b[" not in shown.stdout  # piped: plain text
    assert [line for line in source_lines(path) if line not in shown.stdout] == []
    assert "(prompt given to muffin kept: round-0/muffin.prompt.md" in shown.stdout
