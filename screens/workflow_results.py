"""What the realm workflows show when they end: a run's or a sync's report as result-table
rows, the note under a sync's table (next step, or the choices after a conflict), and the
summary a sync's dry run asks to confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from screens.result_table import Result

if TYPE_CHECKING:
    from blue_tui.core.realm.runs import RunReport
    from blue_tui.core.realm.sync_report import SyncReport


def run_rows(report: RunReport, *, link: bool = False) -> list[Result]:
    rows = []
    for r in report.repos:
        detail = r.detail or ""
        where = r.url if link else r.path
        if where:
            detail = f"{detail} · {where}" if detail else where
        hint = r.extra.get("hint") if r.failed else None
        if hint:
            detail += f" (next: {hint})"
        rows.append(Result(r.repo, r.status, detail))
        rows += [Result(r.repo, "warning", w) for w in r.warnings]
    rows += [Result("(run)", "warning", w) for w in report.warnings]
    return rows


def sync_rows(report: SyncReport) -> list[Result]:
    detail = report.message
    if report.pr is not None:
        detail += f" · PR {report.pr.url}"
    rows = [Result(report.repo, report.status, detail)]
    rows += [
        Result(f.path, "ok" if f.allowed else "refused", f"{f.change} · may be changed by {f.owner}")
        for f in report.files
    ]
    rows += [
        Result(
            f"{c.domain}/{c.contract}",
            "changed",
            f"{c.from_version or 'new'} -> {c.to_version or 'removed'}; importers: {', '.join(c.importers) or 'none'}",
        )
        for c in report.contracts
    ]
    if report.reviewers or report.cc:
        rows.append(
            Result(
                "reviewers", "ok", f"{', '.join(report.reviewers) or '-'}; cc: {', '.join(report.cc) or '-'}"
            )
        )
    rows += [
        Result(p.where or p.subject or p.rule, "failed" if p.severity == "error" else "warning", p.message)
        for p in report.problems
        if p.severity != "info"
    ]
    rows += [Result("pulled", "ok", line) for line in report.pulled]
    rows += [
        Result(
            f"{o.domain}/{o.contract}",
            "warning",
            f"outdated: resolved {o.resolved_version}, now {o.version} "
            f"(`blue realm admin binding {o.domain} --update --refresh`)",
        )
        for o in report.outdated
    ]
    rows += [Result("remote", "failed", line) for line in report.remote_lines]
    rows += [Result("(sync)", "warning", w) for w in report.warnings]
    return rows


def sync_note(report: SyncReport) -> Text:
    text = Text()
    if report.hint and report.conflict is None:
        text.append("next: ", style="bold")
        text.append(report.hint + "\n")
    if report.conflict is not None:
        c = report.conflict
        for theirs in c.theirs:
            text.append(f"Their change: {theirs.get('subject')}: {', '.join(theirs.get('files') or [])}\n")
        text.append(f"Your change: {', '.join(c.yours) or '-'}\n")
        text.append("Options:\n", style="bold")
        for i, choice in enumerate(c.choices, 1):
            text.append(f"  {i}. {choice.label}\n     {choice.command}\n")
    return text


def describe_dry_run(report: SyncReport) -> str:
    lines = [report.message]
    lines += [f"  {f.change} {f.path} (may be changed by {f.owner})" for f in report.files]
    lines += [
        f"  contract {c.domain}/{c.contract} {c.from_version or 'new'} -> {c.to_version or 'removed'}"
        f" (importers: {', '.join(c.importers) or 'none'})"
        for c in report.contracts
    ]
    if report.reviewers or report.cc:
        lines.append(f"  reviewers: {', '.join(report.reviewers) or '-'}; cc: {', '.join(report.cc) or '-'}")
    lines += [f"  pull: {line}" for line in report.pulled]
    lines += [
        f"  would mark outdated: {o.domain}/{o.contract} (resolved {o.resolved_version})"
        for o in report.outdated
    ]
    warnings = [p for p in report.problems if p.severity == "warning"]
    if warnings:
        lines.append(f"  {len(warnings)} warning(s) from the realm check, first: {warnings[0].message}")
    return "\n".join(lines)
