"""What does not add up: the dialogue checked against itself, reported as warnings.

Contradictions are kept as written, never fixed: a converged dialogue with open
tensions, a status written two ways, totals that disagree, an all-zero scoreboard
beside real scores, an expert's total against their round scores, convergence at
100% while the velocity is not zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blue_tui.core.store.mdimport.model import Statement
from blue_tui.core.store.mdimport.statuses import UNSETTLED, dialogue_status
from blue_tui.core.store.mdimport.tables import strip_markup

if TYPE_CHECKING:
    from blue_tui.core.store.mdimport.builder import Builder

#: Longest list of ids one warning spells out.
MAX_LISTED = 10


def final_statement(b: Builder) -> tuple[str, Statement] | None:
    """The dialogue's status: the last explicit statement, else the last round's, else inferred."""
    for levels in (("header", "section", "closing"), ("round",), ("inferred",)):
        for statement in reversed([s for s in b.statuses if s.level in levels]):
            status = dialogue_status(statement.value)
            if status is not None:
                return status, statement
    return None


def check(b: Builder) -> None:
    found = final_statement(b)
    status = found[0] if found else None
    _status_said_twice(b)
    if b.recorded and status == "open":
        b.warn("the file is a recorded dialogue (.recorded.md) but its status is still open/in progress")
    if status == "converged":
        _converged_but_open(b)
    distinct = {value for value, _ in b.totals}
    if len(distinct) > 1:
        said = "; ".join(f"{value} in {where}" for value, where in b.totals)
        b.warn(f"Total ALIGNMENT is written with different values: {said}")
    _zero_scoreboards(b, status)
    for exp in b.experts.values():
        if exp.total is not None and exp.scores:
            summed = sum(exp.scores.values())
            if abs(summed - exp.total) > 1e-9:
                b.warn(f"{exp.name}'s total is {exp.total} but the round scores add up to {summed}")
    _converge_with_velocity(b)


def _status_said_twice(b: Builder) -> None:
    explicit = [s for s in b.statuses if s.level in ("header", "section", "closing")]
    seen: dict[str, Statement] = {}
    for statement in explicit:
        value = dialogue_status(statement.value)
        if value is not None:
            seen.setdefault(value, statement)
    if len(seen) > 1:
        said = "; ".join(f"{strip_markup(s.value)[:200]!r} in {s.where}" for s in seen.values())
        b.warn(f"the dialogue's status is written differently in different places: {said}")


def _converged_but_open(b: Builder) -> None:
    unsettled = [i for i in b.items if i.kind == "tension" and i.status in UNSETTLED]
    if unsettled:
        shown = unsettled[:MAX_LISTED]
        more = f" and {len(unsettled) - len(shown)} more" if len(unsettled) > len(shown) else ""
        names = ", ".join(
            f"{i.global_id} ({i.written[0] if i.written else i.label[:40]}: {i.status})" for i in shown
        )
        b.warn(f"status is converged but {len(unsettled)} tension(s) are not resolved: {names}{more}")
    open_items = [o for o in b.open_items if o.get("status") in UNSETTLED]
    if open_items:
        b.warn("status is converged but open item(s) remain: " + ", ".join(str(o["id"]) for o in open_items))


def _zero_scoreboards(b: Builder, status: str | None) -> None:
    real = (
        any(isinstance(r.get("score"), int | float) and r["score"] != 0 for r in b.rounds.values())
        or any(v for e in b.experts.values() for v in e.scores.values())
        or any(v for v, _ in b.totals)
    )
    for where, zero in b.score_tables:
        if zero and real:
            b.warn(
                f"the scoreboard in {where} shows 0 for every expert, but the dialogue has non-zero scores"
            )
        elif zero and status == "converged":
            b.warn(f"the scoreboard in {where} shows 0 for every expert, but the dialogue is converged")


def _converge_with_velocity(b: Builder) -> None:
    """Convergence 100% while velocity (open tensions + new perspectives) is not zero.

    Where the velocity column is the score's change instead, it says nothing about convergence.
    """
    for number in sorted(b.rounds):
        data = b.rounds[number]
        converge, velocity = data.get("converge_percent"), data.get("velocity")
        if converge != 100 or not isinstance(velocity, int | float) or velocity <= 0:
            continue
        previous = b.rounds.get(number - 1, {}).get("score")
        score = data.get("score")
        if (
            isinstance(previous, int | float)
            and isinstance(score, int | float)
            and score - previous == velocity
        ):
            continue
        b.warn(f"round {number} shows converge 100% but velocity {velocity} (not zero)")
