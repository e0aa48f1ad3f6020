"""`blue realm sync` and `blue realm pr` end to end with the GitHub forge (a loopback fake) and
real git remotes reached through https://github.com/org/... URLs (git's `insteadOf` maps them to
bare repos here). The token must never appear in any output or log."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from github_fake import FakeGitHub
from pytest_httpserver import HTTPServer
from realm_builders import git, isolate, run_blue
from realm_git_world import World, make_world

from blue_tui.core.realm import pr, worktree
from blue_tui.core.realm.admin import join_realm
from blue_tui.core.realm.sync import sync

pytestmark = pytest.mark.integration
TOKEN = "ghp_FlowT0kenNeverPrinted111111111111111"


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> Iterator[tuple[World, FakeGitHub]]:
    isolate(tmp_path, monkeypatch)
    world = make_world(tmp_path, maintainers={"fungal": ["fungal-dev", "bob@example.com"]})
    remotes = tmp_path / "remotes"
    remotes.mkdir()
    shutil.move(str(world.remote), str(remotes / "realm-letemcook.git"))
    world.remote = remotes / "realm-letemcook.git"
    (tmp_path / "home" / ".gitconfig").write_text(
        f'[url "{remotes}/"]\n\tinsteadOf = https://github.com/org/\n'
    )
    for repo in ("aperture", "fungal", "web"):
        world.commit_on_remote(
            f"repos/{repo}.yaml",
            {
                "name": repo,
                "url": f"https://github.com/org/{repo}.git",
                "maintainers": ["fungal-dev", "bob@example.com"] if repo == "fungal" else [f"{repo}-dev"],
            },
            f"url of {repo}",
        )
    fake = FakeGitHub(
        httpserver,
        TOKEN,
        repos={"org/realm-letemcook", "org/aperture", "org/fungal", "org/web"},
        collaborators={"fungal-dev"},
    ).install()
    monkeypatch.setenv("BLUE_GITHUB_API_URL", fake.url)
    monkeypatch.setenv("BLUE_GITHUB_TOKEN", TOKEN)
    yield world, fake
    assert fake.problems == []


def test_sync_opens_a_github_pr_with_reviewers(
    world: tuple[World, FakeGitHub], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    w, fake = world
    alice = w.dev("alice", "aperture", url="https://github.com/org/realm-letemcook.git")
    contract = alice.clone / "domains/s3-access/contracts/s3-permissions.yaml"
    r = run_blue(
        [
            "realm",
            "admin",
            "contract",
            "s3-permissions",
            "--domain",
            "s3-access",
            "--update",
            "--description",
            "who may read what",
        ],
        cwd=alice.root,
        env=alice.env,
    )
    assert r.returncode == 0, r.stderr
    assert "who may read what" in contract.read_text()
    r = run_blue(["realm", "sync", "--json"], cwd=alice.root, env=alice.env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert (
        data["status"] == "published" and data["pr"]["url"] == "https://github.com/org/realm-letemcook/pull/1"
    )
    create = next(s for s in fake.seen if s.method == "POST" and s.path.endswith("/pulls"))
    assert create.path == "/repos/org/realm-letemcook/pulls"
    assert create.body["head"] == data["branch"] and create.body["base"] == "main"
    assert "cc: bob@example.com" in create.body["body"]
    assert fake.pulls["org/realm-letemcook"][0]["reviewers"] == ["fungal-dev"]
    assert TOKEN not in r.stdout + r.stderr
    # The same in-process, with every logger at DEBUG: no token in any log record.
    caplog.set_level(logging.DEBUG)
    r = run_blue(
        [
            "realm",
            "admin",
            "contract",
            "s3-permissions",
            "--domain",
            "s3-access",
            "--update",
            "--description",
            "again",
        ],
        cwd=alice.root,
        env=alice.env,
    )
    report = sync(alice.settings, alice.located)
    assert report.status == "published" and report.warnings[0].startswith("this sync supersedes")
    assert (
        TOKEN not in caplog.text and TOKEN not in json.dumps(report.as_json()) and TOKEN not in repr(report)
    )


def test_pr_flow_on_github_stops_at_the_first_pr_github_will_not_merge(
    world: tuple[World, FakeGitHub],
) -> None:
    w, fake = world
    alice = w.dev("alice", "aperture", code_remote=True)
    other = w.dev("alice-fungal", "fungal", code_remote=True)
    join_realm(alice.settings, "letemcook", cwd=other.root)
    assert worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture", "fungal"]).ok
    for repo in ("aperture", "fungal"):
        path = alice.home / "worktrees/letemcook/ship-it" / repo
        (path / "x.txt").write_text(repo)
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", f"{repo} change")
    r = run_blue(["realm", "pr", "--rfc", "ship-it", "--title", "Ship it"], cwd=alice.root, env=alice.env)
    assert r.returncode == 0, r.stderr
    assert (
        "https://github.com/org/aperture/pull/1" in r.stdout
        and "merge order (providers first): aperture -> fungal" in r.stdout
    )
    fungal_pr = fake.pulls["org/fungal"][0]
    assert "Blocked by: https://github.com/org/aperture/pull/1" in fungal_pr["body"]
    assert fungal_pr["title"] == "Ship it"
    fake.unmergeable.add(("org/fungal", 1))
    report = pr.merge_prs(alice.settings, alice.located, "ship-it")
    assert report.exit_code == 1
    assert [(x.repo, x.status) for x in report.repos] == [("aperture", "merged"), ("fungal", "failed")]
    assert "not mergeable" in report.repos[1].detail
    status = run_blue(["realm", "pr", "status", "--rfc", "ship-it", "--json"], cwd=alice.root, env=alice.env)
    rows = {x["repo"]: x["status"] for x in json.loads(status.stdout)["repos"]}
    assert rows == {"aperture": "merged", "fungal": "pending"}
    assert TOKEN not in r.stdout + r.stderr + status.stdout + status.stderr
