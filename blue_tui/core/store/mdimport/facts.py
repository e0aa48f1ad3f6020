"""Facts written as ``**Key**: value`` (or in two-column header tables), and participant lists.

Header facts before the first round are the dialogue's metadata (``**Date**``,
``**Question**``, ``**Status**``, ``**Total ALIGNMENT**``); inside a round they are
that round's facts (``**ALIGNMENT Score**: +87 (Velocity: +69, Total: 243)``,
``**Convergence**: 100%``). ``**Participants**:`` lists the panel.
"""

from __future__ import annotations

import re

from blue_tui.core.store.mdimport.model import Statement
from blue_tui.core.store.mdimport.reader_base import ReaderBase
from blue_tui.core.store.mdimport.tables import Table, number, strip_emoji, strip_markup
from blue_tui.core.store.mdimport.textops import drop_parens, paren_groups, split_any

_LINE_FACT = re.compile(r"^(?P<lead>[ \t>]*+(?:[*+-][ \t]+)?)\*\*(?P<key>[^*\n]{1,60}?)(?::\*\*|\*\*[ \t]*:)")
_FACT = re.compile(r"^\*\*(?P<key>[^*\n]{1,60}?)(?::\*\*|\*\*[ \t]*:)[ \t]*(?P<value>.*)$")
_FACT_SPLIT = re.compile(r"[ \t]\|[ \t](?=\*\*[^*\n]{1,60}?(?::\*\*|\*\*[ \t]*:))")
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_ALIGNMENT_EXTRA = re.compile(
    r"(?P<key>velocity|total|cumulative)[ \t]*:[ \t]*\+?(?P<value>-?\d+(?:\.\d+)?)", re.I
)
_COMPONENTS = re.compile(r"\b(?P<k>[WCTR])[ \t]*:[ \t]*(?P<v>\d+(?:\.\d+)?)")
QUESTION_KEYS = ("question", "topic", "purpose", "problem", "goal")
TOTAL_FACTS = ("total alignment", "final alignment score", "final alignment", "alignment total")
MAX_PARTICIPANT = 80


class FactsMixin(ReaderBase):
    def _facts(self, text: str, rnd: int | None, index: int, section: str) -> None:
        if "**" not in text:
            return
        for line in text.split("\n"):
            if "**" not in line:
                continue
            found = _LINE_FACT.match(line)
            if not found:
                continue
            body = line[found.end("lead") :]
            for part in _FACT_SPLIT.split(body):
                match = _FACT.match(part.strip())
                if match:
                    key = strip_markup(match.group("key")).strip().rstrip(":")
                    self._fact(key, match.group("value").strip(), rnd, index, section)

    def _fact(self, key: str, value: str, rnd: int | None, index: int, section: str) -> None:
        low = " ".join(strip_emoji(key).lower().split())
        where = f"{self.where}: {section}"
        preamble = self.layout and rnd is None and not self.closing[index]
        if preamble and key not in self.b.metadata:
            self.b.metadata[key] = value
        if low in TOTAL_FACTS:
            total = number(value)
            if total is not None:
                self.b.totals.append((total, where))
            return
        if low == "status":
            if not value:
                return
            if rnd is not None and (self.role == "summary" or self.layout):
                data = self.b.round(rnd)
                data.setdefault("status_text", strip_markup(value))
                self.b.statuses.append(Statement(value, where, "round"))
            else:
                level = "header" if preamble else ("closing" if self.layout else "section")
                self.b.statuses.append(Statement(value, where, level))
            return
        if low in ("convergence", "final convergence", "final consensus", "consensus", "converged"):
            self.b.statuses.append(Statement(value, where, "inferred"))
        if low in ("participants", "agents", "panel", "experts") and number(value) is None:
            if value:
                self._participants(value)
            else:
                self.expect_participants = True
            return
        if preamble or (not self.layout and rnd is None):
            if low in ("date", "started", "created", "when") and self.b.date is None:
                found = _DATE.search(value)
                if found:
                    self.b.date = found.group(1)
            if low in QUESTION_KEYS and self.b.question is None and value:
                self.b.question = strip_markup(value)
            if low == "domain" and self.b.domain is None and value:
                self.b.domain = strip_markup(value)
            if low in ("alignment score", "alignment") and rnd is None:
                total = number(value)
                if total is not None:
                    self.b.totals.append((total, where))
        if rnd is not None:
            self._round_fact(low, value, rnd, where)

    def _round_fact(self, low: str, value: str, rnd: int, where: str) -> None:
        data = self.b.round(rnd)
        if low in ("alignment score", "alignment", "score", "round score"):
            score = number(value)
            if score is not None:
                self._set_round(rnd, "score", score, where)
            for extra in _ALIGNMENT_EXTRA.finditer(value):
                # Beside the score, "Velocity" is the score's change since the last round (RFC 0056),
                # not RFC 0057-A's open tensions + new perspectives: kept apart as score_velocity.
                key = {"velocity": "score_velocity", "total": "cumulative", "cumulative": "cumulative"}[
                    extra.group("key").lower()
                ]
                raw = float(extra.group("value"))
                self._set_round(rnd, key, int(raw) if raw.is_integer() else raw, where)
            components = {m.group("k"): number(m.group("v")) for m in _COMPONENTS.finditer(value)}
            if components:
                data.setdefault("components", components)
        elif low in ("velocity", "alignment velocity"):
            velocity = number(value)
            if velocity is not None:
                self._set_round(rnd, "velocity", velocity, where)
        elif low == "panel":
            size = number(value)
            if size is not None:
                data.setdefault("panel_size", size)
        elif "convergence" in low or "converge" in low:
            percent = number(value)
            if percent is not None and "%" in value:
                data.setdefault("converge_percent", percent)

    def _participants(self, text: str) -> None:
        """``🧁 Muffin (Systems Architect) | 🧁 Cupcake (...)`` or ``💙 Judge, 🧁 Muffin, ...``."""
        for raw_line in text.split("\n"):
            line = raw_line.lstrip(" \t*+-")
            for part in split_any(line, "|,;"):
                if not part or len(part) > MAX_PARTICIPANT:
                    continue
                groups = paren_groups(part)
                role = groups[0].strip() or None if groups else None
                name = drop_parens(part).strip()
                if not strip_emoji(name):
                    continue
                self.b.expert(name, role=role)

    def _facts_table(self, table: Table, rnd: int | None, index: int, section: str) -> bool:
        """Two-column key/value tables: header tables (``| **Topic** | ... |``) and Metric/Value tables."""
        if len(table.keys) != 2:
            return False
        first = table.keys[0]
        if first not in ("", "metric", "key", "field", "property", "item") or (
            first == "item" and table.keys[1] != "value"
        ):
            return False
        if first == "" and table.keys[1] != "":
            return False
        for row in table.rows:
            key = strip_markup(row[0]).strip()
            if key:
                self._fact(key, row[1].strip(), rnd, index, section)
        return True
