"""The pieces ``realm sync`` assembles: what changed in which contract, who reviews it, the PR's
text, the three choices after an overlapping concurrent change, and the record of what this
clone has published (``.git/blue-sync.json``)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blue_tui.core.realm import git
from blue_tui.core.realm.fsutil import write_atomic
from blue_tui.core.realm.model import Realm
from blue_tui.core.realm.remote import git_dir_of
from blue_tui.core.realm.sync_report import Choice, Conflict, ContractChange

if TYPE_CHECKING:
    from blue_tui.core.realm.sync_report import SyncReport

_CONTRACT = re.compile(r"^domains/(?P<domain>[^/]{1,200})/contracts/(?P<name>[^/]{1,200})\.yaml$")
_SYNC_BRANCH = re.compile(r"sync/[A-Za-z0-9._-]{1,100}/[0-9]{8}T[0-9]{6}Z(?:-[0-9])?")


class StateFile:
    """What this clone published, per repo: ``{branch, commit, patch_id, pr}``."""

    def __init__(self, root: Path) -> None:
        git_dir = git_dir_of(root)
        self.path = (git_dir or root / ".git") / "blue-sync.json"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, repo: str) -> dict[str, Any] | None:
        entry = self._read().get(repo)
        return entry if isinstance(entry, dict) else None

    def put(self, repo: str, entry: dict[str, Any]) -> None:
        data = self._read()
        data[repo] = entry
        write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def clear(self, repo: str) -> None:
        data = self._read()
        if repo in data:
            del data[repo]
            write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def commits_between(root: Path, a: str, b: str) -> list[dict[str, Any]]:
    """``[{sha, subject, body, files}]`` of ``a..b``, oldest first."""
    out = git.run(
        [
            "log",
            "--reverse",
            "--no-renames",
            "--format=%x01%H%x02%s%x02%b%x03",
            "--name-only",
            f"{a}..{b}",
            "--",
        ],
        root,
    ).stdout.decode("utf-8", "replace")
    commits = []
    for chunk in out.split("\x01")[1:]:
        head, _, files = chunk.partition("\x03")
        sha, subject, body = [*head.split("\x02"), "", ""][:3]
        commits.append(
            {
                "sha": sha,
                "subject": subject,
                "body": body.strip(),
                "files": [f for f in files.split("\n") if f],
            }
        )
    return commits


def conflict_report(
    root: Path, repo: str, mb: str, tip: str, yours: Sequence[str], overlapping: Sequence[str], head: str
) -> Conflict:
    theirs = []
    for c in commits_between(root, mb, tip):
        text = f"{c['subject']}\n{c['body']}"
        branch = _SYNC_BRANCH.search(text)
        theirs.append(
            {
                "sha": c["sha"],
                "subject": c["subject"],
                "files": c["files"],
                "branch": branch.group(0) if branch else None,
            }
        )
    base = git.run(["rev-parse", "--abbrev-ref", "HEAD"], root, check=False).stdout.decode().strip() or "main"
    choices = [
        Choice(
            "rebase",
            "Rebase and retry (recommended): resolve the overlap in the realm clone, then sync again",
            f"git -C {root} rebase origin/{base}  # resolve, `git rebase --continue`, then: blue realm sync",
        ),
        Choice(
            "force",
            f"Publish {repo}'s version of the overlapping lines over theirs (reviewers see what it replaces)",
            "blue realm sync --force",
        ),
        Choice("abort", "Abort: nothing was pushed; your local commits stay as they are", "(nothing to run)"),
    ]
    return Conflict(sorted(overlapping), theirs, sorted(set(yours)), choices)


def contract_changes(
    old: Realm, new: Realm, changes: Sequence[tuple[str, str]], repo: str
) -> list[ContractChange]:
    out = []
    for change, path in changes:
        m = _CONTRACT.match(path)
        if not m:
            continue
        domain, name = m.group("domain"), m.group("name")
        before, after = old.contract(domain, name), new.contract(domain, name)
        importers = {b.repo for b, _ in new.imports_of(domain, name)} | {
            b.repo for b, _ in old.imports_of(domain, name)
        }
        out.append(
            ContractChange(
                domain,
                name,
                "A" if before is None else "D" if after is None else change,
                before.version if before else None,
                after.version if after else None,
                tuple(sorted(importers - {repo})),
            )
        )
    return out


def reviewers_for(
    realm: Realm, contracts: Sequence[ContractChange], repo: str
) -> tuple[list[str], list[str], list[str]]:
    """``(affected repos, forge reviewers, cc)``: maintainers written as logins (``octocat``,
    ``@octocat``) become reviewers; e-mail addresses are named in the PR body."""
    affected = sorted({r for c in contracts for r in c.importers} - {repo})
    reviewers: set[str] = set()
    cc: set[str] = set()
    for name in affected:
        entry = realm.repos.get(name)
        for raw in entry.maintainers if entry else ():
            who = raw.strip()
            if not who:
                continue
            if "@" in who[1:]:
                cc.add(who)
            else:
                reviewers.add(who.lstrip("@"))
    return affected, sorted(reviewers), sorted(cc)


def pr_title(repo: str, contracts: Sequence[ContractChange], files: int) -> str:
    if contracts:
        c = contracts[0]
        what = f"{c.domain}/{c.contract} {c.from_version or 'new'} -> {c.to_version or 'removed'}"
        more = f" (+{len(contracts) - 1} more)" if len(contracts) > 1 else ""
        return f"realm sync: {repo}: {what}{more}"
    return f"realm sync: {repo}: {files} file(s)"


def pr_body(repo: str, report: SyncReport, subjects: Sequence[str]) -> str:
    lines = [f"Realm sync from **{repo}** (`blue realm sync`).", ""]
    if report.contracts:
        lines += ["| contract | from | to | importers |", "|---|---|---|---|"]
        for c in report.contracts:
            lines.append(
                f"| {c.domain}/{c.contract} | {c.from_version or '-'} | {c.to_version or '-'} | "
                f"{', '.join(c.importers) or '-'} |"
            )
        lines.append("")
    if report.files:
        lines += ["Files:", *[f"- `{f.path}` ({f.change}; owner: {f.owner})" for f in report.files], ""]
    if report.affected:
        lines.append(f"Affected importers: {', '.join(report.affected)}")
    if report.cc:
        lines.append(f"cc: {', '.join(report.cc)}")
    errors = sum(1 for p in report.problems if p.severity == "error")
    warnings = sum(1 for p in report.problems if p.severity == "warning")
    lines += ["", f"`realm check`: {errors} error(s), {warnings} warning(s)."]
    for p in [p for p in report.problems if p.severity == "warning"][:10]:
        lines.append(f"- warning [{p.rule}] {p.message}")
    if subjects:
        lines += ["", "Local commits:", *[f"- {s}" for s in subjects]]
    return "\n".join(lines) + "\n"
