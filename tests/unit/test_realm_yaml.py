"""Realm YAML: plain values, key-path lines, and refusal of what could hurt."""

from __future__ import annotations

import pytest
import yaml

from blue_tui.core.realm import yamlfile
from blue_tui.core.realm.yamlfile import MAX_DEPTH, YamlError, dump, parse_bytes, parse_text


def test_values_and_lines_for_every_key_path() -> None:
    parsed = parse_text("name: x\nimports:\n  - contract: c\n    version: '>=1 <2'\n  - contract: d\n")
    assert parsed.data == {
        "name": "x",
        "imports": [{"contract": "c", "version": ">=1 <2"}, {"contract": "d"}],
    }
    assert parsed.line("name") == 1
    assert parsed.line("imports[0].version") == 4
    assert parsed.line("imports[1].contract") == 5
    # An unknown key path falls back to its nearest known parent.
    assert parsed.line("imports[1].missing") == 5


def test_timestamps_stay_strings_and_numbers_stay_numbers() -> None:
    data = parse_text("at: 2026-01-24\nwhen: 2026-01-24T10:00:00Z\nn: 3\nf: 1.5\nb: true\nz: null\n").data
    assert data == {
        "at": "2026-01-24",
        "when": "2026-01-24T10:00:00Z",
        "n": 3,
        "f": 1.5,
        "b": True,
        "z": None,
    }


def test_duplicate_keys_are_reported_not_hidden() -> None:
    parsed = parse_text("version: 1.0.0\nowner: a\nversion: 2.0.0\n")
    assert parsed.data["version"] == "2.0.0"
    [issue] = parsed.issues
    assert issue.key == "version" and issue.line == 3 and "first at line 1" in issue.message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("a: !!binary aGk=\n", "not allowed"),
        ("a: !!set {x}\n", "not allowed"),
        ("? [a]\n: 1\n", "plain strings"),
        ("a: {b: 1\n", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "not valid YAML"),
        ("<<: {a: 1}\n", "merge keys"),
        ("a: b\x00\n", "NUL"),
    ],
)
def test_refused_documents(text: str, needle: str) -> None:
    with pytest.raises(YamlError) as err:
        parse_text(text)
    assert needle in err.value.message


def test_error_lines_point_at_the_problem() -> None:
    with pytest.raises(YamlError) as err:
        parse_text("a: 1\nb: 2\nc: [1, 2\n")
    assert err.value.line is not None and err.value.line >= 3


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000, 200_000])
def test_deep_nesting_is_refused_without_crashing(depth: int) -> None:
    # libyaml's composer recurses in C; 100k levels would kill the interpreter.
    with pytest.raises(YamlError, match="nested deeper"):
        parse_text("[" * depth + "]" * depth)
    with pytest.raises(YamlError, match="nested deeper"):
        parse_text("- " * depth + "x\n")


@pytest.mark.parametrize(
    "text", ["[" * 5000 + "]" * 5000, "- " * 5000 + "x\n", "{a: " * 3000 + "1" + "}" * 3000]
)
def test_deep_nesting_gets_our_message_even_when_the_fast_parser_refuses_first(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whichever parser stops first (libyaml caps nesting in some releases), the message is ours."""

    class RefusingParser(yamlfile._Loader):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            raise yaml.scanner.ScannerError("while scanning", None, "some library's own words", None)

    monkeypatch.setattr(yamlfile, "_Loader", RefusingParser)
    with pytest.raises(YamlError) as err:
        yamlfile.parse_text(text)
    assert err.value.message == f"nested deeper than {MAX_DEPTH} levels"
    assert err.value.line == 1


def test_a_refusal_that_is_not_about_depth_keeps_its_line() -> None:
    # Long enough to be scanned before composing; broken at line 1202, nowhere deep.
    text = "a:\n" + "  - x\n" * 1200 + "  - [1, 2\nb: 3\n"
    with pytest.raises(YamlError) as err:
        parse_text(text)
    assert "nested deeper" not in err.value.message
    assert err.value.line is not None and err.value.line >= 1202


def test_reasonable_nesting_is_fine() -> None:
    text = "a: " + "{b: " * 20 + "1" + "}" * 20 + "\n"
    assert parse_text(text).data["a"]["b"]["b"]["b"] is not None


def test_bytes_bom_utf8_and_size() -> None:
    assert parse_bytes("\ufeffname: é\n".encode()).data == {"name": "é"}
    with pytest.raises(YamlError, match="UTF-8") as err:
        parse_bytes(b"a: 1\nb: \xff\n")
    assert err.value.line == 2
    with pytest.raises(YamlError, match="larger than"):
        parse_bytes(b"a: " + b"x" * (1 << 20) + b"\n")


def test_empty_document_is_none() -> None:
    assert parse_text("").data is None
    assert parse_text("# only a comment\n").data is None


def test_dump_round_trips_in_order() -> None:
    data = {"name": "x", "version": "1.0.0", "members": ["a", "b"], "schema": {"type": "object"}}
    text = dump(data)
    assert text.index("name") < text.index("version") < text.index("members")
    assert parse_text(text).data == data
