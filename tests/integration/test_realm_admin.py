"""`blue realm admin ...` end to end, in-process, against real git repos."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from realm_builders import SCHEMA_BROKEN, SCHEMA_V1, SCHEMA_V2, git, init_repo, isolate

from blue_tui.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture
def renv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return isolate(tmp_path, monkeypatch)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.out)  # type: ignore[no-any-return]


Blue = Callable[..., Run]


@pytest.fixture
def blue(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Blue:
    def run(*args: str, cwd: Path | None = None) -> Run:
        monkeypatch.chdir(cwd or tmp_path)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return run


@pytest.fixture
def ws(renv: dict[str, str], tmp_path: Path, blue: Blue) -> dict[str, Path]:
    """A realm made by `admin init`, and three code repos that joined it."""
    assert blue("realm", "admin", "init", "letemcook").code == 0
    repos = {}
    for name in ("api", "web", "mobile"):
        path = init_repo(tmp_path / name)
        (path / ".blue").mkdir()
        (path / ".blue" / "config.yaml").write_text("# keep me\nforge:\n  type: github\n")
        r = blue("realm", "admin", "join", "letemcook", cwd=path)
        assert r.code == 0, r.err
        repos[name] = path
    repos["realm"] = Path(renv["BLUE_HOME"]) / "realms" / "letemcook"
    return repos


def realm_log(ws: dict[str, Path]) -> list[str]:
    return git(ws["realm"], "log", "--format=%s").splitlines()


def test_init_join_write_index_config_and_commits(ws: dict[str, Path], renv: dict[str, str]) -> None:
    index = yaml.safe_load((Path(renv["BLUE_HOME"]) / "index.yaml").read_text())
    checkouts = {name: str(ws[name].resolve()) for name in ("api", "mobile", "web")}
    assert index["realms"] == [{"name": "letemcook", "path": str(ws["realm"]), "checkouts": checkouts}]
    config = (ws["api"] / ".blue" / "config.yaml").read_text()
    assert config.startswith("# keep me\nforge:\n  type: github\n")
    assert yaml.safe_load(config)["realm"] == {"name": "letemcook", "repo": "api"}
    assert realm_log(ws) == [
        "realm: register repo mobile",
        "realm: register repo web",
        "realm: register repo api",
        "realm: create realm letemcook",
    ]
    assert (ws["realm"] / "repos" / "api.yaml").exists()
    assert git(ws["realm"], "status", "--porcelain") == ""


def test_refusals_name_the_flag_that_updates(ws: dict[str, Path], blue: Blue, tmp_path: Path) -> None:
    r = blue("realm", "admin", "init", "letemcook")
    assert r.code == 1 and "already" in r.err
    other = init_repo(tmp_path / "other-checkout-of-api")
    r = blue("realm", "admin", "join", "letemcook", "--repo", "api", cwd=other)
    assert r.code == 1 and "already registered" in r.err and "--update" in r.err
    # Joining again from the same repo is a no-op, not an error.
    r = blue("realm", "admin", "join", "letemcook", "--json", cwd=ws["api"])
    assert r.code == 0 and r.json["commit"] is None
    r = blue("realm", "admin", "domain", "edge", "--repos", "api,web", cwd=ws["api"])
    assert r.code == 0, r.err
    r = blue("realm", "admin", "domain", "edge", "--repos", "api,web", cwd=ws["api"])
    assert r.code == 1 and "already exists" in r.err and "--update" in r.err
    r = blue("realm", "admin", "domain", "nope", "--update", "--add", "web", cwd=ws["api"])
    assert r.code == 1 and "no domain" in r.err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["realm", "admin", "domain", "../escape", "--repos", "api"], "not a safe name"),
        (["realm", "admin", "domain", "d", "--repos", "api,ghost"], "not a registered repo"),
        (["realm", "admin", "contract", "c/x", "--domain", "edge"], "not a safe name"),
        (["realm", "admin", "init", "bad name"], "not a safe name"),
    ],
)
def test_names_are_validated(ws: dict[str, Path], blue: Blue, args: list[str], needle: str) -> None:
    r = blue(*args, cwd=ws["api"])
    assert r.code in (1, 64) and needle in r.err
    assert not (ws["realm"] / "domains" / "escape").exists()


def build_edge(ws: dict[str, Path], blue: Blue) -> None:
    """api owns edge/users; web imports it."""
    assert blue("realm", "admin", "domain", "edge", "--repos", "api,web", cwd=ws["api"]).code == 0
    schema = ws["api"] / "users.schema.json"
    schema.write_text(json.dumps(SCHEMA_V1))
    r = blue(
        "realm", "admin", "contract", "users", "--domain", "edge", "--schema", str(schema), cwd=ws["api"]
    )
    assert r.code == 0, r.err
    (ws["api"] / "src").mkdir()
    (ws["api"] / "src" / "users.py").write_text("# users\n")
    assert (
        blue("realm", "admin", "binding", "edge", "--export", "users:src/users.py", cwd=ws["api"]).code == 0
    )
    r = blue(
        "realm", "admin", "binding", "edge", "--import", "users@>=1.0.0, <2.0.0", "--json", cwd=ws["web"]
    )
    assert r.code == 0, r.err
    assert r.json["imports"][0]["status"] == "current" and r.json["imports"][0]["resolved_version"] == "1.0.0"


def test_contract_lifecycle_and_bump_rule(ws: dict[str, Path], blue: Blue) -> None:
    build_edge(ws, blue)
    con_file = ws["realm"] / "domains" / "edge" / "contracts" / "users.yaml"
    doc = yaml.safe_load(con_file.read_text())
    assert doc["owner"] == "api" and doc["version"] == "1.0.0" and doc["schema"] == SCHEMA_V1
    assert doc["compatibility"] == {
        "backwards": True,
        "forwards": True,
        "transitive": True,
        "policy": "lenient",
    }
    v2 = ws["api"] / "v2.json"
    v2.write_text(json.dumps(SCHEMA_V2))
    # A changed schema needs a version...
    r = blue(
        "realm",
        "admin",
        "contract",
        "users",
        "--domain",
        "edge",
        "--update",
        "--schema",
        str(v2),
        cwd=ws["api"],
    )
    assert r.code == 64 and "give --version" in r.err
    # ...an optional field with a default under lenient is a minor change.
    r = blue(
        "realm",
        "admin",
        "contract",
        "users",
        "--domain",
        "edge",
        "--update",
        "--schema",
        str(v2),
        "--version",
        "1.1.0",
        "--changes",
        "added write",
        "--json",
        cwd=ws["api"],
    )
    assert r.code == 0, r.err
    assert r.json["required_bump"] == "minor" and r.json["compatible"] is True
    broken = ws["api"] / "broken.json"
    broken.write_text(json.dumps(SCHEMA_BROKEN))
    r = blue(
        "realm",
        "admin",
        "contract",
        "users",
        "--domain",
        "edge",
        "--update",
        "--schema",
        str(broken),
        "--version",
        "1.2.0",
        cwd=ws["api"],
    )
    assert r.code == 1 and "needs a major bump" in r.err and "--version 2.0.0" in r.err
    r = blue(
        "realm",
        "admin",
        "contract",
        "users",
        "--domain",
        "edge",
        "--update",
        "--schema",
        str(broken),
        "--version",
        "2.0.0",
        cwd=ws["api"],
    )
    assert r.code == 0, r.err
    doc = yaml.safe_load(con_file.read_text())
    assert [e["version"] for e in doc["evolution"]] == ["1.0.0", "1.1.0", "2.0.0"]
    assert doc["evolution"][1] == {"version": "1.1.0", "changes": ["added write"], "compatible": True}
    assert doc["evolution"][2]["compatible"] is False
    assert realm_log(ws)[0] == "realm: update contract edge/users 1.1.0 -> 2.0.0 (major)"


def test_only_the_owner_changes_or_exports_a_contract(ws: dict[str, Path], blue: Blue) -> None:
    build_edge(ws, blue)
    r = blue(
        "realm",
        "admin",
        "contract",
        "users",
        "--domain",
        "edge",
        "--update",
        "--description",
        "x",
        cwd=ws["web"],
    )
    assert r.code == 1 and "owned by 'api'" in r.err
    r = blue("realm", "admin", "binding", "edge", "--update", "--export", "users", cwd=ws["web"])
    assert r.code == 1 and "its owner is 'api'" in r.err
    r = blue(
        "realm", "admin", "contract", "users", "--domain", "edge", "--update", "--owner", "web", cwd=ws["api"]
    )
    assert r.code == 1 and "still exports it" in r.err and "--drop users" in r.err
    r = blue("realm", "admin", "contract", "dup", "--domain", "edge", "--owner", "mobile", cwd=ws["api"])
    assert r.code == 64 and "not a member" in r.err


def test_cycles_are_refused_with_the_path(ws: dict[str, Path], blue: Blue) -> None:
    build_edge(ws, blue)  # api -> web
    assert (
        blue(
            "realm", "admin", "domain", "screens", "--repos", "web,mobile", "--provider", "web", cwd=ws["web"]
        ).code
        == 0
    )  # web -> mobile
    before = realm_log(ws)
    r = blue(
        "realm", "admin", "domain", "feedback", "--repos", "mobile,api", "--provider", "mobile", cwd=ws["api"]
    )
    assert r.code == 1
    assert "cycle: mobile -> api -> web -> mobile" in r.err.replace("would close a cycle:", "cycle:")
    assert "via edge/users" in r.err
    assert realm_log(ws) == before and not (ws["realm"] / "domains" / "feedback").exists()
    # Same through an import: api imports a contract that mobile owns, with mobile downstream of api.
    assert blue("realm", "admin", "domain", "back", "--repos", "mobile,api", cwd=ws["api"]).code == 0
    assert (
        blue(
            "realm", "admin", "contract", "events", "--domain", "back", "--owner", "mobile", cwd=ws["mobile"]
        ).code
        == 0
    )
    r = blue("realm", "admin", "binding", "back", "--import", "events@^1", cwd=ws["api"])
    assert r.code == 1 and "mobile -> api -> web -> mobile" in r.err
    assert not (ws["realm"] / "domains" / "back" / "bindings" / "api.yaml").exists()


def test_binding_update_drop_refresh_and_pending(ws: dict[str, Path], blue: Blue) -> None:
    build_edge(ws, blue)
    r = blue("realm", "admin", "binding", "edge", "--import", "users@^1", cwd=ws["web"])
    assert r.code == 1 and "--update" in r.err
    r = blue(
        "realm", "admin", "binding", "edge", "--update", "--import", "users@>=2.0.0", "--json", cwd=ws["web"]
    )
    assert r.code == 0 and r.json["imports"][0]["status"] == "pending" and r.json["warnings"]
    r = blue(
        "realm",
        "admin",
        "binding",
        "edge",
        "--update",
        "--import",
        "users@^1.0.0:src/missing.py",
        cwd=ws["web"],
    )
    assert r.code == 64 and "does not exist" in r.err
    r = blue("realm", "admin", "binding", "edge", "--update", "--import", "users@bogus", cwd=ws["web"])
    assert r.code == 64 and "not a semver range" in r.err
    r = blue("realm", "admin", "binding", "edge", "--update", "--drop", "users", "--json", cwd=ws["web"])
    assert r.code == 0 and r.json["imports"] == []
    r = blue("realm", "admin", "binding", "edge", "--update", "--drop", "users", cwd=ws["web"])
    assert r.code == 1 and "neither imports nor exports" in r.err


def test_leave_needs_no_involvement_and_keeps_other_config(ws: dict[str, Path], blue: Blue) -> None:
    build_edge(ws, blue)
    r = blue("realm", "admin", "leave", cwd=ws["web"])
    assert (
        r.code == 1 and "binding domains/edge/bindings/web.yaml" in r.err and "member of domain edge" in r.err
    )
    r = blue("realm", "admin", "leave", "--json", cwd=ws["mobile"])
    assert r.code == 0, r.err
    assert not (ws["realm"] / "repos" / "mobile.yaml").exists()
    assert (ws["mobile"] / ".blue" / "config.yaml").read_text() == "# keep me\nforge:\n  type: github\n"
    assert realm_log(ws)[0] == "realm: remove repo mobile"


def test_dirty_realm_and_missing_realm(ws: dict[str, Path], blue: Blue, tmp_path: Path) -> None:
    (ws["realm"] / "repos" / "stray.yaml").write_text("name: stray\n")
    r = blue("realm", "admin", "domain", "edge", "--repos", "api,web", cwd=ws["api"])
    assert r.code == 1 and "uncommitted changes" in r.err and "repos/stray.yaml" in r.err
    (ws["realm"] / "repos" / "stray.yaml").unlink()
    lonely = init_repo(tmp_path / "lonely")
    r = blue("realm", "check", cwd=lonely)
    assert r.code == 1 and "no realm" in r.err and "blue realm admin join" in r.err
    r = blue("realm", "check", "--realm", "nosuch", cwd=lonely)
    assert r.code == 1 and "no realm named 'nosuch'" in r.err and "letemcook" in r.err


def test_join_clones_from_a_bare_remote(
    ws: dict[str, Path], blue: Blue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = tmp_path / "realm-remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(ws["realm"]), str(bare))
    # A second machine: fresh BLUE_HOME, a fresh checkout of `web` that already has its config.
    home2 = tmp_path / "home2"
    monkeypatch.setenv("BLUE_HOME", str(home2 / ".blue"))
    clone = tmp_path / "web2"
    init_repo(clone)
    (clone / ".blue").mkdir()
    (clone / ".blue" / "config.yaml").write_text("realm:\n  name: letemcook\n  repo: web\n")
    r = blue("realm", "status", cwd=clone)
    assert r.code == 1 and "not in" in r.err and "blue realm admin join" in r.err
    r = blue("realm", "admin", "join", str(bare), "--json", cwd=clone)
    assert r.code == 0, r.err
    assert r.json["cloned"] is True and r.json["commit"] is None  # already registered as web
    assert (home2 / ".blue" / "realms" / "letemcook" / "realm.yaml").exists()
    assert blue("realm", "status", "--json", cwd=clone).json["repo"] == "web"
    cfg = yaml.safe_load((clone / ".blue" / "config.yaml").read_text())
    assert cfg["realm"]["url"] == str(bare)


def test_contract_flags_hooks_and_json(ws: dict[str, Path], blue: Blue) -> None:
    assert (
        blue(
            "realm", "admin", "domain", "edge", "--repos", "api,web", "--provider", "api", cwd=ws["api"]
        ).code
        == 0
    )
    r = blue(
        "realm",
        "admin",
        "contract",
        "events",
        "--domain",
        "edge",
        "--compatibility",
        "forward_transitive",
        "--policy",
        "strict",
        "--exporter-hook",
        "scripts/check.sh --fast",
        "--ci-hook",
        "scripts/it.sh",
        "--version",
        "0.1.0",
        "--json",
        cwd=ws["api"],
    )
    assert r.code == 0, r.err
    assert r.json["commit"] and r.json["changed"] == ["domains/edge/contracts/events.yaml"]
    assert (r.json["version"], r.json["owner"]) == ("0.1.0", "api")
    doc = yaml.safe_load((ws["realm"] / "domains/edge/contracts/events.yaml").read_text())
    assert doc["compatibility"] == {
        "backwards": False,
        "forwards": True,
        "transitive": True,
        "policy": "strict",
    }
    assert doc["validation"] == {"exporter": "scripts/check.sh --fast", "ci_only": ["scripts/it.sh"]}
    r = blue(
        "realm",
        "admin",
        "contract",
        "bad",
        "--domain",
        "edge",
        "--exporter-hook",
        "/bin/rm -rf /",
        cwd=ws["api"],
    )
    assert r.code == 64 and "relative to the repo root" in r.err
    r = blue(
        "realm", "admin", "contract", "pre", "--domain", "edge", "--version", "1.0.0-rc.1", cwd=ws["api"]
    )
    assert r.code == 64 and "prereleases" in r.err
    assert (
        blue(
            "realm",
            "admin",
            "contract",
            "pre",
            "--domain",
            "edge",
            "--version",
            "1.0.0-rc.1",
            "--prereleases",
            cwd=ws["api"],
        ).code
        == 0
    )
    status = blue("realm", "status", "--json", cwd=ws["web"]).json
    [dom] = status["domains"]
    assert dom["direction"] == "api -> web"
    assert {c["name"]: c["compatibility"] for c in dom["contracts"]} == {
        "events": "forward_transitive",
        "pre": "full_transitive",
    }


def test_join_needs_a_repo_and_a_safe_name(ws: dict[str, Path], blue: Blue, tmp_path: Path) -> None:
    plain = tmp_path / "not-a-repo"
    plain.mkdir()
    r = blue("realm", "admin", "join", "letemcook", cwd=plain)
    assert r.code == 1 and "not inside a git repository" in r.err
    odd = init_repo(tmp_path / "odd name")
    r = blue("realm", "admin", "join", "letemcook", cwd=odd)
    assert r.code == 64 and "--repo NAME" in r.err
    assert blue("realm", "admin", "join", "letemcook", "--repo", "odd", cwd=odd).code == 0
    r = blue("realm", "admin", "join", "letemcook", cwd=ws["realm"])
    assert r.code == 64 and "realm repo itself" in r.err
