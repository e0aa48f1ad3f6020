"""Problem records: what the loader and the checks found, as values (never exceptions).

A :class:`Problem` names the file (realm-relative, or repo-relative for hook and source-file
findings), the key path inside it (``imports[0].version``), the line, a stable rule id and the
domain / contract / repo it concerns, so the CLI can print one line per problem and the dashboard
can group them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Problem:
    severity: Severity
    rule: str
    message: str
    file: str | None = None
    key: str | None = None
    line: int | None = None
    domain: str | None = None
    contract: str | None = None
    repo: str | None = None
    hint: str | None = None

    @property
    def where(self) -> str:
        """``file:line (key)``, or whichever parts are known."""
        out = self.file or ""
        if self.file and self.line:
            out += f":{self.line}"
        if self.key:
            out += f" ({self.key})" if out else self.key
        return out

    @property
    def subject(self) -> str:
        """``domain/contract``, ``domain``, or the repo: what the problem is about."""
        if self.domain and self.contract:
            return f"{self.domain}/{self.contract}"
        return self.domain or self.contract or self.repo or ""

    def with_(self, **changes: Any) -> Problem:
        return replace(self, **changes)

    def line_text(self) -> str:
        """One line for terminals and CI logs: severity, subject, where, rule, message."""
        parts = [f"{self.severity.upper():<7}"]
        if self.subject:
            parts.append(self.subject)
        if self.where:
            parts.append(self.where)
        parts.append(f"[{self.rule}]")
        parts.append(self.message)
        return "  ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "domain": self.domain,
            "contract": self.contract,
            "repo": self.repo,
            "hint": self.hint,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        sev = data.get("severity")
        severity: Severity = sev if sev in SEVERITIES else "error"
        return cls(
            severity=severity,
            rule=str(data.get("rule", "")),
            message=str(data.get("message", "")),
            file=data.get("file"),
            key=data.get("key"),
            line=data.get("line"),
            domain=data.get("domain"),
            contract=data.get("contract"),
            repo=data.get("repo"),
            hint=data.get("hint"),
        )


#: ``locate(file, key) -> line``: where a key path sits in a realm file, when known.
Locate = Callable[[str | None, str | None], int | None]


class ProblemSink:
    """Appends problems to ``out``: the one way the loader and the checks build them.

    The ids given here (``file``, ``domain``, ``contract``, ``repo``) are defaults shared by every
    problem of one place (the file being validated, say); :meth:`add` fills in what it is not
    given from them. With ``locate``, the line of ``key`` in ``file`` is looked up unless given.
    """

    __slots__ = ("contract", "domain", "file", "locate", "out", "repo")

    def __init__(
        self,
        out: list[Problem],
        locate: Locate | None = None,
        *,
        file: str | None = None,
        domain: str | None = None,
        contract: str | None = None,
        repo: str | None = None,
    ) -> None:
        self.out = out
        self.locate = locate
        self.file = file
        self.domain = domain
        self.contract = contract
        self.repo = repo

    def at(
        self,
        *,
        file: str | None = None,
        domain: str | None = None,
        contract: str | None = None,
        repo: str | None = None,
    ) -> ProblemSink:
        """A sink into the same list whose defaults are these ids (and this one's for the rest)."""
        return ProblemSink(
            self.out,
            self.locate,
            file=file or self.file,
            domain=domain or self.domain,
            contract=contract or self.contract,
            repo=repo or self.repo,
        )

    def add(
        self,
        severity: Severity,
        rule: str,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
        domain: str | None = None,
        contract: str | None = None,
        repo: str | None = None,
        hint: str | None = None,
    ) -> Problem:
        file = file or self.file
        if line is None and self.locate is not None and file:
            line = self.locate(file, key)
        problem = Problem(
            severity,
            rule,
            message,
            file=file,
            key=key or None,
            line=line,
            domain=domain or self.domain,
            contract=contract or self.contract,
            repo=repo or self.repo,
            hint=hint,
        )
        self.out.append(problem)
        return problem

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems built elsewhere, filling in the line of each one's key when it has none."""
        for p in problems:
            if p.line is None and p.file and self.locate is not None:
                self.out.append(p.with_(line=self.locate(p.file, p.key)))
            else:
                self.out.append(p)


def counts(problems: Iterable[Problem]) -> dict[str, int]:
    out = {"errors": 0, "warnings": 0, "infos": 0}
    for p in problems:
        out[{"error": "errors", "warning": "warnings", "info": "infos"}[p.severity]] += 1
    return out


def sort_key(p: Problem) -> tuple[int, str, int, str, str]:
    return (SEVERITIES.index(p.severity), p.file or "", p.line or 0, p.rule, p.message)
