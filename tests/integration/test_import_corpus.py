"""The real corpus (36 dialogue files and a round folder, every format generation), imported
as a user would: through the CLI, into the encrypted store, and back out.

For every file with inventory tables (a Perspectives Inventory or a Tensions Tracker) the
exported perspectives and tensions are exactly the table's rows: the ids as written, the
labels, the contributors the rows name and the statuses of the status column, with the
text as written. Every source line reaches `blue dialogue show`; a re-import changes
nothing; the round folder and its recorded summary are one dialogue.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from blue_tui.cli import main
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "dialogues" / "corpus"
PAIR = "2026-03-12T2026Z-pm-repo-sync-architecture"
FILES = sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")
INVENTORY = re.compile(r"^#{2,4}\s+.*\b(Perspectives Inventory|Tensions Tracker)\b", re.I)
PLACEHOLDER_IDS = ("", "—", "-")


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def plain(text: str) -> str:
    return text.replace("**", "").strip()


def inventory_tables(path: Path) -> dict[str, list[dict[str, str]]]:
    """The rows of the file's inventory tables, read independently of the importer."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: dict[str, list[dict[str, str]]] = {"perspectives": [], "tensions": []}
    for i, line in enumerate(lines):
        match = INVENTORY.match(line)
        if not match:
            continue
        kind = "perspectives" if match.group(1).lower().startswith("perspectives") else "tensions"
        j = i + 1
        while not lines[j].startswith("|"):
            j += 1
        header = [h.lower() for h in cells(lines[j])]
        for row in lines[j + 2 :]:
            if not row.startswith("|"):
                break
            values = cells(row)
            if plain(values[0]) not in PLACEHOLDER_IDS:
                found[kind].append(dict(zip(header, values, strict=False)))
    return found


def status_cell(row: dict[str, str]) -> str | None:
    for key, value in row.items():
        if "status" in key:
            return value
    return row.get("consensus")


def expected_status(cell: str, kind: str) -> str:
    """What the status cells of the corpus say, read by hand (independent of the importer)."""
    low = plain(cell).lower()
    if re.match(r"^\d+/\d+", low):  # a consensus count: agreed when ticked
        return ("accepted" if kind == "perspectives" else "resolved") if "✓" in cell else "open"
    if "resolved" in low or low == "consensus":
        return "resolved"
    if low.startswith("partial"):
        return "addressed"
    if low in ("open", "active"):
        return "open"
    if low == "deferred":
        return "deferred"
    raise AssertionError(f"a status cell this test does not know: {cell!r}")


def contributors_cell(row: dict[str, str]) -> str | None:
    for key in ("agent", "raised", "raised by", "surfaced by"):
        if key in row:
            return row[key]
    return None


def source_lines(path: Path) -> list[str]:
    """Every line of the file (or of the folder's markdown files: a prompt an expert was given is
    kept in the document and named by `show`, which prints it only with `show --json`/`export`)."""
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*.md") if not p.name.endswith(".prompt.md"))
    )
    lines: list[str] = []
    for file in files:
        lines += [line.strip().lstrip("#").strip() for line in file.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def export(capsys: pytest.CaptureFixture[str], ident: str) -> dict[str, Any]:
    assert main(["dialogue", "export", ident]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_the_whole_corpus_imports_true_to_its_tables(
    blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_json(capsys, "dialogue", "import", str(CORPUS))
    assert code == 0 and out["failed"] == []
    imported = {Path(r["source"]).name: r for r in out["imported"]}
    # 36 files and a folder; the folder and its summary are one dialogue, imported once.
    assert len(imported) == 36 and all(r["status"] == "created" for r in imported.values())
    assert PAIR in imported and f"{PAIR}.dialogue.recorded.md" not in imported
    ids = {name: r["id"] for name, r in imported.items()}
    assert ids[PAIR] == PAIR  # ids as written, case kept
    assert ids["2026-01-26T1829Z-blue-config-architecture.dialogue.recorded.md"] == (
        "2026-01-26T1829Z-blue-config-architecture"
    )

    checked = 0
    for path in [*FILES, CORPUS / PAIR]:
        name = PAIR if path.name == f"{PAIR}.dialogue.recorded.md" else path.name
        tables = inventory_tables(path) if path.is_file() else {"perspectives": [], "tensions": []}
        if not any(tables.values()):
            continue
        # Lookups accept any case.
        document = export(capsys, ids[name].lower())
        assert document["id"] == ids[name]
        experts = {e["slug"]: e["name"] for e in document["experts"]}
        for kind, rows in tables.items():
            if not rows:
                continue
            items = document[kind]
            assert [i.get("local_id") for i in items] == [plain(r["id"]) for r in rows], (path.name, kind)
            for item, row in zip(items, rows, strict=True):
                label = plain(row.get("perspective") or row.get("tension") or "")
                assert item["label"] == label, (path.name, item["local_id"])
                written = status_cell(row)
                if written and plain(written) not in PLACEHOLDER_IDS:
                    assert item["status_text"] == plain(written), (path.name, item["local_id"])
                    assert item["status"] == expected_status(written, kind), (path.name, item["local_id"])
                said = contributors_cell(row)
                named = [slug for slug, who in experts.items() if said and who.lower() in said.lower()]
                if said and ("all" in said.lower().split() or "(all)" in said.lower()):
                    named = list(experts)
                assert set(named) <= set(item["origin"]["contributors"]), (path.name, item["local_id"])
            checked += 1
    assert checked == 28  # 14 files whose inventories have rows (the pair once), perspectives and tensions

    # Nothing is dropped: every source line reaches `blue dialogue show`.
    for path in [*FILES, CORPUS / PAIR]:
        name = PAIR if path.name == f"{PAIR}.dialogue.recorded.md" else path.name
        assert main(["dialogue", "show", ids[name]]) == 0
        shown = capsys.readouterr().out
        missing = [line for line in source_lines(path) if line not in shown]
        if path.is_dir():
            missing += [
                line for line in source_lines(CORPUS / f"{PAIR}.dialogue.recorded.md") if line not in shown
            ]
        assert missing == [], (path.name, missing[:3])

    # Same files, same documents: nothing is written again.
    code, out = run_json(capsys, "dialogue", "import", str(CORPUS))
    assert code == 0 and {r["status"] for r in out["imported"]} == {"unchanged"}


def test_the_issue_examples(blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    config = CORPUS / "2026-01-26T1829Z-blue-config-architecture.dialogue.recorded.md"
    sync = CORPUS / "rfc-document-import-sync.dialogue.recorded.md"
    code, out = run_json(capsys, "dialogue", "import", str(config), str(sync))
    assert code == 0 and [r["status"] for r in out["imported"]] == ["created", "created"]
    doc = export(capsys, "2026-01-26t1829z-blue-config-architecture")
    # 20 perspectives and 13 tensions, as the inventory says (not 53 and 32).
    assert (len(doc["perspectives"]), len(doc["tensions"])) == (20, 13)
    p03 = doc["perspectives"][2]
    assert (p03["local_id"], p03["origin"]["contributors"]) == ("P03", ["cupcake"])
    cupcake = next(e for e in doc["experts"] if e["slug"] == "cupcake")
    # Cupcake's own P01 is the inventory's P03; Cupcake's round-1 P01 is a contribution of its own.
    assert [
        (c["round"], c["id"], c["item"]) for c in cupcake["contributions"] if c["kind"] == "perspective"
    ] == [
        (0, "P01", p03["id"]),
        (1, "P01", None),
    ]
    statuses = {t["local_id"]: (t["status"], t["status_text"]) for t in doc["tensions"]}
    assert statuses["T1"] == ("resolved", "RESOLVED") and statuses["T2"] == ("addressed", "Partial")
    assert statuses["T7"] == ("open", "Open")

    doc = export(capsys, "RFC-DOCUMENT-IMPORT-SYNC")
    rows = {p["local_id"]: p for p in doc["perspectives"]}
    assert rows["P02"]["label"] == "Filesystem-first with lazy indexing"
    assert (rows["P01"]["status"], rows["P01"]["status_text"]) == ("accepted", "6/6 ✓ (STRONG)")
    assert rows["P01"]["origin"]["contributors"] == [
        "muffin",
        "scone",
        "eclair",
        "brioche",
        "croissant",
        "macaron",
    ]
    assert rows["P01"]["origin"]["as_written"] == "All 6 agents"


@pytest.mark.parametrize("order", ["folder first", "summary first", "one command"])
def test_folder_and_summary_are_one_dialogue_in_any_order(
    order: str, blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, summary = str(CORPUS / PAIR), str(CORPUS / f"{PAIR}.dialogue.recorded.md")
    if order == "one command":
        code, out = run_json(capsys, "dialogue", "import", folder, summary)
        assert code == 0 and [r["status"] for r in out["imported"]] == ["created", "unchanged"]
    else:
        first, second = (folder, summary) if order == "folder first" else (summary, folder)
        code, out = run_json(capsys, "dialogue", "import", first)
        assert code == 0 and [r["status"] for r in out["imported"]] == ["created"]
        code, out = run_json(capsys, "dialogue", "import", second)
        assert code == 0 and [r["status"] for r in out["imported"]] == ["unchanged"]
    assert {r["id"] for r in out["imported"]} == {PAIR}
    assert main(["dialogue", "list", "--json"]) == 0
    assert [d["id"] for d in json.loads(capsys.readouterr().out)["dialogues"]] == [PAIR]
    doc = export(capsys, PAIR)
    assert (len(doc["perspectives"]), len(doc["tensions"]), len(doc["rounds_data"])) == (16, 9, 3)
    assert doc["verdicts"][0]["title"] == "Final Aligned Architecture"
