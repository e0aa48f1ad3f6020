"""Tables about the panel and the scores: expert panels, scoreboards, per-round tables.

``| Agent | Role | Tier | Relevance |`` registers the panel; ``| Agent | Wisdom | ... |
ALIGNMENT |`` and ``| Agent | R0 | R1 | Total |`` are scores per expert;
``| Round | W | C | T | R | Score | Velocity | Converge % |`` are facts per round. What
a table lists is told by its heading, else by its columns or ids (:meth:`_kind`).
"""

from __future__ import annotations

import re
from typing import Any

from blue_tui.core.store.mdimport.ids import parse_id
from blue_tui.core.store.mdimport.reader_base import ReaderBase
from blue_tui.core.store.mdimport.tables import Table, is_placeholder, number, strip_markup

ROUND_CELL = re.compile(r"^[ \t]*R?(?:ound[ \t]*)?(\d{1,3})[ \t]*$", re.I)
_PER_ROUND_COL = re.compile(r"^(?:r|round )(\d{1,3})$")
KIND_WORDS = (
    ("open item", "open"),
    ("perspective", "perspective"),
    ("tension", "tension"),
    ("recommendation", "recommendation"),
    ("evidence", "evidence"),
    ("claim", "claim"),
)
NAME_COLUMNS = ("expert", "agent", "pastry", "name", "participant", "member", "speaker", "persona")
SCORE_KEYS = {
    "w": "W",
    "wisdom": "W",
    "c": "C",
    "consistency": "C",
    "t": "T",
    "truth": "T",
    "r": "R",
    "relationships": "R",
}
TOTAL_KEYS = ("score", "total", "alignment", "points", "round total")
PANEL_SECTION = ("panel", "participant", "roster", "expert pool", "experts")
LETTER_KINDS = {
    "P": "perspective",
    "T": "tension",
    "R": "recommendation",
    "E": "evidence",
    "C": "claim",
    "O": "open",
}
MAX_CELL = 4000


class TablesMixin(ReaderBase):
    def _round_table(self, table: Table, where: str) -> None:
        for row in table.rows:
            match = ROUND_CELL.match(strip_markup(row[0][:MAX_CELL]))
            if not match:
                label = strip_markup(row[0][:MAX_CELL]).lower()
                if label.startswith("total"):
                    col = table.column(*TOTAL_KEYS)
                    value = number(row[col]) if col is not None else None
                    if value is not None:
                        self.b.totals.append((value, where))
                continue
            rnd = int(match.group(1))
            data = self.b.round(rnd)
            components: dict[str, Any] = {}
            for key, cell in zip(table.keys[1:], row[1:], strict=False):
                if is_placeholder(cell):
                    continue
                value = number(cell)
                if key in SCORE_KEYS and value is not None:
                    components[SCORE_KEYS[key]] = value
                elif key in ("score", "alignment", "total", "round score", "points") and value is not None:
                    self._set_round(rnd, "score", value, where)
                elif (
                    key in ("s", "cumulative", "cumulative score", "running total", "sum")
                    and value is not None
                ):
                    self._set_round(rnd, "cumulative", value, where)
                elif key in ("open t", "open tensions", "open") and value is not None:
                    self._set_round(rnd, "open_tensions", value, where)
                elif key in ("new p", "new perspectives", "new") and value is not None:
                    self._set_round(rnd, "new_perspectives", value, where)
                elif key == "velocity" and value is not None:
                    self._set_round(rnd, "velocity", value, where)
                elif key.startswith("converge") and value is not None:
                    self._set_round(rnd, "converge_percent", value, where)
                elif key:
                    data.setdefault(key.replace(" ", "_"), strip_markup(cell))
            if components:
                data.setdefault("components", components)

    def _kind(self, table: Table, stack: list[tuple[int, str]], id_col: int | None) -> str | None:
        """What a table lists: by its heading, else (tables with an ID column only) by a column or the ids."""
        for _, title in reversed([h for h in stack if h[0] >= 2][-2:]):
            low = strip_markup(title[:MAX_CELL]).lower()
            if any(word in low for word in PANEL_SECTION) and table.column(*NAME_COLUMNS) is not None:
                return "panel"
            for word, kind in KIND_WORDS:
                if word in low:
                    return kind
        if id_col is None:
            return None  # "| Tension | Resolution |" in a Judge's notes is not an inventory
        for word, kind in KIND_WORDS:
            if word in table.keys:
                return kind
        letters = set()
        for row in table.rows:
            ref = parse_id(strip_markup(row[id_col][:MAX_CELL]))
            if ref is None:
                if is_placeholder(row[id_col]):
                    continue
                return None
            letters.add(ref.letter)
        if len(letters) == 1:
            return LETTER_KINDS.get(letters.pop())
        return None

    def _expert_table(self, table: Table, name_col: int, rnd: int | None, where: str, headings: str) -> None:
        keys = table.keys
        is_panel = any(word in headings for word in PANEL_SECTION) and "score" not in headings
        per_round = {i: int(m.group(1)) for i, k in enumerate(keys) if (m := _PER_ROUND_COL.match(k))}
        score_cols = {i: SCORE_KEYS[k] for i, k in enumerate(keys) if k in SCORE_KEYS and i not in per_round}
        total_col = next((i for i, k in enumerate(keys) if k in TOTAL_KEYS and i != name_col), None)
        numeric_cells: list[int | float] = []
        for row in table.rows:
            name = row[name_col][:MAX_CELL]
            if is_placeholder(name) or strip_markup(name).lower() in ("total", "sum", "all", "totals"):
                if strip_markup(name).lower().startswith("total") and total_col is not None:
                    value = number(row[total_col])
                    if value is not None:
                        self.b.totals.append((value, where))
                continue
            attrs = self._expert_attrs(table, row, name_col, is_panel)
            slug = self.b.expert(name, **attrs)
            if slug is None:
                continue
            exp = self.b.experts[slug]
            for col, number_round in per_round.items():
                value = number(row[col])
                if value is not None:
                    numeric_cells.append(value)
                    self.b.expert_score(slug, number_round, value, where)
                    self.b.expert_round(slug, number_round)
                    self.b.round_expert(number_round, slug).setdefault("score", value)
            components = {
                letter: value for col, letter in score_cols.items() if (value := number(row[col])) is not None
            }
            numeric_cells.extend(components.values())
            total = number(row[total_col]) if total_col is not None else None
            if total is not None:
                numeric_cells.append(total)
            if rnd is not None and not per_round:
                entry = self.b.round_expert(rnd, slug)
                entry.update({k: v for k, v in components.items() if k not in entry})
                if total is not None:
                    entry.setdefault("score", total)
                    self.b.expert_score(slug, rnd, total, where)
                for col, key in enumerate(keys):
                    if col in (name_col, total_col) or col in score_cols or not key:
                        continue
                    cell = row[col]
                    if is_placeholder(cell) or key in ("role", "tier", "relevance", "emoji", "id"):
                        continue
                    value = number(cell) if key in ("confidence", "relevance") else None
                    entry.setdefault(
                        key.replace(" ", "_"), value if value is not None else strip_markup(cell)
                    )
            elif per_round and total is not None:
                if exp.total is not None and exp.total != total:
                    self.b.warn(f"{exp.name}'s total is {exp.total} in one place and {total} in {where}")
                elif exp.total is None:
                    exp.total = total
            elif total is not None or components:
                if total is not None and exp.total is None:
                    exp.total = total
                if components:
                    exp.fields.setdefault("components", components)
        if (score_cols or per_round or total_col is not None) and numeric_cells:
            self.b.score_tables.append((where, all(v == 0 for v in numeric_cells)))

    def _expert_attrs(self, table: Table, row: list[str], name_col: int, is_panel: bool) -> dict[str, Any]:
        attrs: dict[str, Any] = {}

        def cell(*names: str) -> str | None:
            col = table.column(*names)
            if col is None or col == name_col:
                return None
            value = row[col]
            return None if is_placeholder(value) else strip_markup(value)

        role = cell("role")
        if role is None and is_panel:
            role = cell("domain", "expertise", "specialty", "discipline")
        attrs["role"] = role
        tier = cell("tier")
        attrs["tier"] = tier[:1].upper() + tier[1:] if tier else None
        relevance = cell("relevance")
        attrs["relevance"] = number(relevance) if relevance else None
        attrs["emoji"] = cell("emoji")
        attrs["id"] = cell("id") if is_panel or table.keys[0] == "id" else None
        source = cell("source")
        attrs["source"] = source.lower() if source else None
        if is_panel:
            attrs["focus"] = cell("focus", "perspective", "expertise", "lens")
        return attrs
