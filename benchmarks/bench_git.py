"""Realm git workflows against the git calls they wrap, measured in the same run.

- `realm worktree create` over 10 repos (preflight of every repo, journal, state) vs the same
  `git worktree add -b` calls made directly: target <= 1.5x.
- `realm sync` with nothing to do (fetch, compare, nothing published) vs a bare `git fetch` of the
  same clone from the same remote: target <= 1.5x.

Both subjects are the core calls the dashboard makes (`worktree.create`, `sync.sync`), started
from locating the realm. Medians of back-to-back pairs (see _common.paired).

Run: `.venv/bin/python benchmarks/bench_git.py` (about a minute).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _common import paired, report, timed
from realm_builders import GIT_ENV, RealmBuilder, git, init_repo

REPOS = 10
FILES_PER_REPO = 300
ROUNDS = 9


def make_repo(path: Path, n: int) -> None:
    init_repo(path)
    for i in range(FILES_PER_REPO):
        sub = path / f"pkg{i % 20:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"mod{i:03d}.py").write_text(f"VALUE_{i} = {i * n}\n" * 20)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "init")


def main() -> int:
    for key, value in GIT_ENV.items():
        os.environ[key] = value
    with tempfile.TemporaryDirectory(prefix="blue-bench-git-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["HOME"] = str(tmp / "home")
        (tmp / "home").mkdir()
        names = [f"repo-{i:02d}" for i in range(REPOS)]
        seed = RealmBuilder(tmp / "seed", "bench")
        for name in names:
            seed.repo(name)
        seed.domain("all", names)
        seed.commit("bench realm")
        remote = tmp / "realm.git"
        git(tmp, "clone", "-q", "--bare", str(seed.root), str(remote))

        env = {**os.environ, "BLUE_HOME": str(tmp / "blue"), "BLUE_USER": "bench@example.com"}
        os.environ.update(env)
        from blue_tui.core.config import Settings
        from blue_tui.core.realm import worktree
        from blue_tui.core.realm.admin import join_realm
        from blue_tui.core.realm.locate import find_realm
        from blue_tui.core.realm.sync import sync

        settings = Settings.from_env(env)
        roots = []
        for i, name in enumerate(names):
            root = tmp / "code" / name
            make_repo(root, i)
            (root / ".blue").mkdir()
            (root / ".blue" / "config.yaml").write_text(f"realm:\n  name: bench\n  repo: {name}\n")
            join_realm(settings, str(remote), cwd=root)
            roots.append(root)
        # Publish what the joins committed, so that the clone has nothing to sync.
        clone = tmp / "blue" / "realms" / "bench"
        git(clone, "push", "-q", "origin", "HEAD:main")
        git(clone, "fetch", "-q", "origin")

        # ---- worktree create over 10 repos ----
        counter = {"n": 0}
        ratios, s_times, b_times = [], [], []

        def subject() -> None:
            located = find_realm(settings, None, roots[0])
            result = worktree.create(settings, located, f"bench-{counter['n']}", repos=names)
            assert result.ok, result.as_json()

        def baseline() -> None:
            for root in roots:
                path = tmp / "direct" / f"b-{counter['n']}" / root.name
                subprocess.run(
                    ["git", "worktree", "add", "--quiet", "-b", f"direct/b-{counter['n']}", str(path)],
                    cwd=root,
                    check=True,
                    capture_output=True,
                )

        def cleanup() -> None:
            for root in roots:
                for line in git(root, "worktree", "list", "--porcelain").splitlines():
                    if line.startswith("worktree ") and Path(line[9:]) != root:
                        git(root, "worktree", "remove", "--force", line[9:])
                for branch in git(root, "branch", "--format=%(refname:short)").splitlines():
                    if branch != "main":
                        git(root, "branch", "-D", branch)
            for rfc in (tmp / "blue" / "worktrees" / "bench").glob("bench-*"):
                for leftover in rfc.iterdir():
                    leftover.unlink() if leftover.is_file() else None
                rfc.rmdir() if not any(rfc.iterdir()) else None

        for n in range(ROUNDS + 1):
            counter["n"] = n
            if n % 2:
                b = timed(baseline)
                s = timed(subject)
            else:
                s = timed(subject)
                b = timed(baseline)
            cleanup()
            if n:  # the first pair warms the caches
                s_times.append(s)
                b_times.append(b)
                ratios.append(s / b)
        wt_ratio = statistics.median(ratios)
        print(
            f"worktree create, {REPOS} repos x {FILES_PER_REPO} files: blue {statistics.median(s_times) * 1000:.0f} ms, "
            f"git worktree add x{REPOS} {statistics.median(b_times) * 1000:.0f} ms"
        )

        # ---- sync with nothing to do ----
        def sync_subject() -> None:
            result = sync(settings, find_realm(settings, None, roots[0]))
            assert result.status == "up-to-date", result.message

        def fetch_baseline() -> None:
            subprocess.run(["git", "fetch", "-q", "origin"], cwd=clone, check=True, capture_output=True)

        s, b, sync_ratio = paired(sync_subject, fetch_baseline, rounds=ROUNDS)
        print(f"sync, nothing to do: blue {s * 1000:.1f} ms, git fetch {b * 1000:.1f} ms")

        ok = report(
            "realm worktree create vs git worktree add", f"{wt_ratio:.2f}x", wt_ratio <= 1.5, "<= 1.5x"
        )
        ok &= report(
            "realm sync (nothing to do) vs git fetch", f"{sync_ratio:.2f}x", sync_ratio <= 1.5, "<= 1.5x"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
