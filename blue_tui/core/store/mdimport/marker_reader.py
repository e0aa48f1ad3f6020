"""Inline markers in a text, reported to the builder with their writer and round.

``[PERSPECTIVE P01: label]`` and its kin are noted as written (:class:`~.model.MarkerNote`;
what each is gets decided once the whole dialogue is read, see :mod:`.inventory`),
with their content: the rest of the paragraph and the blocks that follow, up to the
next marker, heading, rule or speaker. Actions (``[RESOLVED T02]``, ``[CONCESSION:
...]``), moves, refs and verdict markers become moves, status effects, refs and
verdicts. Verdict headings (``## Final Verdict``, ``## 💙 Judge: CONVERGENCE
ACHIEVED``) are read here too.
"""

from __future__ import annotations

import re

from blue_tui.core.store.mdimport.ids import IdRef, find_ids
from blue_tui.core.store.mdimport.markers import Marker
from blue_tui.core.store.mdimport.model import INVENTORY_KINDS, Effect, Mention, Statement, Target, Verdict
from blue_tui.core.store.mdimport.speakers import SPEAKER, SpeakersMixin, starts_with
from blue_tui.core.store.mdimport.table_reader import NAME_COLUMNS
from blue_tui.core.store.mdimport.tables import Table, strip_emoji, strip_markup

_LEAD_SEPARATOR = re.compile(r"^(?:\*\*)?[ \t]*[—–:-]+[ \t]*")
_LEAD_CHARS = frozenset("*—–:-")
_VERDICT_HEADING = re.compile(
    r"\bverdict\b|\bconvergence[ \t]+achieved\b|^dialogue[ \t]+complete|^(?:final[ \t]+)?consensus\b"
    r"|^final[ \t]+convergence$",
    re.I,
)
#: Closing sections that state the outcome: a verdict when they stand outside the rounds.
_OUTCOME_HEADING = re.compile(
    r"^(?:final[ \t]+(?:aligned[ \t]+)?|converged[ \t]+|consensus[ \t]+)"
    r"(?:architecture|recommendations?|resolutions?|decisions?|design|amendments)\b",
    re.I,
)
_JUDGE_PREFIX = re.compile(r"^(?:the[ \t]+)?judge[ \t]*[:—–-][ \t]*", re.I)
STATUS_EFFECTS = {
    "resolve": "resolved",
    "reopen": "reopened",
    "address": "addressed",
    "acknowledge": "acknowledged",
}
MAX_CONTEXT = 500
MAX_TITLE = 500


class MarkersMixin(SpeakersMixin):
    def _markers(
        self,
        text: str,
        index: int,
        rnd: int | None,
        speaker: str | None,
        speaker_name: str | None,
        *,
        table_row: bool = False,
    ) -> None:
        markers = self._find(text, index if not table_row else -1)
        if not markers:
            return
        line_start = 0
        previous_end = 0
        seen: str | None = None
        for k, marker in enumerate(markers):
            end = markers[k + 1].start if k + 1 < len(markers) else len(text)
            after = text[marker.end : end]
            newline = text.rfind("\n", previous_end, marker.start)  # markers come in order: linear
            if newline >= 0:
                line_start = newline + 1
            previous_end = marker.start
            expert = speaker if speaker is not None else self._line_speaker(text, marker, line_start)
            if expert is None and marker.id is not None and marker.id.expert is not None:
                expert = self.b.find_expert(marker.id.expert)
            if expert is not None and rnd is not None and expert != seen:
                self.b.round_expert(rnd, expert)
                seen = expert
            last = k == len(markers) - 1 and not table_row
            if marker.family == "entity":
                self._entity(marker, self._content(after, index if last else -1), rnd, expert)
            elif marker.family == "action":
                self._action(marker, rnd, expert, after)
            elif marker.family == "move":
                self._move(marker, rnd, expert, after)
            elif marker.family == "ref":
                self._ref(marker, rnd, expert)
            elif marker.family == "verdict":
                content = self._content(after, index if last else -1)
                verdict_type = (
                    marker.tag if marker.tag in ("interim", "final", "dissent", "minority") else None
                )
                self.b.verdict(
                    Verdict(
                        verdict_type,
                        rnd,
                        marker.label,
                        content[:2000],
                        self._loc(),
                        author=expert,
                        priority=2,
                    )
                )

    def _table_markers(self, table: Table, rnd: int | None) -> None:
        name_col = table.column(*NAME_COLUMNS)
        for row in table.rows:
            joined = " | ".join(row)
            if "[" not in joined:
                continue
            expert = self.b.find_expert(row[name_col]) if name_col is not None else None
            self._markers(joined, -1, rnd, expert or self.fixed_expert, None, table_row=True)

    def _content(self, after: str, index: int) -> str:
        """The words after a marker: the rest of its paragraph, and the blocks that follow it."""
        parts = [after.strip()]
        if index >= 0:
            j = index + 1
            while j < len(self.blocks):
                block = self.blocks[j]
                if block.kind in ("heading", "rule", "table", "box"):
                    break
                if self.layout and self.block_round[j] != self.block_round[index]:
                    break
                text = self._block_text(j)
                if block.kind != "fence" and self._find(text, j):
                    break
                if block.kind == "paragraph" and starts_with(text, "**") and SPEAKER.match(text.strip()):
                    break
                parts.append(text)
                j += 1
        content = parts[0] if len(parts) == 1 else "\n\n".join(p for p in parts if p).strip()
        # The separator between a marker and its words ("] — ", "]: "), if any.
        return _LEAD_SEPARATOR.sub("", content) if content[:1] in _LEAD_CHARS else content

    def _entity(self, marker: Marker, content: str, rnd: int | None, expert: str | None) -> None:
        kind = marker.tag
        if kind not in INVENTORY_KINDS:
            return
        ref = marker.id
        origin = rnd if rnd is not None else (ref.round if ref is not None else None)
        # The label written in the brackets; a bare "[TENSION T2]" has none (a later mention).
        note = self.b.marker(kind, ref, strip_markup(marker.label), content, origin, expert, self._loc())
        self.entity_by_expert[(expert, rnd)] = note

    def _mentions(
        self, refs: list[IdRef], rnd: int | None, expert: str | None, marker: Marker, *, warn: bool
    ) -> list[Mention]:
        return [
            Mention(ref, rnd, expert, marker.written, self.where, warn=warn and ref.letter != "O")
            for ref in refs
        ]

    @staticmethod
    def _first_line(after: str) -> str:
        return " ".join(after.strip().split("\n")[0].split())[:MAX_CONTEXT].lstrip(".,;:|—– ")

    def _action(self, marker: Marker, rnd: int | None, expert: str | None, after: str) -> None:
        explicit = self._mentions(marker.targets, rnd, expert, marker, warn=True)
        explicit_keys = {(m.ref.letter, m.ref.number) for m in explicit}
        mentioned = [
            m
            for m in self._mentions(find_ids(marker.text), rnd, expert, marker, warn=False)
            if (m.ref.letter, m.ref.number) not in explicit_keys
        ]
        context = marker.text or self._first_line(after)
        by = [expert] if expert else []
        if marker.tag in STATUS_EFFECTS:
            for found in explicit:
                self.b.effect(
                    Effect(found, STATUS_EFFECTS[marker.tag], rnd, by, context or None, self._loc())
                )
        targets: list[Target] = [*explicit, *mentioned]
        self.b.move(rnd, expert, marker.tag, targets, context, marker.written, self._loc())

    def _move(self, marker: Marker, rnd: int | None, expert: str | None, after: str) -> None:
        targets: list[Target] = list(self._mentions(marker.targets, rnd, expert, marker, warn=True))
        context = self._first_line(after) if after.strip() else ""
        if not targets and marker.args:
            context = (marker.args + (" " + context if context else "")).strip()
        self.b.move(rnd, expert, marker.tag, targets, context, marker.written, self._loc())

    def _ref(self, marker: Marker, rnd: int | None, expert: str | None) -> None:
        mentions = self._mentions(marker.targets[:1], rnd, expert, marker, warn=True)
        target: Target = mentions[0] if mentions else marker.args
        source: Target = self.entity_by_expert.get((expert, rnd)) or f"@{expert or 'judge'}"
        self.b.ref(source, marker.tag, target, rnd, expert, marker.written)
        effect = {"resolve": "resolved", "reopen": "reopened", "address": "addressed"}.get(marker.tag)
        if effect and mentions:
            self.b.effect(
                Effect(mentions[0], effect, rnd, [expert] if expert else [], marker.written, self._loc())
            )

    def _verdict_heading(self, title: str, rnd: int | None, level: int) -> Verdict | None:
        if self.role in ("verdict", "convergence") or len(title) > MAX_TITLE:
            return None
        clean = strip_markup(title)
        said = _JUDGE_PREFIX.sub("", strip_emoji(clean).strip())
        outcome = rnd is None and level <= 2 and _OUTCOME_HEADING.match(said) is not None
        if not outcome and not _VERDICT_HEADING.search(clean):
            return None
        low = clean.lower()
        vtype = "minority" if "minority" in low else ("dissent" if "dissent" in low else None)
        verdict = Verdict(vtype, rnd, strip_emoji(clean), "", self._loc(clean), priority=1)
        self.b.statuses.append(Statement(clean, f"{self.where}: {clean}", "inferred"))
        if "unanimous" in low:
            verdict.confidence = "unanimous"
        self.b.verdict(verdict)
        return verdict
