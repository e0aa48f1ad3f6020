"""What the importer reads: regular files only, at most 16 MiB each, links never followed
inside a folder; and a round folder with its recorded summary, which are one dialogue."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from blue_tui.core.errors import SourceError
from blue_tui.core.store.sources import DEFAULT_MAX_BYTES, ParsedDialogue, ReadLimits, parse_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues"
CORPUS = FIXTURES / "corpus"
PAIR = "2026-03-12T2026Z-pm-repo-sync-architecture"
V1 = FIXTURES / "samples" / "cross-repo-realms-refinement.dialogue.recorded.md"
V4 = FIXTURES / "samples" / "local-prod-parity"


def finishes(call: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Run ``call`` in a thread: it must return (or raise) within ``seconds``, never hang."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the importer hung"
    if "error" in box:
        raise box["error"]
    return box["value"]


def failed(found: list[ParsedDialogue]) -> dict[str, str]:
    return {Path(p.source).name: p.error.reason for p in found if p.error is not None}


# ---- regular files only --------------------------------------------------------------------------


def test_a_fifo_is_refused_and_never_opened_for_a_blocking_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.dialogue.md"
    os.mkfifo(fifo)
    with pytest.raises(SourceError) as err:
        finishes(lambda: parse_path(fifo))
    assert err.value.source == str(fifo)
    assert err.value.message == f"{fifo}: is a FIFO, not a regular file; only regular files are read"


def test_a_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.dialogue.md"
    link.symlink_to("/dev/zero")
    with pytest.raises(SourceError, match="is a character device, not a regular file"):
        finishes(lambda: parse_path(link))


def test_inside_a_folder_of_many_links_and_fifos_are_refused_by_name(tmp_path: Path) -> None:
    shutil.copy(V1, tmp_path / V1.name)
    (tmp_path / "zero.dialogue.md").symlink_to("/dev/zero")
    (tmp_path / "secret.md").symlink_to(V1)  # a regular file, but outside the folder's control
    os.mkfifo(tmp_path / "pipe.md")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    shutil.copytree(V4, outside / "local-prod-parity")
    (tmp_path / "linked-folder").symlink_to(outside)
    found = finishes(lambda: parse_path(tmp_path))
    assert [p.dialogue_id for p in found if p.error is None] == ["cross-repo-realms-refinement"]
    link = "is a symbolic link; inside a folder only regular files are read (links are not followed)"
    assert failed(found) == {
        "pipe.md": "is a FIFO, not a regular file; only regular files are read",
        "secret.md": link,
        "zero.dialogue.md": link,
    }


def test_inside_a_dialogue_folder_a_special_member_fails_the_dialogue_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "local-prod-parity"
    shutil.copytree(V4, folder)
    (folder / "round-1" / "muffin.md").symlink_to("/dev/zero")
    with pytest.raises(SourceError) as err:
        finishes(lambda: parse_path(folder))
    assert err.value.source == str(folder / "round-1" / "muffin.md")
    assert "is a symbolic link" in err.value.reason
    (folder / "round-1" / "muffin.md").unlink()
    os.mkfifo(folder / "round-2" / "notes.md")
    with pytest.raises(SourceError, match=r"round-2/notes\.md: is a FIFO"):
        finishes(lambda: parse_path(folder))
    (folder / "round-2" / "notes.md").unlink()
    (folder / "diagram.png").symlink_to("/dev/zero")  # not a text member: skipped, said
    parsed = finishes(lambda: parse_path(folder))[0]
    assert "diagram.png skipped: is a symbolic link; inside a folder only regular files are read " in (
        " ".join(parsed.warnings) + " "
    )


def test_files_over_the_size_limit_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.dialogue.md"
    with big.open("wb") as handle:
        handle.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(SourceError) as err:
        parse_path(big)
    assert err.value.message == (
        f"{big}: is 16,777,217 bytes, over the 16 MiB limit for one file (raise it with --max-file-size)"
    )
    small = tmp_path / V1.name
    shutil.copy(V1, small)
    with pytest.raises(SourceError, match="over the 1,000 bytes limit"):
        parse_path(small, ReadLimits(max_bytes=1000))
    assert parse_path(small, ReadLimits(max_bytes=small.stat().st_size))[0].dialogue_id == (
        "cross-repo-realms-refinement"
    )


# ---- a round folder and its summary are one dialogue ------------------------------------------------


def test_folder_and_summary_give_one_document_either_way(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / PAIR, tmp_path / PAIR)
    shutil.copy(CORPUS / f"{PAIR}.dialogue.recorded.md", tmp_path)
    by_folder = parse_path(tmp_path / PAIR)[0]
    by_summary = parse_path(tmp_path / f"{PAIR}.dialogue.recorded.md")[0]
    assert by_folder.document == by_summary.document
    doc = by_folder.document
    assert doc["id"] == PAIR  # as written, case kept
    assert doc["source"] == f"{PAIR}/ + {PAIR}.dialogue.recorded.md"
    assert (by_folder.source, by_folder.companions) == (
        str(tmp_path / PAIR),
        (str(tmp_path / f"{PAIR}.dialogue.recorded.md"),),
    )
    # The summary's inventories and verdict, the folder's rounds and files.
    assert doc["title"] == "PM Repo Sync Architecture"
    assert len(doc["perspectives"]) == 16 and len(doc["tensions"]) == 9
    assert [r["round"] for r in doc["rounds_data"]] == [0, 1, 2]
    first = doc["rounds_data"][0]
    assert len(first["contributions"]) == 8 and first["summary_file"] == "round-0.summary.md"
    assert first["heading"] == "Round 0: Opening Arguments"  # from the summary: its round text is kept
    assert "Strong convergence" in first["text"]
    assert [d["path"] for d in doc["documents"]] == ["tensions.md", "scoreboard.md"]
    assert doc["question"].startswith("How should Blue sync generalize")
    assert [(v["id"], v["title"]) for v in doc["verdicts"]] == [("final", "Final Aligned Architecture")]
    assert any(s.get("heading") == "Final Aligned Architecture" for s in doc["sections"])
    # A whole tree holding both: one dialogue, read once.
    found = parse_path(tmp_path)
    assert [(p.dialogue_id, p.document == doc) for p in found] == [(PAIR, True)]


def test_a_blue_tree_pairs_the_folder_with_its_summary_in_docs(tmp_path: Path) -> None:
    blue = tmp_path / ".blue"
    shutil.copytree(CORPUS / PAIR, blue / "dialogues" / PAIR)
    (blue / "docs" / "dialogues").mkdir(parents=True)
    shutil.copy(CORPUS / f"{PAIR}.dialogue.recorded.md", blue / "docs" / "dialogues")
    shutil.copy(V1, blue / "docs" / "dialogues")
    found = parse_path(blue)
    assert [p.dialogue_id for p in found] == [PAIR, "cross-repo-realms-refinement"]
    summary_only = parse_path(blue / "docs" / "dialogues" / f"{PAIR}.dialogue.recorded.md")[0]
    assert summary_only.document == found[0].document
    assert summary_only.companions == (str(blue / "dialogues" / PAIR),)


def test_a_summary_without_its_folder_is_a_dialogue_of_its_own(tmp_path: Path) -> None:
    summary = tmp_path / f"{PAIR}.dialogue.recorded.md"
    shutil.copy(CORPUS / summary.name, summary)
    parsed = parse_path(summary)[0]
    assert (parsed.dialogue_id, parsed.document["format"], parsed.companions) == (PAIR, "v3-template", ())
    assert parsed.document["source"] == summary.name
