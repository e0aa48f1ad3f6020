"""`blue realm sync` against real git: a bare remote, developers with their own clones, the local forge."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from realm_builders import SCHEMA_BROKEN, SCHEMA_V2, git, isolate, run_blue
from realm_git_world import Dev, World, make_world

from blue_tui.core.realm.admin import ImportSpec, set_binding, set_contract, set_domain
from blue_tui.core.realm.clone import freshness
from blue_tui.core.realm.errors import NotInRepo, RealmDirty
from blue_tui.core.realm.forge.base import RepoRef
from blue_tui.core.realm.forge.local import LocalForge
from blue_tui.core.realm.remote import RemoteError
from blue_tui.core.realm.runs import Step
from blue_tui.core.realm.sync import sync
from blue_tui.core.realm.sync_report import SyncNotice, SyncOptions

pytestmark = pytest.mark.integration


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    isolate(tmp_path, monkeypatch)
    return make_world(tmp_path, maintainers={"fungal": ["fungal-dev", "bob@example.com"]})


def bump(dev: Dev, tmp: Path, version: str = "1.1.0", schema: object = SCHEMA_V2) -> None:
    schema_file = tmp / f"schema-{version}.json"
    schema_file.write_text(json.dumps(schema))
    set_contract(
        dev.settings,
        dev.located,
        "s3-permissions",
        domain="s3-access",
        update=True,
        version=version,
        schema_file=schema_file,
        changes=[f"to {version}"],
    )


def test_join_clones_from_any_url_and_reads_offline_saying_how_old(world: World, tmp_path: Path) -> None:
    alice = world.dev("alice", "aperture", url=f"file://{world.remote}")
    assert git(alice.clone, "remote", "get-url", "origin") == f"file://{world.remote}"
    assert git(alice.clone, "rev-parse", "--abbrev-ref", "main@{upstream}") == "origin/main"
    fresh = freshness(alice.clone)
    assert fresh is not None and fresh.age_seconds is not None and fresh.age_seconds < 60
    assert fresh.ahead == 0 and fresh.behind == 0
    index = yaml.safe_load((alice.home / "index.yaml").read_text())
    assert index["realms"][0]["checkouts"] == {"aperture": str(alice.root.resolve())}
    # The remote goes away: reads still work from the clone and say how old it is; sync says why not.
    shutil.move(str(world.remote), str(tmp_path / "gone.git"))
    r = run_blue(["realm", "status"], cwd=alice.root, env=alice.env)
    assert r.returncode == 0, r.stderr
    assert f"realm clone of file://{world.remote}, fetched" in r.stderr and "ago" in r.stderr
    r = run_blue(["realm", "status", "--json"], cwd=alice.root, env=alice.env)
    assert json.loads(r.stdout)["clone"]["url"] == f"file://{world.remote}"
    r = run_blue(["realm", "sync"], cwd=alice.root, env=alice.env)
    assert r.returncode == 1
    assert f"cannot fetch from file://{world.remote}" in r.stderr
    assert "read commands still work offline" in r.stderr and "Traceback" not in r.stderr


def test_publish_opens_a_pr_for_the_importers_and_notifies(world: World, tmp_path: Path) -> None:
    alice = world.dev("alice", "aperture")
    bump(alice, tmp_path)
    heard: list[SyncNotice] = []
    steps: list[Step] = []
    report = sync(alice.settings, alice.located, progress=steps.append, notifier=heard.append)
    assert report.status == "published", report.message
    assert report.exit_code == 0
    assert [s.step for s in steps] == ["fetch", "replay", "check", "push", "verify", "pr"]
    assert report.branch is not None and report.branch.startswith("sync/aperture/")
    assert world.remote_branches() == {report.branch: report.commit}
    assert report.reviewers == ["fungal-dev"] and report.cc == ["bob@example.com"]
    assert [(c.contract, c.from_version, c.to_version, c.importers) for c in report.contracts] == [
        ("s3-permissions", "1.0.0", "1.1.0", ("fungal",))
    ]
    records = world.forge_records()
    (record,) = records.values()
    assert record["head"] == report.branch and record["base"] == "main" and record["state"] == "open"
    assert record["reviewers"] == ["fungal-dev"]
    assert "s3-access/s3-permissions | 1.0.0 | 1.1.0 | fungal" in record["body"]
    assert "cc: bob@example.com" in record["body"]
    assert [(n.kind, n.contract, n.affected, n.pr_url) for n in heard] == [
        ("contract-changed", "s3-permissions", ("fungal",), report.pr.url if report.pr else None)
    ]
    # One squashed commit on top of main, which the local clone now carries too.
    assert git(world.remote, "rev-parse", f"{report.branch}~1") == git(world.remote, "rev-parse", "main")
    assert alice.git("rev-parse", "HEAD") == report.commit
    # Syncing again publishes nothing new.
    again = sync(alice.settings, alice.located)
    assert again.status == "pending" and again.branch == report.branch
    assert len(world.remote_branches()) == 1 and len(world.forge_records()) == 1


def test_changes_this_repo_does_not_own_are_refused(world: World, tmp_path: Path) -> None:
    alice = world.dev("alice", "aperture")
    binding = alice.clone / "domains/s3-access/bindings/fungal.yaml"
    binding.write_text(binding.read_text().replace(">=1.0.0 <2.0.0", ">=1.0.0 <3.0.0"))
    (alice.clone / "realm.yaml").write_text((alice.clone / "realm.yaml").read_text() + "description: mine\n")
    alice.git("commit", "-qam", "edit someone else's binding")
    head = alice.git("rev-parse", "HEAD")
    report = sync(alice.settings, alice.located)
    assert report.status == "refused" and report.exit_code == 1
    refused = {f.path: f.owner for f in report.files if not f.allowed}
    assert refused == {
        "domains/s3-access/bindings/fungal.yaml": "repo fungal",
        "realm.yaml": "realm approvers (lead@example.com)",
    }
    assert "aperture does not own" in report.message
    assert world.remote_branches() == {} and alice.git("rev-parse", "HEAD") == head


def test_a_realm_approver_may_change_realm_yaml(world: World) -> None:
    alice = world.dev("alice", "aperture")
    alice.env["BLUE_USER"] = "lead@example.com"
    (alice.clone / "realm.yaml").write_text((alice.clone / "realm.yaml").read_text() + "description: ok\n")
    alice.git("commit", "-qam", "describe the realm")
    report = sync(alice.settings, alice.located)
    assert report.status == "published", report.message


def test_realm_check_gates_the_publish(world: World) -> None:
    alice = world.dev("alice", "aperture")
    contract = alice.clone / "domains/s3-access/contracts/s3-permissions.yaml"
    doc = yaml.safe_load(contract.read_text())
    doc["schema"] = SCHEMA_BROKEN  # an incompatible change without a version bump
    contract.write_text(yaml.safe_dump(doc, sort_keys=False))
    alice.git("commit", "-qam", "break the schema quietly")
    report = sync(alice.settings, alice.located)
    assert report.status == "check-failed" and report.exit_code == 1
    assert "version-not-bumped" in {p.rule for p in report.problems if p.severity == "error"}
    assert world.remote_branches() == {}


def test_pull_fast_forwards_and_marks_moved_imports_outdated(world: World, tmp_path: Path) -> None:
    alice, bob = world.dev("alice", "aperture"), world.dev("bob", "fungal")
    bump(alice, tmp_path)
    published = sync(alice.settings, alice.located)
    assert published.branch is not None
    merged = world.merge_on_remote(published.branch)
    dry = sync(bob.settings, bob.located, SyncOptions(dry_run=True))
    assert dry.status == "would-pull" and [o.contract for o in dry.outdated] == ["s3-permissions"]
    assert bob.git("rev-parse", "HEAD") != merged
    report = sync(bob.settings, bob.located)
    assert report.status == "pulled", report.message
    assert [(o.resolved_version, o.version) for o in report.outdated] == [("1.0.0", "1.1.0")]
    assert bob.git("rev-parse", "HEAD~1") == merged
    assert "mark fungal's imports outdated" in bob.git("log", "-1", "--format=%s")
    binding = yaml.safe_load((bob.clone / "domains/s3-access/bindings/fungal.yaml").read_text())
    assert binding["imports"][0]["status"] == "outdated"
    status = json.loads(run_blue(["realm", "status", "--json"], cwd=bob.root, env=bob.env).stdout)
    states = [i["state"] for d in status["domains"] for b in d["bindings"] for i in b["imports"]]
    assert states == ["stale"]
    # Alice's published change was merged upstream: her next sync drops it and pulls.
    after = sync(alice.settings, alice.located)
    assert after.status == "pulled" and alice.git("rev-parse", "HEAD") == merged


def test_two_syncs_race_and_both_publish(world: World, tmp_path: Path) -> None:
    alice, bob = world.dev("alice", "aperture"), world.dev("bob", "fungal")
    bump(alice, tmp_path)
    set_binding(
        bob.settings,
        bob.located,
        "s3-access",
        imports=[ImportSpec("s3-permissions", ">=1.0.0 <3.0.0")],
        update=True,
    )
    results = {}
    start = threading.Barrier(2)

    def run(dev: Dev) -> None:
        start.wait()
        results[dev.name] = sync(dev.settings, dev.located)

    threads = [threading.Thread(target=run, args=(d,)) for d in (alice, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert {n: r.status for n, r in results.items()} == {"alice": "published", "bob": "published"}
    branches = world.remote_branches()
    assert sorted(b.split("/")[1] for b in branches) == ["aperture", "fungal"]
    prs = world.forge_records()
    assert sorted(r["number"] for r in prs.values()) == [1, 2]  # the forge records did not clobber each other
    # Alice's merges first; Bob's change touches other files, so his next sync rebases by itself.
    assert results["alice"].branch is not None
    merged = world.merge_on_remote(results["alice"].branch)
    again = sync(bob.settings, bob.located)
    assert again.status == "pending", again.message
    # Bob's pending change now sits on Alice's merge, and his import of the bumped contract is
    # marked outdated (a local commit his next sync publishes).
    assert [(o.contract, o.version) for o in again.outdated] == [("s3-permissions", "1.1.0")]
    assert bob.git("rev-parse", "HEAD~2") == merged
    assert "realm sync: fungal" in bob.git("log", "-1", "--format=%s", "HEAD~1")


def test_a_merge_landing_during_the_sync_is_rebased_and_retried(world: World, tmp_path: Path) -> None:
    alice = world.dev("alice", "aperture")
    bump(alice, tmp_path)
    landed: list[str] = []

    def meanwhile(step: Step) -> None:
        if step.step == "push" and not landed:  # someone else's sync merges while ours pushes
            landed.append(
                world.commit_on_remote("repos/web.yaml", {"name": "web", "maintainers": ["w"]}, "web")
            )

    report = sync(alice.settings, alice.located, progress=meanwhile)
    assert report.status == "published", report.message
    assert report.retries == 1 and any("rebased" in w for w in report.warnings)
    assert report.branch is not None
    assert git(world.remote, "rev-parse", f"{report.branch}~1") == landed[0]
    assert len(world.remote_branches()) == 1


def test_overlapping_change_stops_with_three_choices_then_force(world: World, tmp_path: Path) -> None:
    alice, bob = world.dev("alice", "aperture"), world.dev("bob", "fungal")
    set_domain(alice.settings, alice.located, "s3-access", description="alice's words", update=True)
    first = sync(alice.settings, alice.located)
    assert first.branch is not None
    world.merge_on_remote(first.branch)
    set_domain(bob.settings, bob.located, "s3-access", description="bob's words", update=True)
    head = bob.git("rev-parse", "HEAD")
    report = sync(bob.settings, bob.located)
    assert report.status == "conflict" and report.exit_code == 1
    assert report.conflict is not None
    assert report.conflict.overlapping == ["domains/s3-access/domain.yaml"]
    assert [c.choice for c in report.conflict.choices] == ["rebase", "force", "abort"]
    assert any(t["branch"] == first.branch for t in report.conflict.theirs)
    assert report.conflict.yours == ["domains/s3-access/domain.yaml"]
    assert bob.git("rev-parse", "HEAD") == head and len(world.remote_branches()) == 1
    r = run_blue(["realm", "sync"], cwd=bob.root, env=bob.env)
    assert r.returncode == 1
    assert "Options:" in r.stderr and "blue realm sync --force" in r.stderr and "Abort" in r.stderr
    forced = sync(bob.settings, bob.located, SyncOptions(force=True))
    assert forced.status == "published", forced.message
    assert forced.branch is not None
    domain = yaml.safe_load(git(world.remote, "show", f"{forced.branch}:domains/s3-access/domain.yaml"))
    assert domain["description"] == "bob's words"


def test_a_push_refused_by_a_hook_is_reported_with_its_message(world: World, tmp_path: Path) -> None:
    hook = world.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'sync branches need a ticket number' >&2\nexit 1\n")
    hook.chmod(0o755)
    alice = world.dev("alice", "aperture")
    bump(alice, tmp_path)
    head = alice.git("rev-parse", "HEAD")
    report = sync(alice.settings, alice.located)
    assert report.status == "push-rejected" and report.exit_code == 1
    assert "sync branches need a ticket number" in report.remote_lines
    assert "pre-receive hook declined" in report.message
    assert alice.git("rev-parse", "HEAD") == head and world.forge_records() == {}


def test_dry_run_changes_nothing(world: World, tmp_path: Path) -> None:
    alice = world.dev("alice", "aperture")
    bump(alice, tmp_path)
    head = alice.git("rev-parse", "HEAD")
    report = sync(alice.settings, alice.located, SyncOptions(dry_run=True))
    assert report.status == "would-publish" and report.dry_run
    assert [f.path for f in report.files] == ["domains/s3-access/contracts/s3-permissions.yaml"]
    assert alice.git("rev-parse", "HEAD") == head and world.remote_branches() == {}
    assert alice.git("worktree", "list").count("\n") == 0  # the scratch worktree is gone


def test_refusals_before_anything_happens(world: World, tmp_path: Path) -> None:
    alice = world.dev("alice", "aperture")
    (alice.clone / "repos/aperture.yaml").write_text("name: aperture\ndescription: uncommitted\n")
    with pytest.raises(RealmDirty, match=r"repos/aperture\.yaml"):
        sync(alice.settings, alice.located)
    alice.git("checkout", "--", ".")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    from blue_tui.core.realm.locate import find_realm

    with pytest.raises(NotInRepo):
        sync(alice.settings, find_realm(alice.settings, "letemcook", outside))
    alice.git("remote", "remove", "origin")
    with pytest.raises(RemoteError, match="has no remote"):
        sync(alice.settings, alice.located)


def test_cli_json_and_text(world: World, tmp_path: Path) -> None:
    alice = world.dev("alice", "aperture")
    bump(alice, tmp_path)
    r = run_blue(["realm", "sync", "--dry-run", "--json"], cwd=alice.root, env=alice.env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["status"] == "would-publish" and data["dry_run"] is True
    assert {"branch", "files", "contracts", "reviewers", "cc", "problems", "conflict", "notices"} <= set(data)
    r = run_blue(["realm", "sync", "--no-cache"], cwd=alice.root, env=alice.env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("realm sync: published: published sync/aperture/")
    assert "contract s3-access/s3-permissions 1.0.0 -> 1.1.0 (importers: fungal)" in r.stdout


def test_local_forge_merge_then_pull(world: World, tmp_path: Path) -> None:
    """The local forge merges for real; the importer's sync then pulls the change."""
    alice, bob = world.dev("alice", "aperture"), world.dev("bob", "fungal")
    bump(alice, tmp_path)
    published = sync(alice.settings, alice.located)
    assert published.pr is not None
    forge = LocalForge(bob.settings, "letemcook", bob.clone)
    merged = forge.merge_pr(RepoRef("letemcook", None, str(world.remote), bob.clone), published.pr.number)
    assert merged.state == "merged"
    assert "1.1.0" in git(world.remote, "show", "main:domains/s3-access/contracts/s3-permissions.yaml")
    assert sync(bob.settings, bob.located).status == "pulled"
