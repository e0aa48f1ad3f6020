"""`realm sync` posts what it published into sessions.db (SyncNotifier), from the core and the CLI.

The demo workspace is the world: a bare remote, and aperture's breaking change to s3-permissions
waiting in the realm clone (made by `blue realm admin contract`, which notified it already).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.demo import workspace
from blue_tui.core.realm import git
from blue_tui.core.realm.locate import find_realm
from blue_tui.core.realm.sync import sync
from blue_tui.core.sessions import Viewer, open_sessions
from blue_tui.core.sessions.sync_notifier import SyncNotifier

pytestmark = pytest.mark.integration


@pytest.fixture
def demo_settings(tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    return Settings.from_env({"HOME": str(home), "BLUE_HOME": str(home / ".blue")})


def _notes(settings: Settings) -> list[tuple[str, str, str | None]]:
    with open_sessions(settings) as db:
        return [
            (n.headline, n.change_type, n.commit) for n in db.notifications(Viewer(realm="demo"), state="all")
        ]


def _forget_notifications(settings: Settings) -> None:
    """As on a machine that did not make the change (no admin notification there)."""
    with open_sessions(settings) as db:
        db.clear()


def test_a_published_breaking_change_is_notified_with_the_checkers_verdict(demo_settings: Settings) -> None:
    built = workspace.build(demo_settings)
    _forget_notifications(demo_settings)
    located = find_realm(demo_settings, None, built.repos["aperture"])
    notifier = SyncNotifier(demo_settings, located.root)
    report = sync(demo_settings, located, notifier=notifier)
    assert report.status == "published", report.message
    published = git.head(built.realm)
    assert published == report.commit
    assert _notes(demo_settings) == [
        ("aperture updated s3-access/s3-permissions 1.1.0 -> 2.0.0 (breaking)", "breaking", published)
    ]
    assert [n.summary for n in notifier.posted] == ["read becomes an object with prefixes"]


def test_the_admin_commands_notification_and_the_syncs_are_one_row(demo_settings: Settings) -> None:
    built = workspace.build(demo_settings)
    before = _notes(demo_settings)
    located = find_realm(demo_settings, None, built.repos["aperture"])
    notifier = SyncNotifier(demo_settings, located.root)
    assert sync(demo_settings, located, notifier=notifier).status == "published"
    assert notifier.posted == []  # deduplicated: the same change, already there
    assert _notes(demo_settings) == before and len(before) == 1


def test_a_compatible_change_is_updated(demo_settings: Settings) -> None:
    built = workspace.build(demo_settings)
    aperture = built.repos["aperture"]
    env = workspace.child_env(demo_settings)
    assert sync(demo_settings, find_realm(demo_settings, None, aperture)).status == "published"
    schema = aperture / "run-metrics.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "required": ["run", "loss"],
                "properties": {
                    "run": {"type": "string"},
                    "loss": {"type": "number", "minimum": 0},
                    "epoch": {"type": "integer"},
                },
            }
        )
    )
    admin = [sys.executable, "-m", "blue_tui", "realm", "admin"]
    done = subprocess.run(
        [
            *admin,
            "contract",
            "run-metrics",
            "--domain",
            "training-metrics",
            "--update",
            "--version",
            "1.1.0",
            "--schema",
            str(schema),
            "--changes",
            "Optional epoch",
        ],
        cwd=aperture,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    _forget_notifications(demo_settings)
    located = find_realm(demo_settings, None, aperture)
    report = sync(demo_settings, located, notifier=SyncNotifier(demo_settings, located.root))
    assert report.status == "published", report.message
    # the first change still waits for review, so this sync publishes both together (superseding it)
    assert {(h, t) for h, t, _ in _notes(demo_settings)} == {
        ("aperture updated training-metrics/run-metrics 1.0.0 -> 1.1.0", "updated"),
        ("aperture updated s3-access/s3-permissions 1.1.0 -> 2.0.0 (breaking)", "breaking"),
    }


def _merge_on_remote(built: workspace.Workspace, branch: str, tmp: Path) -> None:
    """What the forge does when the PR is merged."""
    work = tmp / "merger"
    git.run(["clone", "-q", str(built.remote), str(work)], tmp)
    env = {
        "GIT_AUTHOR_NAME": "m",
        "GIT_AUTHOR_EMAIL": "m@x",
        "GIT_COMMITTER_NAME": "m",
        "GIT_COMMITTER_EMAIL": "m@x",
    }
    git.run(["merge", "-q", "--no-ff", "-m", f"Merge {branch}", f"origin/{branch}"], work, env=env)
    git.run(["push", "-q", "origin", "main"], work)


def test_a_binding_change_is_not_notified(demo_settings: Settings, tmp_path: Path) -> None:
    built = workspace.build(demo_settings)
    first = sync(demo_settings, find_realm(demo_settings, None, built.repos["aperture"]))
    assert first.status == "published" and first.branch
    _merge_on_remote(built, first.branch, tmp_path)
    # fungal widens its import to the new major: a binding change
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "blue_tui",
            "realm",
            "admin",
            "binding",
            "s3-access",
            "--update",
            "--import",
            "s3-permissions@>=2.0.0 <3.0.0:cdk/access_stack.py",
        ],
        cwd=built.repos["fungal"],
        env=workspace.child_env(demo_settings),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    _forget_notifications(demo_settings)
    located = find_realm(demo_settings, None, built.repos["fungal"])
    report = sync(demo_settings, located, notifier=SyncNotifier(demo_settings, located.root))
    assert report.status == "published", report.message
    assert [n.kind for n in report.notices] == ["binding-changed"]
    assert _notes(demo_settings) == []


def test_blue_realm_sync_posts_into_sessions_db(demo_settings: Settings) -> None:
    built = workspace.build(demo_settings)
    _forget_notifications(demo_settings)
    done = subprocess.run(
        [sys.executable, "-m", "blue_tui", "realm", "sync", "--json"],
        cwd=built.repos["aperture"],
        env=workspace.child_env(demo_settings),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["status"] == "published" and out["warnings"] == []
    assert [(h, t) for h, t, _ in _notes(demo_settings)] == [
        ("aperture updated s3-access/s3-permissions 1.1.0 -> 2.0.0 (breaking)", "breaking")
    ]


def test_an_unusable_sessions_db_never_fails_the_sync(demo_settings: Settings) -> None:
    built = workspace.build(demo_settings)
    path = demo_settings.sessions_db
    path.unlink()
    path.write_bytes(b"not a database, and not ours to overwrite")
    located = find_realm(demo_settings, None, built.repos["aperture"])
    notifier = SyncNotifier(demo_settings, located.root)
    report = sync(demo_settings, located, notifier=notifier)
    assert report.status == "published" and notifier.posted == []
    assert path.read_bytes() == b"not a database, and not ours to overwrite"
