"""`blue realm worktree` against real git: preflight, journal, rollback, kill -9 recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from realm_builders import git, isolate, run_blue
from realm_git_world import Dev, World, make_world

from blue_tui.core.realm import worktree
from blue_tui.core.realm.errors import InvalidInput
from blue_tui.core.realm.runs import Step

pytestmark = pytest.mark.integration
BRANCH = "rfc/ship-it"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    isolate(tmp_path, monkeypatch)
    return make_world(tmp_path)


@pytest.fixture
def alice(world: World) -> Dev:
    """One developer with all three repos checked out (joined from each)."""
    dev = world.dev("alice", "aperture")
    for repo in ("fungal", "web"):
        other = world.dev(f"alice-{repo}", repo)
        # same person, same BLUE_HOME: re-join from that checkout so it is recorded there too
        from blue_tui.core.realm.admin import join_realm

        join_realm(dev.settings, "letemcook", cwd=other.root)
    return dev


def roots(world: World) -> dict[str, Path]:
    return {d.repo: d.root for d in world.devs.values()}


def wt_path(dev: Dev, repo: str, rfc: str = "ship-it") -> Path:
    return dev.home / "worktrees" / "letemcook" / rfc / repo


def branches(root: Path) -> list[str]:
    return git(root, "branch", "--format=%(refname:short)").splitlines()


def registered(root: Path) -> list[str]:
    return [
        line[9:]
        for line in git(root, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def test_create_list_remove_round_trip(world: World, alice: Dev) -> None:
    steps: list[Step] = []
    report = worktree.create(
        alice.settings, alice.located, "ship-it", repos=["aperture", "fungal", "web"], progress=steps.append
    )
    assert report.exit_code == 0, report.as_json()
    assert [(r.repo, r.status) for r in report.repos] == [
        ("aperture", "created"),
        ("fungal", "created"),
        ("web", "created"),
    ]
    for repo, root in roots(world).items():
        assert BRANCH in branches(root)
        assert git(wt_path(alice, repo), "rev-parse", "--abbrev-ref", "HEAD") == BRANCH
    assert [s.step for s in steps if s.repo == "fungal"] == ["create", "created"]
    again = worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture", "fungal", "web"])
    assert {r.status for r in again.repos} == {"exists"} and again.exit_code == 0
    (listed,) = worktree.list_rfcs(alice.settings, alice.located)
    assert [(r.repo, r.status, r.detail) for r in listed.repos] == [
        ("aperture", "present", "clean"),
        ("fungal", "present", "clean"),
        ("web", "present", "clean"),
    ]
    gone = worktree.remove(alice.settings, alice.located, "ship-it")
    assert gone.exit_code == 0 and {r.status for r in gone.repos} == {"removed"}
    for root in roots(world).values():
        assert BRANCH not in branches(root) and len(registered(root)) == 1
    assert not (alice.home / "worktrees" / "letemcook" / "ship-it").exists()


def test_default_repos_are_this_repo_and_its_domain_members(world: World, alice: Dev) -> None:
    report = worktree.create(alice.settings, alice.located, "ship-it")
    assert [r.repo for r in report.repos] == ["aperture", "fungal"]


def test_preflight_failure_touches_nothing(world: World, alice: Dev) -> None:
    fungal = roots(world)["fungal"]
    git(fungal, "checkout", "-q", "-b", BRANCH)  # the branch is checked out in fungal's own checkout
    (wt_path(alice, "web")).mkdir(parents=True)
    (wt_path(alice, "web") / "stray.txt").write_text("mine")
    r = run_blue(
        ["realm", "worktree", "create", "--rfc", "ship-it", "--repos", "aperture,fungal,web", "--json"],
        cwd=alice.root,
        env=alice.env,
    )
    assert r.returncode == 1, r.stderr
    rows = {x["repo"]: x for x in json.loads(r.stdout)["repos"]}
    assert (
        rows["fungal"]["status"] == "failed"
        and f"already checked out at {fungal}" in rows["fungal"]["detail"]
    )
    assert rows["web"]["status"] == "failed" and "already exists" in rows["web"]["detail"]
    assert rows["aperture"]["status"] == "skipped"
    assert BRANCH not in branches(roots(world)["aperture"]) and len(registered(roots(world)["aperture"])) == 1
    # Text mode prints the per-repo table and the failures.
    r = run_blue(
        ["realm", "worktree", "create", "--rfc", "ship-it", "--repos", "aperture,fungal"],
        cwd=alice.root,
        env=alice.env,
    )
    assert r.returncode == 1 and "fungal" in r.stdout and "failed" in r.stdout
    assert "1 of 2 repo(s) failed: fungal" in r.stderr


def test_keep_going_creates_the_rest_and_still_exits_1(world: World, alice: Dev) -> None:
    git(roots(world)["fungal"], "checkout", "-q", "-b", BRANCH)
    report = worktree.create(
        alice.settings, alice.located, "ship-it", repos=["aperture", "fungal", "web"], keep_going=True
    )
    assert report.exit_code == 1
    assert [(r.repo, r.status) for r in report.repos] == [
        ("aperture", "created"),
        ("fungal", "failed"),
        ("web", "created"),
    ]


def test_a_failure_mid_way_rolls_back_only_this_runs_work_in_reverse(world: World, alice: Dev) -> None:
    web = roots(world)["web"]
    git(web, "branch", BRANCH)  # exists before: blue reuses it and must never delete it
    fungal = roots(world)["fungal"]
    hook = fungal / ".git" / "hooks" / "post-checkout"
    hook.write_text("#!/bin/sh\nexit 3\n")  # fails `git worktree add` after preflight said yes
    hook.chmod(0o755)
    steps: list[Step] = []
    report = worktree.create(
        alice.settings, alice.located, "ship-it", repos=["web", "aperture", "fungal"], progress=steps.append
    )
    assert report.exit_code == 1
    assert {r.repo: r.status for r in report.repos} == {
        "web": "rolled-back",
        "aperture": "rolled-back",
        "fungal": "failed",
    }
    assert [s.repo for s in steps if s.step == "rollback"] == ["aperture", "web"]
    assert BRANCH not in branches(roots(world)["aperture"]) and BRANCH not in branches(fungal)
    assert BRANCH in branches(web)  # not created by this run: kept
    for root in roots(world).values():
        assert len(registered(root)) == 1
    assert not (alice.home / "worktrees/letemcook/ship-it/.journal.jsonl").exists()


def test_remove_refuses_dirty_and_locked_without_force_and_keeps_commits(world: World, alice: Dev) -> None:
    worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture", "fungal", "web"])
    (wt_path(alice, "aperture") / "new.txt").write_text("work in progress")
    git(
        roots(world)["fungal"], "worktree", "lock", "--reason", "on a usb disk", str(wt_path(alice, "fungal"))
    )
    (wt_path(alice, "web") / "done.txt").write_text("done")
    git(wt_path(alice, "web"), "add", "-A")
    git(wt_path(alice, "web"), "commit", "-q", "-m", "real work")
    report = worktree.remove(alice.settings, alice.located, "ship-it")
    assert report.exit_code == 1
    rows = {r.repo: r for r in report.repos}
    assert rows["aperture"].status == "refused" and "new.txt" in rows["aperture"].detail
    assert rows["fungal"].status == "refused" and "locked (on a usb disk)" in rows["fungal"].detail
    assert rows["web"].status == "skipped"
    assert all(wt_path(alice, r).exists() for r in ("aperture", "fungal", "web"))
    forced = worktree.remove(alice.settings, alice.located, "ship-it", force=True)
    assert forced.exit_code == 0, forced.as_json()
    rows = {r.repo: r for r in forced.repos}
    assert "kept branch rfc/ship-it: 1 commit(s)" in rows["web"].detail
    assert BRANCH in branches(roots(world)["web"]) and BRANCH not in branches(roots(world)["aperture"])
    assert not any(wt_path(alice, r).exists() for r in ("aperture", "fungal", "web"))


def test_submodules_warn_on_create_and_need_force_to_remove(world: World, alice: Dev, tmp_path: Path) -> None:
    lib = world.code_remote("lib")
    fungal = roots(world)["fungal"]
    git(fungal, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "lib")
    git(fungal, "commit", "-q", "-m", "add lib")
    report = worktree.create(alice.settings, alice.located, "ship-it", repos=["fungal"])
    assert report.exit_code == 0 and any("submodules" in w for w in report.repos[0].warnings)
    refused = worktree.remove(alice.settings, alice.located, "ship-it")
    assert refused.repos[0].status == "refused" and "submodules" in refused.repos[0].detail
    assert worktree.remove(alice.settings, alice.located, "ship-it", force=True).exit_code == 0


def test_unknown_repos_are_a_usage_error(world: World, alice: Dev) -> None:
    with pytest.raises(InvalidInput, match="nope"):
        worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture", "nope"])
    r = run_blue(
        ["realm", "worktree", "create", "--rfc", "ship-it", "--repos", "nope"], cwd=alice.root, env=alice.env
    )
    assert r.returncode == 64 and "nope" in r.stderr
    r = run_blue(["realm", "worktree", "create", "--rfc", "../up"], cwd=alice.root, env=alice.env)
    assert r.returncode == 64 and "RFC name" in r.stderr


KILLER = """
import os, signal, sys
from pathlib import Path
from blue_tui.core.config import Settings
from blue_tui.core.realm import worktree
from blue_tui.core.realm.locate import find_realm
target = int(sys.argv[1])
seen = []
def progress(step):
    seen.append(step)
    if len(seen) == target:
        os.kill(os.getpid(), signal.SIGKILL)
settings = Settings.from_env()
worktree.create(settings, find_realm(settings, None, Path.cwd()), "ship-it",
                repos=["aperture", "fungal", "web"], progress=progress)
"""

# Events: preflight, then create/created for each of the three repos, then done.
KILL_POINTS = list(range(1, 9))


def kill_at(dev: Dev, n: int, tmp_path: Path) -> None:
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    proc = subprocess.run(
        [sys.executable, str(script), str(n)],
        cwd=dev.root,
        env=dev.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@pytest.mark.parametrize("n", KILL_POINTS)
def test_kill_9_at_any_step_then_create_again_completes(
    world: World, alice: Dev, tmp_path: Path, n: int
) -> None:
    kill_at(alice, n, tmp_path)
    listed = worktree.list_rfcs(alice.settings, alice.located)
    journal = alice.home / "worktrees/letemcook/ship-it/.journal.jsonl"
    if 1 < n < 8:
        assert journal.exists() and "interrupted run is pending" in " ".join(listed[0].warnings)
    report = worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture", "fungal", "web"])
    assert report.exit_code == 0, report.as_json()
    assert {r.status for r in report.repos} <= {"created", "exists"}
    for repo, root in roots(world).items():
        assert BRANCH in branches(root)
        assert sorted(registered(root)) == sorted([str(root), str(wt_path(alice, repo))])
        assert not git(root, "worktree", "prune", "--dry-run", "-v")
    assert not journal.exists()


@pytest.mark.parametrize("n", [3, 4, 6])
def test_kill_9_then_remove_rolls_back_cleanly(world: World, alice: Dev, tmp_path: Path, n: int) -> None:
    kill_at(alice, n, tmp_path)
    report = worktree.remove(alice.settings, alice.located, "ship-it")
    assert report.exit_code == 0, report.as_json()
    assert any("undid the interrupted create" in w for w in report.warnings)
    for root in roots(world).values():
        assert BRANCH not in branches(root) and registered(root) == [str(root)]
    assert not (alice.home / "worktrees/letemcook/ship-it").exists()


def test_cancel_rolls_back(world: World, alice: Dev) -> None:
    import threading

    cancel = threading.Event()

    def progress(step: Step) -> None:
        if step.step == "created" and step.repo == "fungal":
            cancel.set()

    report = worktree.create(
        alice.settings,
        alice.located,
        "ship-it",
        repos=["aperture", "fungal", "web"],
        progress=progress,
        cancel=cancel,
    )
    assert report.cancelled and report.exit_code == 130
    assert {r.repo: r.status for r in report.repos} == {
        "aperture": "rolled-back",
        "fungal": "rolled-back",
        "web": "cancelled",
    }
    for root in roots(world).values():
        assert BRANCH not in branches(root)
    assert os.path.isdir(alice.home / "worktrees")


def test_locked_registration_at_the_target_fails_preflight_and_dirty_checkouts_warn(
    world: World, alice: Dev
) -> None:
    fungal = roots(world)["fungal"]
    git(fungal, "worktree", "add", "-q", "-b", "elsewhere", str(wt_path(alice, "fungal")))
    git(fungal, "worktree", "lock", "--reason", "keep out", str(wt_path(alice, "fungal")))
    (roots(world)["aperture"] / "README").write_text("edited, not committed\n")
    report = worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture", "fungal"])
    rows = {r.repo: r for r in report.repos}
    assert report.exit_code == 1 and rows["fungal"].status == "failed"
    assert "locked worktree is registered" in rows["fungal"].detail and "keep out" in rows["fungal"].detail
    assert rows["aperture"].status == "skipped"
    ok = worktree.create(alice.settings, alice.located, "ship-it", repos=["aperture"])
    assert ok.exit_code == 0 and any(
        "uncommitted changes" in w and "stay there" in w for w in ok.repos[0].warnings
    )


def test_rfc_names_git_cannot_use_are_refused_up_front(world: World, alice: Dev) -> None:
    from blue_tui.core.realm.errors import InvalidName

    with pytest.raises(InvalidName):
        worktree.create(alice.settings, alice.located, "x.lock", repos=["aperture"])
