"""`blue dialogue show`: the dialogue view (blue_tui.core.store.dialogue_view) printed.

The view decides what is shown and in which order; this module only paints it. In a terminal
tables, rules and the verbatim markdown are rendered by rich; piped, headings are ``== ``/``-- ``
lines and verbatim text is printed line for line (so every source line of an imported file can
be found in the output). Text is never read as rich markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from blue_tui.cli.output import stdout_console
from blue_tui.core.store.dialogue_blocks import Fact, Heading, Line, Table, Verbatim
from blue_tui.core.store.dialogue_view import build_view

if TYPE_CHECKING:
    from rich.console import Console

#: The view's style names in rich's words.
STYLES = {
    "bold": "bold",
    "dim": "dim",
    "warning": "yellow",
    "status.open": "yellow",
    "status.reopened": "yellow",
    "status.addressed": "cyan",
    "status.resolved": "green",
    "status.adopted": "green",
    "status.converged": "green",
    "status.rejected": "red",
    "status.abandoned": "red",
}


class _Printer:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.rich = console.is_terminal

    def line(self, text: str = "", style: str = "") -> None:
        from rich.text import Text

        self.console.print(Text(text, style=STYLES.get(style, "")), soft_wrap=True)

    def fact(self, label: str, value: str) -> None:
        from rich.text import Text

        line = Text()
        line.append(f"{label}: ", style="dim")
        line.append(value)
        self.console.print(line, soft_wrap=True)

    def heading(self, text: str, level: int = 1) -> None:
        from rich.rule import Rule
        from rich.text import Text

        if self.rich:
            # Text, not a markup string: headings hold "[...]" that must print as written.
            self.console.print(Rule(Text(text), align="left", style="blue" if level == 1 else "dim"))
        else:
            self.line("")
            self.line(("== " if level == 1 else "-- ") + text)

    def verbatim(self, text: str) -> None:
        """Markdown kept from the source: rendered in a terminal, line for line when piped."""
        if not text.strip():
            return
        if self.rich:
            from rich.markdown import Markdown

            self.console.print(Markdown(text, code_theme="ansi_dark"))
        else:
            for raw in text.split("\n"):
                self.line(raw)

    def table(self, table: Table) -> None:
        from rich import box
        from rich.table import Table as RichTable
        from rich.text import Text

        grid = RichTable(
            title=table.title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False, title_style="bold"
        )
        for column in table.columns:
            grid.add_column(column, overflow="fold")
        for row in table.rows:
            grid.add_row(*(Text(cell.text, style=STYLES.get(cell.style, "")) for cell in row))
        self.console.print(grid)


def render_dialogue(doc: Mapping[str, Any]) -> None:
    printer = _Printer(stdout_console())
    for section in build_view(doc).sections:
        for block in section.blocks:
            if isinstance(block, Heading):
                printer.heading(block.text, block.level)
            elif isinstance(block, Fact):
                printer.fact(block.label, block.value)
            elif isinstance(block, Line):
                printer.line(block.text, block.style)
            elif isinstance(block, Table):
                printer.table(block)
            elif isinstance(block, Verbatim):
                printer.verbatim(block.text)
