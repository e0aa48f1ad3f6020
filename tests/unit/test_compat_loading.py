"""Schema files go through the realm's guarded YAML loader (issue 10, item 8).

The attacks: a "billion laughs" schema (aliases of collections, each level ten times the one
below; 393 bytes took 9 s to load before), a JSON document nested too deep for Python's
recursion, an oversized file, and YAML tags and merge keys. Each is refused with one message
naming the file, before any work that grows with the expansion.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blue_tui.core.realm.compat import SchemaFileError, load_schema_file
from blue_tui.core.realm.yamlfile import MAX_BYTES


def laughs(levels: int, *, contract: bool = False) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    body = f"type: string\nenum: *a{levels - 1}\n"
    if contract:
        return (
            "name: c\nversion: 1.0.0\nowner: api\nschema:\n  " + "\n  ".join(lines + body.splitlines()) + "\n"
        )
    return "\n".join(lines) + "\n" + body


def refused(path: Path) -> str:
    with pytest.raises(SchemaFileError) as info:
        load_schema_file(path)
    message = str(info.value)
    assert message.startswith(str(path))
    return message


@pytest.mark.parametrize("contract", [False, True], ids=["schema", "contract"])
def test_billion_laughs_is_refused(tmp_path: Path, contract: bool) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(laughs(9, contract=contract), encoding="utf-8")
    assert path.stat().st_size < 700  # a billion strings once expanded
    message = refused(path)
    assert "anchors and aliases of lists or mappings are not allowed" in message
    assert f"{path}:{5 if contract else 1}:" in message  # the anchored list that is aliased


def test_scalar_aliases_stay_allowed(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("type: string\nenum: [&v red, *v, blue]\n", encoding="utf-8")
    assert load_schema_file(path) == {"type": "string", "enum": ["red", "red", "blue"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("base: &b {type: string}\n<<: *b\n", "merge keys"),
        ("type: !!python/name:os.system string\n", "is not allowed"),
        ("type: object\nproperties: !!set {a}\n", "is not allowed"),
        ("type: object\nproperties:\n  a: {type: string}\n  a\x00: {}\n", "NUL"),
    ],
    ids=["merge-key", "python-tag", "set-tag", "nul"],
)
def test_yaml_beyond_plain_values_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    assert expected in refused(path)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deep_nesting_is_refused_without_a_crash(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"deep{suffix}"
    depth = 100_000
    path.write_text('{"not": ' * depth + "{}" + "}" * depth, encoding="utf-8")
    assert "nested deeper than" in refused(path)


def test_nesting_just_under_the_cap_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "nested.json"
    schema: dict[str, object] = {"type": "string"}
    for _ in range(30):
        schema = {"not": schema}
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert load_schema_file(path) == schema


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_oversized_file_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"big{suffix}"
    values = ", ".join(['"' + "x" * 60 + '"'] * (MAX_BYTES // 60))
    path.write_text('{"enum": [' + values + "]}", encoding="utf-8")
    assert "larger than" in refused(path)


def test_json_with_bad_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b'{"type": "str\xffing"}')
    assert "is not UTF-8 text" in refused(path)
