"""One compatibility path: `realm admin contract --update` and `realm check --mode contract` judge a
contract change with the same function, so the same history gets the same verdict from both.

Each case builds a realm through `admin`, asks `admin contract --update` for the last change, then
commits that same change by hand (as someone editing the file would) and asks `realm check`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from realm_builders import SCHEMA_BROKEN, SCHEMA_V1, SCHEMA_V2, Run, git, init_repo, isolate, run_main

pytestmark = pytest.mark.integration

Blue = Callable[..., Run]

X_STRING = {"type": "object", "properties": {"x": {"type": "string"}}}
X_GONE: dict[str, Any] = {"type": "object", "properties": {}}
X_INTEGER = {"type": "object", "properties": {"x": {"type": "integer"}}}
V1_DESCRIBED = {**SCHEMA_V1, "description": "who may read what"}


@dataclass(frozen=True)
class Case:
    name: str
    history: list[tuple[str, Any]]  # (version, schema), oldest first; the last one is the change judged
    compatibility: str = "full_transitive"
    accepted: bool = True
    required: str | None = None


CASES = [
    Case("compatible change, minor bump", [("1.0.0", SCHEMA_V1), ("1.1.0", SCHEMA_V2)], required="minor"),
    Case(
        "breaking change, minor bump",
        [("1.0.0", SCHEMA_V1), ("1.1.0", SCHEMA_BROKEN)],
        accepted=False,
        required="major",
    ),
    Case("breaking change, major bump", [("1.0.0", SCHEMA_V1), ("2.0.0", SCHEMA_BROKEN)], required="major"),
    Case(
        "breaking change on 0.y, minor bump",
        [("0.1.0", SCHEMA_V1), ("0.2.0", SCHEMA_BROKEN)],
        required="minor",
    ),
    Case("metadata only, patch bump", [("1.0.0", SCHEMA_V1), ("1.0.1", V1_DESCRIBED)], required="patch"),
    Case("schema changed, same version", [("1.0.0", SCHEMA_V1), ("1.0.0", SCHEMA_V2)], accepted=False),
    Case("version went down", [("1.0.0", SCHEMA_V1), ("0.9.0", SCHEMA_V2)], accepted=False),
    Case(
        "each step compatible, a break against 1.0.0 (transitive)",
        [("1.0.0", X_STRING), ("1.1.0", X_GONE), ("1.2.0", X_INTEGER)],
        accepted=False,
        required="minor",
    ),
    Case(
        "the same history without transitive checks",
        [("1.0.0", X_STRING), ("1.1.0", X_GONE), ("1.2.0", X_INTEGER)],
        compatibility="full",
        required="minor",
    ),
]

#: What `realm check` says when it refuses a change (the same findings admin refuses with).
REFUSALS = {"version-decreased", "version-not-bumped", "bump-too-small", "evolution-claim", "incompatible"}


@pytest.fixture
def blue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Blue:
    isolate(tmp_path, monkeypatch)

    def run(cwd: Path, *args: str) -> Run:
        return run_main(list(args), cwd=cwd, capsys=capsys, monkeypatch=monkeypatch)

    return run


def schema_file(folder: Path, schema: Any) -> str:
    path = folder / f"schema-{abs(hash(json.dumps(schema, sort_keys=True)))}.json"
    path.write_text(json.dumps(schema))
    return str(path)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_admin_and_check_give_the_same_verdict(case: Case, blue: Blue, tmp_path: Path) -> None:
    assert blue(tmp_path, "realm", "admin", "init", "letemcook").code == 0
    api = init_repo(tmp_path / "api")
    assert blue(api, "realm", "admin", "join", "letemcook").code == 0
    assert blue(api, "realm", "admin", "domain", "edge", "--repos", "api").code == 0
    realm = tmp_path / "home" / ".blue" / "realms" / "letemcook"
    (first_version, first_schema), *middle, (version, schema) = case.history
    created = blue(
        api,
        "realm", "admin", "contract", "users", "--domain", "edge", "--version", first_version,
        "--schema", schema_file(tmp_path, first_schema), "--compatibility", case.compatibility,
    )  # fmt: skip
    assert created.code == 0, created.err
    for v, s in middle:
        step = blue(
            api, "realm", "admin", "contract", "users", "--domain", "edge", "--update",
            "--version", v, "--schema", schema_file(tmp_path, s),
        )  # fmt: skip
        assert step.code == 0, step.err

    # The admin road.
    before = git(realm, "rev-parse", "HEAD")
    admin = blue(
        api, "realm", "admin", "contract", "users", "--domain", "edge", "--update",
        "--version", version, "--schema", schema_file(tmp_path, schema), "--json",
    )  # fmt: skip
    assert admin.code == (0 if case.accepted else 1), (admin.out, admin.err)
    if case.accepted:
        assert admin.json()["required_bump"] == case.required
        git(realm, "reset", "-q", "--hard", before)
    else:
        assert git(realm, "rev-parse", "HEAD") == before and "blue: error:" in admin.err

    # The same change by hand, judged by `realm check`.
    contract = realm / "domains" / "edge" / "contracts" / "users.yaml"
    doc = yaml.safe_load(contract.read_text())
    doc["schema"] = schema
    if version != doc["version"]:
        doc["evolution"] = [e for e in doc["evolution"] if e["version"] != version] + [
            {"version": version, "changes": ["by hand"]}
        ]
    doc["version"] = version
    contract.write_text(yaml.safe_dump(doc, sort_keys=False))
    git(realm, "commit", "-q", "-am", "the same change, by hand")
    check = blue(tmp_path, "realm", "check", "--realm", str(realm), "--mode", "contract", "--json")
    data = check.json()
    refused = {p["rule"] for p in data["problems"] if p["severity"] == "error"} & REFUSALS
    assert (not refused) == case.accepted, data["problems"]
    steps = [c for c in data["compatibility"] if c["reason"] == "bump"]
    if steps:
        assert steps[0]["required_bump"] == case.required
