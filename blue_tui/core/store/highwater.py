"""The local high-water mark: the newest state of the table this machine has seen.

Everything in the table can be rewritten by whoever may write to it, including the
audit chain and the markers that say which generation of a dialogue is current. What
such a writer cannot reach is this file: ``$BLUE_HOME/state/highwater.json`` holds, per
table, each dialogue's newest generation and the digest of its manifest root, and the
newest audit event (sequence number and hash). The store raises these after every
commit, open and verify, and reports anything older as ``rolled-back``.

Marks only ever rise: a mark is replaced by a higher generation (or sequence number),
never by a lower or equal one, so concurrent processes can record in any order. The
file is rewritten atomically under an advisory lock, with the file and its folder
fsynced (a crash leaves the old marks or the new ones).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import Anchor
from blue_tui.core.durable import replace_file
from blue_tui.core.errors import BlueError

FORMAT = 1
_process_lock = threading.Lock()


class HighWaterError(BlueError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"cannot use the high-water mark {path}: {reason}",
            hint=f"fix or remove {path} (removing it forgets what this machine has seen, "
            "so an earlier rollback of the table would go unnoticed)",
        )


@dataclass(frozen=True)
class DialogueMark:
    """A committed generation of a dialogue and the digest of its manifest root item."""

    gen: int
    root: str

    def regression(self, gen: int, root: str) -> str | None:
        """Why the table's (gen, root) is older than this mark, or None when it is not."""
        if gen < self.gen:
            return (
                f"the manifest names generation {gen}, but this machine has seen generation "
                f"{self.gen} (the dialogue was rolled back)"
            )
        if gen == self.gen and root != self.root:
            return (
                f"the manifest of generation {gen} is not the one this machine has seen "
                "(replaced by another version of the same generation)"
            )
        return None


def scope_of(settings: Settings) -> str:
    """Marks are kept per endpoint and table."""
    return f"{settings.endpoint_label} {settings.table}"


class HighWater:
    """Read and raise the marks of one table (thread- and process-safe)."""

    def __init__(self, settings: Settings, chain: str) -> None:
        self.path = settings.blue_home / "state" / "highwater.json"
        self.scope = scope_of(settings)
        self.chain = chain

    # ---- reading ----------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {"format": FORMAT, "stores": {}}
        except OSError as exc:
            raise HighWaterError(self.path, exc.strerror or type(exc).__name__) from None
        try:
            data = json.loads(raw)
        except ValueError:
            raise HighWaterError(self.path, "not valid JSON") from None
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or not isinstance(data.get("stores"), dict)
        ):
            raise HighWaterError(self.path, f"not a format-{FORMAT} high-water file")
        return data

    def _scope(self, data: Mapping[str, Any]) -> dict[str, Any]:
        scope = data["stores"].get(self.scope, {})
        if not isinstance(scope, dict):
            raise HighWaterError(self.path, f"the entry for {self.scope!r} is malformed")
        return scope

    def _marks(self, scope: Mapping[str, Any]) -> tuple[dict[str, DialogueMark], dict[str, Anchor]]:
        """A table's dialogue marks and audit heads (by chain), validated."""
        try:
            marks = {
                str(ident): DialogueMark(int(m["gen"]), str(m["root"]))
                for ident, m in scope.get("dialogues", {}).items()
            }
            heads = {
                str(chain): Anchor(int(h["seq"]), str(h["hash"]))
                for chain, h in scope.get("audit", {}).items()
            }
        except (KeyError, TypeError, ValueError, AttributeError):
            raise HighWaterError(self.path, f"a mark of {self.scope!r} is malformed") from None
        return marks, heads

    def dialogues(self) -> dict[str, DialogueMark]:
        return self._marks(self._scope(self._load()))[0]

    def dialogue(self, dialogue_id: str) -> DialogueMark | None:
        return self.dialogues().get(dialogue_id)

    def audit_head(self) -> Anchor | None:
        return self._marks(self._scope(self._load()))[1].get(self.chain)

    # ---- raising ----------------------------------------------------------------------------

    def record(
        self,
        *,
        dialogues: Mapping[str, DialogueMark] | None = None,
        audit: Anchor | None = None,
        forget_dialogues: bool = False,
    ) -> None:
        """Raise marks (never lower them); ``forget_dialogues`` first drops this table's dialogue marks."""
        if not dialogues and audit is None and not forget_dialogues:
            return
        with self._locked():
            data = self._load()
            marks, heads = self._marks(self._scope(data))
            before = (dict(marks), dict(heads))
            if forget_dialogues:
                marks.clear()
            for ident, mark in (dialogues or {}).items():
                old = marks.get(ident)
                if old is None or old.gen < mark.gen:
                    marks[ident] = mark
            old_head = heads.get(self.chain)
            if audit is not None and (old_head is None or old_head.seq < audit.seq):
                heads[self.chain] = audit
            if (marks, heads) == before:
                return
            data["stores"][self.scope] = {
                "dialogues": {ident: {"gen": m.gen, "root": m.root} for ident, m in sorted(marks.items())},
                "audit": {chain: head.as_json() for chain, head in sorted(heads.items())},
            }
            self._write(data)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, mode=0o700, exist_ok=True)
            fd = os.open(folder / "highwater.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise HighWaterError(self.path, exc.strerror or type(exc).__name__) from None
        try:
            with _process_lock:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _write(self, data: Mapping[str, Any]) -> None:
        try:
            replace_file(self.path, json.dumps(data, indent=1, sort_keys=True).encode())
        except OSError as exc:
            raise HighWaterError(self.path, exc.strerror or type(exc).__name__) from None
