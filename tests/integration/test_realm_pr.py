"""`blue realm pr` with the local forge, against real git: linked PRs, merge order, merging in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from realm_builders import git, isolate, run_blue
from realm_git_world import Dev, World, make_world

from blue_tui.core.realm import pr, worktree
from blue_tui.core.realm.admin import join_realm
from blue_tui.core.realm.loader import load_realm

pytestmark = pytest.mark.integration
RESULTS = {"type": "object", "properties": {"score": {"type": "number"}}}


def chain_world(tmp: Path) -> World:
    """aperture -> fungal (s3-access) and fungal -> web (analysis/results)."""
    world = make_world(tmp)
    world.commit_on_remote(
        "domains/analysis/domain.yaml", {"name": "analysis", "members": ["fungal", "web"]}, "d"
    )
    world.commit_on_remote(
        "domains/analysis/contracts/results.yaml",
        {
            "name": "results",
            "version": "1.0.0",
            "owner": "fungal",
            "schema": RESULTS,
            "evolution": [{"version": "1.0.0", "changes": ["first"]}],
        },
        "c",
    )
    world.commit_on_remote(
        "domains/analysis/bindings/fungal.yaml", {"repo": "fungal", "exports": [{"contract": "results"}]}, "b"
    )
    world.commit_on_remote(
        "domains/analysis/bindings/web.yaml",
        {
            "repo": "web",
            "imports": [
                {"contract": "results", "version": "^1.0.0", "status": "current", "resolved_version": "1.0.0"}
            ],
        },
        "b",
    )
    return world


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    isolate(tmp_path, monkeypatch)
    return chain_world(tmp_path)


@pytest.fixture
def alice(world: World) -> Dev:
    dev = world.dev("alice", "aperture", code_remote=True)
    for repo in ("fungal", "web"):
        other = world.dev(f"alice-{repo}", repo, code_remote=True)
        join_realm(dev.settings, "letemcook", cwd=other.root)
    return dev


def commit_in(dev: Dev, repo: str, name: str = "change.txt", text: str = "change\n") -> None:
    path = dev.home / "worktrees/letemcook/ship-it" / repo
    (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", f"{repo}: {name}")


def test_merge_order_is_providers_first_and_deterministic(world: World, alice: Dev) -> None:
    realm = load_realm(alice.clone)
    waves, providers = pr.merge_waves(realm, ["web", "aperture", "fungal"])
    assert waves == [["aperture"], ["fungal"], ["web"]]
    assert providers == {"web": ["aperture", "fungal"], "aperture": [], "fungal": ["aperture"]}
    # A provider reached through a repo without changes still orders them.
    assert pr.merge_waves(realm, ["web", "aperture"])[0] == [["aperture"], ["web"]]
    assert pr.merge_waves(realm, ["web"])[0] == [["web"]]


def test_open_links_and_records_the_plan(world: World, alice: Dev) -> None:
    assert worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture", "fungal", "web"]).ok
    commit_in(alice, "aperture")
    commit_in(alice, "web")
    report = pr.open_prs(alice.settings, alice.located, "ship-it", title="Ship it")
    assert report.exit_code == 0, report.as_json()
    assert {r.repo: r.status for r in report.repos} == {
        "aperture": "opened",
        "fungal": "no-changes",
        "web": "opened",
    }
    assert report.details["order"] == [["aperture"], ["web"]]
    for repo in ("aperture", "web"):  # the branch was pushed to each repo's own remote
        assert git(world.code_remote(repo), "rev-parse", "rfc/ship-it")
    records = world.forge_records()
    web = records["prs/web/1.json"]
    assert web["title"] == "Ship it" and web["head"] == "rfc/ship-it" and web["base"] == "main"
    assert "Blocked by: local:letemcook/aperture#1" in web["body"]
    assert (
        "| 1 | aperture (this PR) | local:letemcook/aperture#1 | - |"
        in records["prs/aperture/1.json"]["body"]
    )
    assert "| 2 | web (this PR) | local:letemcook/web#1 | aperture |" in web["body"]
    plan = world.forge_records("plans/")["plans/ship-it.json"]
    assert plan["order"] == [["aperture"], ["web"]] and set(plan["prs"]) == {"aperture", "web"}
    # Status from the worktree itself (the RFC is found from the cwd).
    r = run_blue(
        ["realm", "pr", "status", "--json"], cwd=alice.home / "worktrees/letemcook/ship-it/web", env=alice.env
    )
    assert r.returncode == 0, r.stderr
    rows = {x["repo"]: (x["status"], x["detail"]) for x in json.loads(r.stdout)["repos"]}
    assert rows == {"aperture": ("pending", "ready to merge"), "web": ("blocked", "waits for aperture")}
    # Opening again updates the same PRs.
    again = pr.open_prs(alice.settings, alice.located, "ship-it")
    assert {r.url for r in again.repos if r.url} == {"local:letemcook/aperture#1", "local:letemcook/web#1"}
    assert len(world.forge_records()) == 2


def test_merge_in_order_stops_at_the_first_failure(world: World, alice: Dev, tmp_path: Path) -> None:
    assert worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture", "fungal", "web"]).ok
    for repo in ("aperture", "fungal", "web"):
        commit_in(alice, repo, "README", f"{repo} in the RFC\n")
    assert pr.open_prs(alice.settings, alice.located, "ship-it").ok
    # Meanwhile fungal's main changes the same line: its PR cannot merge.
    other = tmp_path / "fungal-other"
    git(tmp_path, "clone", "-q", str(world.code_remote("fungal")), str(other))
    (other / "README").write_text("fungal moved on\n")
    git(other, "commit", "-qam", "conflicting")
    git(other, "push", "-q", "origin", "main")
    web_main = git(world.code_remote("web"), "rev-parse", "main")
    r = run_blue(["realm", "pr", "merge", "--rfc", "ship-it"], cwd=alice.root, env=alice.env)
    assert r.returncode == 1
    report = pr.pr_status(alice.settings, alice.located, "ship-it")
    assert [(x.repo, x.status) for x in report.repos] == [
        ("aperture", "merged"),
        ("fungal", "pending"),
        ("web", "blocked"),
    ]
    assert "aperture in the RFC" in git(world.code_remote("aperture"), "show", "main:README")
    assert git(world.code_remote("web"), "rev-parse", "main") == web_main
    assert "conflicts" in r.stdout + r.stderr


def test_no_worktrees_no_prs(world: World, alice: Dev) -> None:
    r = run_blue(["realm", "pr", "--rfc", "nothing"], cwd=alice.root, env=alice.env)
    assert r.returncode == 1 and "realm worktree create --rfc nothing" in r.stderr
    r = run_blue(["realm", "pr", "status", "--rfc", "nothing"], cwd=alice.root, env=alice.env)
    assert r.returncode == 1 and "no PRs recorded" in r.stderr
