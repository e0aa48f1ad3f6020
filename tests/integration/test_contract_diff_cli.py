"""`blue contract diff` end to end: files in, JSON or text out, exit codes 0 / 1 / 2, and bad input
named by file and line (never a traceback). Also `load_schema_file` on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from blue_tui.cli import main
from blue_tui.core.realm.compat import SchemaFileError, load_schema_file

OLD: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "n": {"type": "integer"}},
    "required": ["id"],
}


def write(tmp: Path, name: str, content: Any) -> Path:
    path = tmp / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["contract", "diff", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_compatible_both_ways_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.json", OLD)
    new = write(tmp_path, "new.json", {**OLD, "description": "same documents"})
    code, out, _ = run(capsys, old, new, "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["backward"], data["forward"]) == (True, True)
    assert [c["rule"] for c in data["changes"]] == ["DESCRIPTION_CHANGED"]


def test_incompatible_exits_1_with_exact_json_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(tmp_path, "old.json", OLD)
    new = write(tmp_path, "new.json", {**OLD, "required": ["id", "n"]})
    code, out, _ = run(capsys, old, new, "--json")
    data = json.loads(out)
    assert code == 1
    assert {"backward", "forward", "changes"} <= set(data)
    assert (data["backward"], data["forward"]) == (False, True)
    [change] = data["changes"]
    assert {"rule", "path", "backward", "forward", "message"} <= set(change)
    assert (change["rule"], change["path"]) == ("REQUIRED_ATTRIBUTE_ADDED", "#/properties/n")
    assert change["counterexample_for"] == "backward" and "n" not in change["counterexample"]


def test_unknown_only_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a lookahead is outside the regular subset the checker decides
    old = write(tmp_path, "old.json", {"type": "string", "pattern": "^(?=a)[a-z]+$"})
    new = write(tmp_path, "new.json", {"type": "string", "pattern": "^(?=a)[a-z]{1,}$"})
    code, out, _ = run(capsys, old, new, "--json")
    assert code == 2
    assert json.loads(out)["backward"] is None


def test_warning_only_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.json", {"type": "string", "default": "a"})
    new = write(tmp_path, "new.json", {"type": "string", "default": "b"})
    code, out, _ = run(capsys, old, new)
    assert code == 2
    assert "DEFAULT_CHANGED" in out and "[warning]" in out


def test_text_output_one_line_per_change_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(tmp_path, "old.json", OLD)
    new = write(
        tmp_path, "new.json", {**OLD, "properties": {"id": {"type": "integer"}, "n": {"type": "integer"}}}
    )
    code, out, _ = run(capsys, old, new)
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith("TYPE_CHANGED  #/properties/id/type  backward=BREAKS forward=BREAKS")
    assert lines[1].strip().startswith("counterexample (old accepts, new rejects):")
    assert lines[-1].startswith("backward: incompatible, forward: incompatible (1 change, policy strict")


def test_policy_lenient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path, "old.json", OLD)
    new = write(
        tmp_path, "new.json", {**OLD, "properties": {**OLD["properties"], "extra": {"type": "string"}}}
    )
    assert run(capsys, old, new)[0] == 1
    code, out, _ = run(capsys, old, new, "--policy", "lenient", "--json")
    assert code == 0
    assert json.loads(out)["policy"] == "lenient"


def test_readers_apply_defaults_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(
        tmp_path, "old.json", {"type": "object", "properties": {"a": {"type": "string", "default": "x"}}}
    )
    new = write(tmp_path, "new.json", {**json.loads(old.read_text()), "required": ["a"]})
    code, out, _ = run(capsys, old, new, "--json")
    assert code == 1 and json.loads(out)["changes"][0]["disputed"] is True
    assert run(capsys, old, new, "--readers-apply-defaults")[0] == 0


def test_contract_yaml_and_schema_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract = write(
        tmp_path,
        "user.yaml",
        "name: user\nversion: 1.2.0\nowner: api\ncompatibility: full\nschema:\n"
        "  type: object\n  properties:\n    id: {type: string}\n    n: {type: integer}\n  required: [id]\n",
    )
    schema = write(
        tmp_path,
        "schema.yaml",
        "type: object\nproperties:\n  id: {type: string}\n  n: {type: integer}\nrequired: [id]\n",
    )
    assert load_schema_file(contract) == load_schema_file(schema) == OLD
    code, out, _ = run(capsys, contract, schema, "--json")
    assert code == 0 and json.loads(out)["changes"] == []


def test_yaml_dates_stay_strings(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "type: string\nenum: [2024-01-01]\n")
    assert load_schema_file(path) == {"type": "string", "enum": ["2024-01-01"]}


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.json", None, "missing.json: no such file"),
        ("broken.yaml", "type: object\nproperties:\n  a: {type: [}\n", "broken.yaml:3: not valid YAML"),
        ("broken.json", '{"type": "object",\n "properties": }', "broken.json:2: not valid JSON"),
        (
            "contract.yaml",
            "name: user\nversion: 1.0.0\nowner: api\n",
            "contract.yaml:1: is a contract without a `schema:` key",
        ),
        (
            "list.yaml",
            "- type: string\n",
            "list.yaml:1: the schema must be a JSON object (a mapping), not a list",
        ),
        ("scalar.json", '"string"', "scalar.json:1: the schema must be a JSON object (a mapping), not a str"),
        (
            "bad-schema.yaml",
            "name: c\nversion: 1.0.0\nschema: [1, 2]\n",
            "bad-schema.yaml:3: the contract's `schema:` must be a JSON object",
        ),
        ("empty.yaml", "", "empty.yaml: is empty"),
        (
            "bad-keyword.yaml",
            "type: object\nproperties:\n  a:\n    type: strin\n",
            "bad-keyword.yaml:4: #/properties/a/type: `type` must be one of",
        ),
        (
            "bad-required.json",
            '{\n  "type": "object",\n  "required": "a"\n}',
            "bad-required.json:3: #/required: `required` must be a list",
        ),
        ("nan.yaml", "type: number\nmaximum: .nan\n", "nan.yaml:2: #/maximum: nan is not a JSON number"),
        ("tab.yaml", "type: object\n\tproperties: {}\n", "tab.yaml:2: not valid YAML"),
    ],
)
def test_bad_input_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str | None, expected: str
) -> None:
    bad = tmp_path / name
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    good = write(tmp_path, "good.json", OLD)
    with pytest.raises(SchemaFileError) as info:
        load_schema_file(bad)
    assert expected in str(info.value)
    code, out, err = run(capsys, good, bad)
    assert code == 1 and out == ""
    assert err.startswith(f"blue: error: {tmp_path}/") and expected in err
    assert "Traceback" not in err


def test_directory_is_not_a_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, tmp_path, tmp_path)
    assert code == 1 and "is a directory" in err


def test_usage_errors_exit_64(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["contract", "diff", "only-one"])
    assert info.value.code == 64
    with pytest.raises(SystemExit) as info:
        main(["contract", "diff", "a", "b", "--policy", "sloppy"])
    assert info.value.code == 64
    capsys.readouterr()


def test_through_a_real_process(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", OLD)
    new = write(
        tmp_path,
        "new.yaml",
        "type: object\nproperties:\n  id: {type: string}\n  n: {type: number}\nrequired: [id]\n",
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-m", "blue_tui", "contract", "diff", str(old), str(new), "--json"],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert (data["backward"], data["forward"]) == (True, False)
    [change] = data["changes"]
    assert change["rule"] == "TYPE_EXTENDED" and change["counterexample"] == {"id": "", "n": 0.5}
    broken = write(tmp_path, "broken.yaml", "type: [\n")
    done = subprocess.run(
        [sys.executable, "-m", "blue_tui", "contract", "diff", str(old), str(broken)],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert f"blue: error: {broken}:2: not valid YAML" in done.stderr and "Traceback" not in done.stderr
