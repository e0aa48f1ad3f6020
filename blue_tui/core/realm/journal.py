"""A write-ahead journal for multi-repo changes, so a run killed at any point can be undone.

Each record is one JSON line, flushed and fsynced before the step it announces runs:

- ``begin``  (action, run id, pid)
- ``intent`` (repo and everything needed to undo the step: paths, branch, the commit it started at)
- ``done``   (the step finished)
- ``end``    (the run finished, rolled back, or was recovered)

A journal whose last run has no ``end`` belongs to a process that died (the caller holds the
RFC's lock, and ``flock`` dies with its process). :meth:`Journal.interrupted` returns its intents,
newest first, for the caller to undo; undoing checks the real state (git's), never trusts the
journal alone.
"""

from __future__ import annotations

import json
import os
import secrets
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class Interrupted:
    action: str
    run: str
    #: Intents of the dead run, newest first (the order to undo them in).
    intents: list[dict[str, Any]] = field(default_factory=list)
    #: Repos whose intent was followed by ``done``.
    done: set[str] = field(default_factory=set)


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.run = ""

    def _append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({**record, "run": self.run, "at": datetime.now(UTC).isoformat()}, sort_keys=True)
        fd = os.open(str(self.path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def records(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue  # a line torn by the kill: its step never started
            if isinstance(rec, dict):
                out.append(rec)
        return out

    def interrupted(self) -> Interrupted | None:
        records = self.records()
        begins = [i for i, r in enumerate(records) if r.get("op") == "begin"]
        if not begins:
            return None
        last = records[begins[-1] :]
        if any(r.get("op") == "end" for r in last):
            return None
        found = Interrupted(str(last[0].get("action", "")), str(last[0].get("run", "")))
        for rec in last:
            if rec.get("op") == "intent":
                found.intents.insert(0, rec)
            elif rec.get("op") == "done":
                found.done.add(str(rec.get("repo")))
        return found

    def begin(self, action: str, **details: Any) -> None:
        self.run = secrets.token_hex(6)
        self._append({"op": "begin", "action": action, "pid": os.getpid(), **details})

    def intent(self, repo: str, step: str, **details: Any) -> None:
        self._append({"op": "intent", "repo": repo, "step": step, **details})

    def done(self, repo: str, step: str) -> None:
        self._append({"op": "done", "repo": repo, "step": step})

    def end(self, status: str) -> None:
        self._append({"op": "end", "status": status})

    def clear(self) -> None:
        with suppress(FileNotFoundError):
            self.path.unlink()
