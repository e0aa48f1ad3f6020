"""The building blocks of the markdown importer: block scanner, tables, markers, ids."""

from __future__ import annotations

import pytest

from blue_tui.core.store.mdimport.ids import assign_global_ids, find_ids, parse_id
from blue_tui.core.store.mdimport.markdown import scan, split_lines
from blue_tui.core.store.mdimport.markers import find_markers
from blue_tui.core.store.mdimport.tables import (
    is_placeholder,
    number,
    parse_box_table,
    parse_pipe_table,
    split_row,
)


def kinds(text: str) -> list[tuple[str, int, int]]:
    return [(b.kind, b.start, b.end) for b in scan(split_lines(text))]


# ---- block scanner ---------------------------------------------------------------------------------


def test_fences_are_one_block_and_hide_headings() -> None:
    text = "# Title\n\n```yaml\n# a comment\n## Round 9: not a round\n```\n\n## Round 1: Real\n"
    assert kinds(text) == [("heading", 0, 1), ("fence", 2, 6), ("heading", 7, 8)]
    assert scan(split_lines(text))[2].title == "Round 1: Real"


def test_tilde_fences_longer_closers_and_unclosed_fences() -> None:
    assert kinds("~~~\n```\nx\n~~~~\nafter\n") == [("fence", 0, 4), ("paragraph", 4, 5)]
    # A fence opened with four backticks is not closed by three.
    assert kinds("````\n```\n# no\n````\n") == [("fence", 0, 4)]
    # An unclosed fence runs to the end of the file (CommonMark): nothing after it is structure.
    assert kinds("text\n\n```\n# not a heading\n| a | b |\n") == [("paragraph", 0, 1), ("fence", 2, 6)]


def test_fence_inside_a_list_item_is_still_a_fence() -> None:
    text = "1. step one\n   ```bash\n   # comment\n   ```\n2. step two\n"
    assert [k for k, _, _ in kinds(text)] == ["list", "fence", "list"]


def test_rules_tables_quotes_and_paragraphs() -> None:
    text = "para one\nstill para\n---\n| a | b |\n|---|---|\n| 1 | 2 |\n> quoted\n\n- item\n  more\n"
    assert kinds(text) == [
        ("paragraph", 0, 2),
        ("rule", 2, 3),
        ("table", 3, 6),
        ("quote", 6, 7),
        ("list", 8, 10),
    ]


def test_heading_levels_and_closing_hashes() -> None:
    block = scan(split_lines("### Muffin 🧁 ###"))[0]
    assert (block.kind, block.level, block.title) == ("heading", 3, "Muffin 🧁")
    assert kinds("#hashtag is text") == [("paragraph", 0, 1)]


def test_crlf_and_cr_line_endings() -> None:
    assert split_lines("a\r\nb\rc") == ["a", "b", "c"]


# ---- tables ----------------------------------------------------------------------------------------


def test_pipe_table_needs_a_delimiter_row() -> None:
    assert parse_pipe_table(["| a | b |", "| 1 | 2 |"]) is None
    table = parse_pipe_table(["| ID | Label |", "|:---|---:|", "| P01 | one |", "| P02 |"], 10)
    assert table is not None
    assert table.keys == ["id", "label"]
    assert table.rows == [["P01", "one"], ["P02", ""]]
    assert table.lines == [12, 13]


def test_cells_keep_escaped_pipes_and_code_spans() -> None:
    assert split_row(r"| a \| b | `x | y` | c |") == ["a | b", "`x | y`", "c"]


def test_extra_cells_are_joined_into_the_last_column() -> None:
    table = parse_pipe_table(["| a | b |", "|---|---|", "| 1 | 2 | 3 |"])
    assert table is not None and table.rows == [["1", "2 | 3"]]


def test_box_table_joins_multi_line_cells() -> None:
    lines = [
        "┌──────┬────────────┐",
        "│ ID   │ Resolution │",
        "├──────┼────────────┤",
        "│ T01  │ fixed by   │",
        "│      │ the gate   │",
        "└──────┴────────────┘",
    ]
    table = parse_box_table(lines)
    assert table is not None
    assert table.keys == ["id", "resolution"]
    assert table.rows == [["T01", "fixed by the gate"]]


@pytest.mark.parametrize("cell", ["—", "-", "", "[Awaiting response]", "[Awaiting Round 0]", "TBD", "**—**"])
def test_placeholders(cell: str) -> None:
    assert is_placeholder(cell)


@pytest.mark.parametrize("cell", ["0", "Open", "[MOVE:CONVERGE]", "P01"])
def test_not_placeholders(cell: str) -> None:
    assert not is_placeholder(cell)


@pytest.mark.parametrize(
    ("cell", "value"),
    [("**12**", 12), ("+87", 87), ("85%", 85), ("0.95", 0.95), ("—", None), ("1,234", 1234)],
)
def test_numbers(cell: str, value: float | None) -> None:
    assert number(cell) == value


# ---- markers ---------------------------------------------------------------------------------------


def test_entity_markers_in_every_written_form() -> None:
    text = (
        "**[PERSPECTIVE P01: Parse by structure]** — body [TENSION T1: a] [TENSION: no id here] "
        "[MUFFIN-P0101: local form] [RECOMMENDATION R01: adopt] [PERSPECTIVE P02: `x[0]` is fine]"
    )
    found = find_markers(text)
    assert [(m.tag, m.id.written if m.id else None, m.label) for m in found] == [
        ("perspective", "P01", "Parse by structure"),
        ("tension", "T1", "a"),
        ("tension", None, "no id here"),
        ("perspective", "MUFFIN-P0101", "local form"),
        ("recommendation", "R01", "adopt"),
        ("perspective", "P02", "`x[0]` is fine"),
    ]
    assert text[found[0].start : found[0].end].startswith("**[") and found[0].written.startswith("[PERSP")
    local = found[3].id
    assert local is not None and (local.expert, local.round) == ("MUFFIN", 1)


def test_action_move_ref_and_verdict_markers() -> None:
    text = (
        "[RESOLVED T02: done] [RESOLVED MUFFIN R1-T01] [RESOLVED: free text] [REFINEMENT: narrows STRUDEL-T01] "
        "[CONCESSION: fair] [ACKNOWLEDGED T09] [MOVE:CONVERGE] [MOVE:CONDITIONAL-CONVERGE] [MOVE:BRIDGE P01 T02] "
        "[RE:SUPPORT P0101] [RE:NONSENSE X] [VERDICT:FINAL] [DISSENT: no] [MINORITY VERDICT: esg] "
        "[CONVERGENCE CONFIRMED]"
    )
    summary = [
        (m.family, m.tag, [t.written for t in m.targets], m.text or m.label) for m in find_markers(text)
    ]
    assert summary == [
        ("action", "resolve", ["T02"], "done"),
        ("action", "resolve", ["MUFFIN R1-T01"], ""),
        ("action", "resolve", [], "free text"),
        ("action", "refine", [], "narrows STRUDEL-T01"),
        ("action", "concede", [], "fair"),
        ("action", "acknowledge", ["T09"], ""),
        ("move", "converge", [], ""),
        ("move", "conditional-converge", [], ""),
        ("move", "bridge", ["P01", "T02"], ""),
        ("ref", "support", ["P0101"], ""),
        ("verdict", "final", [], ""),
        ("verdict", "dissent", [], "no"),
        ("verdict", "minority", [], "esg"),
        ("action", "converge", [], ""),
    ]


def test_text_in_brackets_is_not_a_marker() -> None:
    assert (
        find_markers("[Awaiting response] [link](http://x) [x] [PERSPECTIVES are many] [tension T1: lower]")
        == []
    )


def test_a_marker_never_spans_a_blank_line() -> None:
    assert find_markers("[PERSPECTIVE P01: open\n\nstill open]") == []
    assert len(find_markers("[PERSPECTIVE P01: wrapped\nlabel]")) == 1


# ---- ids -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "letter", "number", "expert", "rnd"),
    [
        ("P01", "P", 1, None, None),
        ("T1", "T", 1, None, None),
        ("T0001", "T", 1, None, None),
        ("MUFFIN-T01 (R0)", "T", 1, "MUFFIN", 0),
        ("CROISSANT R1-T01", "T", 1, "CROISSANT", 1),
        ("T04-R1", "T", 4, None, 1),
        ("R0012", "R", 12, None, None),
        ("O0003", "O", 3, None, None),
    ],
)
def test_parse_id(written: str, letter: str, number: int, expert: str | None, rnd: int | None) -> None:
    ref = parse_id(written)
    assert ref is not None
    assert (ref.letter, ref.number, ref.expert, ref.round, ref.written) == (
        letter,
        number,
        expert,
        rnd,
        written,
    )


def test_short_r_ids_are_rounds_unless_asked() -> None:
    assert parse_id("R1") is None
    ref = parse_id("R1", allow_short_r=True)
    assert ref is not None and (ref.letter, ref.number) == ("R", 1)
    assert [
        r.written for r in find_ids("Resolved in R1 by Eclair's P05 and T01 (R0), see R0004 and E2E")
    ] == [
        "Eclair's P05",
        "T01 (R0)",
        "R0004",
    ]


def test_global_ids_keep_unique_display_ids_and_fill_the_rest() -> None:
    entries = [
        ("T", 0, ["T0001"]),
        ("T", 1, ["T0006"]),  # written in display form, used once: kept even though it says round 0
        ("T", 0, ["T01"]),
        ("T", 1, ["MUFFIN-T01 (R1)"]),
        ("P", None, ["P01"]),
        ("T", 0, ["T0002"]),
        ("T", 0, ["T0002"]),  # used twice: neither keeps it
    ]
    assert assign_global_ids(entries) == ["T0001", "T0006", "T0002", "T0101", "P0001", "T0003", "T0004"]
    assert assign_global_ids(entries) == assign_global_ids(entries)
