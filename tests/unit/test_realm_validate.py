"""Per-file validation: every problem at once, each with file, key path, line and rule."""

from __future__ import annotations

import pytest

from blue_tui.core.realm.names import name_problem, relpath_problem
from blue_tui.core.realm.problems import Problem
from blue_tui.core.realm.validate import binding_doc, contract_doc, domain_doc, realm_doc, repo_doc
from blue_tui.core.realm.yamlfile import parse_text

CONTRACT = "domains/s3/contracts/perm.yaml"


def rules(problems: list[Problem]) -> list[tuple[str, str | None, int | None]]:
    return [(p.rule, p.key, p.line) for p in problems]


def test_contract_reports_every_problem_with_lines() -> None:
    text = (
        "name: perm\n"  # 1
        "version: 1.0\n"  # 2  a float: bad semver
        "owner: [a, b]\n"  # 3  two owners
        "colour: blue\n"  # 4  unknown key
        "schema: {type: object}\n"
        "compatibility: sideways\n"  # 6
        "evolution:\n"
        "  - version: 1.0.0\n"
        "    compatible: maybe\n"  # 9
        "  - changes: [x]\n"  # 10 missing version
    )
    out: list[Problem] = []
    assert contract_doc(parse_text(text), CONTRACT, "s3", "perm", out) is None
    got = rules(out)
    assert ("bad-semver", "version", 2) in got
    assert ("one-owner", "owner", 3) in got
    assert ("unknown-key", "colour", 4) in got
    assert ("bad-value", "compatibility", 6) in got
    assert ("wrong-type", "evolution[0].compatible", 9) in got
    assert ("missing-key", "evolution[1]", 10) in got
    assert all(p.file == CONTRACT and p.domain == "s3" and p.contract == "perm" for p in out)
    bad = next(p for p in out if p.rule == "bad-semver")
    assert "quote it" in bad.message


def test_unknown_key_suggests_the_right_one_and_x_keys_pass() -> None:
    out: list[Problem] = []
    con = contract_doc(
        parse_text("version: 1.0.0\nowner: a\nschema: {}\nevolutoin: []\nx-team: data\n"),
        CONTRACT,
        "s3",
        "perm",
        out,
    )
    assert con is not None
    [p] = out
    assert p.rule == "unknown-key" and p.hint == "did you mean 'evolution'?"


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (None, ("backward", "forward", True, "lenient")),
        ("full", ("backward", "forward", False, "lenient")),
        ("backward_transitive", ("backward", None, True, "lenient")),
        ("FORWARD", (None, "forward", False, "lenient")),
        ({"backwards": True, "forwards": False}, ("backward", None, True, "lenient")),
        ({"forwards": True}, (None, "forward", True, "lenient")),
        ({"policy": "strict"}, ("backward", "forward", True, "strict")),
        ({"mode": "full", "transitive": False}, ("backward", "forward", False, "lenient")),
    ],
)
def test_compatibility_block(block: object, expected: tuple[str | None, str | None, bool, str]) -> None:
    import yaml

    doc = {"version": "1.0.0", "owner": "a", "schema": {}}
    if block is not None:
        doc["compatibility"] = block
    out: list[Problem] = []
    con = contract_doc(parse_text(yaml.safe_dump(doc)), CONTRACT, "s3", "perm", out)
    assert con is not None and not out
    c = con.compatibility
    assert c.directions == tuple(d for d in expected[:2] if d)
    assert (c.transitive, c.policy) == expected[2:]


def test_hooks_run_files_in_the_repo_only() -> None:
    text = (
        "version: 1.0.0\nowner: a\nschema: {}\nvalidation:\n"
        "  exporter: scripts/check.sh --fast\n"
        "  importer: [scripts/a.sh, {run: [scripts/b.py, x], timeout: 5}]\n"
        "  ci_only: [{run: scripts/it.sh, mode: exporter}, /bin/rm -rf /, ../escape.sh]\n"
    )
    out: list[Problem] = []
    con = contract_doc(parse_text(text), CONTRACT, "s3", "perm", out)
    assert con is not None
    v = con.validation
    assert v.exporter[0].argv == ("scripts/check.sh", "--fast")
    assert [h.argv for h in v.importer] == [("scripts/a.sh",), ("scripts/b.py", "x")]
    assert v.importer[1].timeout == 5
    assert [(h.argv, h.mode) for h in v.ci_only] == [(("scripts/it.sh",), "exporter")]
    assert [p.rule for p in out] == ["unsafe-path", "unsafe-path"]
    assert [h.label for h in v.hooks_for("importer")] == ["scripts/a.sh", "scripts/b.py x"]
    assert [h.label for h in v.hooks_for("exporter")] == ["scripts/check.sh --fast", "scripts/it.sh"]


def test_binding_problems() -> None:
    text = (
        "repo: someone-else\n"  # 1 mismatch
        "role: consumer\n"  # 2 but exports
        "exports:\n"
        "  - contract: ../evil\n"  # 4 unsafe
        "  - contract: ok\n"
        "    source_files: [/etc/passwd, src/ok.py]\n"  # 6
        "imports:\n"
        "  - contract: other\n"
        "    version: 1.0\n"  # 9 not a string
        "    status: great\n"  # 10
        "  - contract: third\n"
    )
    out: list[Problem] = []
    b = binding_doc(parse_text(text), "domains/s3/bindings/web.yaml", "s3", "web", out)
    assert b is not None
    got = rules(out)
    assert ("name-mismatch", "repo", 1) in got
    assert ("unsafe-name", "exports[0].contract", 4) in got
    assert ("unsafe-path", "exports[1].source_files[0]", 6) in got
    assert ("wrong-type", "imports[0].version", 9) in got
    assert ("bad-value", "imports[0].status", 10) in got
    assert ("missing-key", "imports[1]", 11) in got
    assert ("role-mismatch", "role", 2) in got
    assert [e.contract for e in b.exports] == ["ok"]
    assert b.exports[0].source_files == ("src/ok.py",)


def test_domain_realm_and_repo() -> None:
    out: list[Problem] = []
    d = domain_doc(
        parse_text("name: s3\nmembers: [a, b, a]\nproviders: [c]\n"), "domains/s3/domain.yaml", "s3", out
    )
    assert d is not None and d.members == ("a", "b")
    assert {p.rule for p in out} == {"duplicate", "not-a-member"}
    out = []
    assert (
        realm_doc(
            parse_text("version: 1.0.0\ntrust: {mode: anarchy, permissions: {}}\n"), "realm.yaml", "r", out
        )
        is None
    )
    got = {(p.rule, p.key) for p in out}
    assert ("missing-key", None) in got
    assert ("bad-value", "trust.mode") in got
    moved = next(p for p in out if p.key == "trust.permissions")
    assert "top level" in (moved.hint or "")
    out = []
    r = repo_doc(parse_text("name: web\npath: /home/me/web\nmaintainers: x\n"), "repos/web.yaml", "web", out)
    assert r is not None
    assert {p.rule for p in out} == {"unknown-key", "wrong-type"}
    assert "index.yaml" in (next(p for p in out if p.rule == "unknown-key").hint or "")


def test_top_level_must_be_a_mapping() -> None:
    out: list[Problem] = []
    assert contract_doc(parse_text("- just\n- a list\n"), CONTRACT, "s3", "perm", out) is None
    assert out[0].rule == "wrong-type" and out[0].line == 1


@pytest.mark.parametrize("name", ["api", "s3-access", "a.b_c", "A1", "x" * 100])
def test_safe_names(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "name", ["", ".hidden", "a/b", "..", "a..b", "-x", "x" * 101, "con", "a b", "é", "ok."]
)
def test_unsafe_names(name: str) -> None:
    assert name_problem(name) is not None


@pytest.mark.parametrize("path", ["/abs", "../up", "a/../../b", "C:/win", "a\\b", "", " pad"])
def test_unsafe_relpaths(path: str) -> None:
    assert relpath_problem(path) is not None


def test_problem_line_text_names_everything() -> None:
    p = Problem(
        "error",
        "bad-range",
        "range is wrong",
        file="domains/d/bindings/r.yaml",
        key="imports[0].version",
        line=7,
        domain="d",
        contract="c",
    )
    assert p.line_text() == (
        "ERROR    d/c  domains/d/bindings/r.yaml:7 (imports[0].version)  [bad-range]  range is wrong"
    )
    assert Problem.from_json(p.as_json()) == p
