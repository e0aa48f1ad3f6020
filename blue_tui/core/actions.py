"""The dashboard's one action registry: every key, footer entry, help line and palette command.

Each :class:`Action` has a stable id (``pane.verb``), its default keys, a description, the pane
it belongs to (``None``: everywhere) and whether it writes. The dashboard builds its key
bindings, its footer, the ``?`` help screen and the command palette from this list, so they
cannot drift apart (harlequin#753, #816). Users remap keys in ``$BLUE_HOME/config.yaml``::

    keys:
      app.quit: ctrl+q
      dialogues.import: I

:func:`load_keymap` checks the remapping here, without any UI: an unknown action id, a key that
two actions reachable at the same time would share, or a malformed file is one
:class:`KeymapError` naming the file and line.

Panes are registered here too (:data:`PANES`): adding a pane is one module under ``screens/``
plus one :class:`Pane` entry (its digit key comes with it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from blue_tui.core.errors import ConfigError

#: Characters whose key names differ from their Unicode names (Textual's convention).
_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
_MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")


@dataclass(frozen=True)
class Pane:
    id: str
    number: int
    title: str
    #: ``module:Class`` of its widget, imported when the pane is first shown.
    widget: str


@dataclass(frozen=True)
class Action:
    id: str
    keys: tuple[str, ...]
    description: str
    #: The pane (or sub-view, such as ``record``) it acts in; None: everywhere.
    pane: str | None
    #: The method called: ``action_<method>`` on the pane, or on the app for global actions.
    method: str
    writes: bool = False
    #: Shown in the footer (every action is in the help screen and the palette).
    footer: bool = True

    @property
    def group(self) -> str:
        return self.id.partition(".")[0]


PANES: tuple[Pane, ...] = (
    Pane("graph", 1, "Realm graph", "screens.graph:GraphPane"),
    Pane("contracts", 2, "Contracts", "screens.contracts:ContractsPane"),
    Pane("dialogues", 3, "Dialogues", "screens.dialogues:DialoguesPane"),
    Pane("sessions", 4, "Sessions", "screens.sessions:SessionsPane"),
    Pane("notifications", 5, "Notifications", "screens.notifications:NotificationsPane"),
)

#: Sub-views that live inside a pane and have their own actions.
SUBVIEWS = {"record": "dialogues"}


def _pane_actions() -> tuple[Action, ...]:
    return tuple(
        Action(f"app.pane.{p.id}", (str(p.number),), p.title, None, f"show_pane('{p.id}')", footer=False)
        for p in PANES
    )


ACTIONS: tuple[Action, ...] = (
    Action("app.quit", ("q",), "Quit", None, "quit"),
    Action("app.help", ("question_mark", "f1"), "Keys and help", None, "help"),
    Action("app.palette", ("ctrl+p", "colon"), "Command palette", None, "command_palette", footer=False),
    Action("app.refresh", ("r",), "Refresh", None, "refresh_pane"),
    Action("app.filter", ("slash",), "Filter", None, "filter"),
    Action("app.back", ("escape",), "Back", None, "go_back", footer=False),
    Action("app.screenshot", ("ctrl+s",), "Save a screenshot (SVG)", None, "screenshot", footer=False),
    Action("list.down", ("j",), "Down in the list", None, "list_move('down')", footer=False),
    Action("list.up", ("k",), "Up in the list", None, "list_move('up')", footer=False),
    Action("list.top", ("g",), "Top of the list", None, "list_move('top')", footer=False),
    Action("list.bottom", ("G",), "Bottom of the list", None, "list_move('bottom')", footer=False),
    *_pane_actions(),
    Action("realm.sync", ("s",), "Sync this repo", None, "realm_sync", writes=True),
    Action("realm.worktree", ("w",), "Worktrees", None, "realm_worktree", writes=True),
    Action("realm.prs", ("p",), "PR status", None, "realm_prs", writes=True),
    Action("graph.details", ("enter",), "Details", "graph", "details", footer=False),
    Action("contracts.versions", ("v",), "Pick versions", "contracts", "pick_versions"),
    Action("dialogues.open", ("enter",), "Open", "dialogues", "open", footer=False),
    Action("dialogues.sort", ("o",), "Sort", "dialogues", "sort"),
    Action("dialogues.reverse", ("O",), "Reverse order", "dialogues", "reverse", footer=False),
    Action("dialogues.import", ("i",), "Import", "dialogues", "import_files", writes=True),
    Action("sessions.details", ("enter",), "Details", "sessions", "details", footer=False),
    Action("notifications.ack", ("a",), "Acknowledge", "notifications", "ack", writes=True),
    Action("notifications.ack_all", ("A",), "Acknowledge all", "notifications", "ack_all", writes=True),
    Action("record.toggle", ("enter", "space"), "Expand/collapse", "record", "toggle_fold"),
    Action("record.next", ("tab",), "Next section", "record", "next_section"),
    Action("record.previous", ("shift+tab",), "Previous section", "record", "previous_section", footer=False),
    Action("record.expand_all", ("e",), "Expand all", "record", "expand_all"),
)

BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS}


class KeymapError(ConfigError):
    """``$BLUE_HOME/config.yaml`` remaps keys wrongly (unknown action, clash, bad value)."""


def normalize_key(key: str) -> str:
    """``?`` -> ``question_mark``, ``ctrl+/`` -> ``ctrl+slash``: one spelling per key."""
    key = key.strip()
    *mods, last = key.split("+") if len(key) > 1 else [key]
    if len(last) == 1 and not last.isalnum():
        try:
            name = unicodedata.name(last).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            name = last
        last = _KEY_NAME_REPLACEMENTS.get(name, name)
    return "+".join([*(m.lower() for m in mods), last])


def _key_problem(key: str) -> str | None:
    if not key:
        return "an empty key"
    *mods, last = key.split("+")
    bad = [m for m in mods if m not in _MODIFIERS]
    if bad:
        return f"unknown modifier {bad[0]!r} (use {', '.join(_MODIFIERS)})"
    if not last or any(c.isspace() for c in last) or len(last) > 40:
        return f"{key!r} is not a key name"
    return None


def reachable_together(a: Action, b: Action) -> bool:
    """Can one key press reach both? Global actions meet every pane and sub-view; two panes (or a
    pane and its sub-view: ``enter`` opens a dialogue in the list and expands a round in the
    record) have focus one at a time."""
    return a.pane is None or b.pane is None or a.pane == b.pane


def resolve(overrides: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every action's keys after ``overrides`` (already checked ids)."""
    return {a.id: overrides.get(a.id, a.keys) for a in ACTIONS}


def clashes(keys: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str, str]]:
    """``(key, action, action)`` for every key two actions reachable together share."""
    found = []
    owners: dict[str, list[Action]] = {}
    for action in ACTIONS:
        for key in keys.get(action.id, action.keys):
            owners.setdefault(key, []).append(action)
    for key, acts in owners.items():
        for i, a in enumerate(acts):
            for b in acts[i + 1 :]:
                if reachable_together(a, b):
                    found.append((key, a.id, b.id))
    return found


@dataclass(frozen=True)
class Keymap:
    """The checked remapping: action id -> keys (only the overridden ones)."""

    overrides: Mapping[str, tuple[str, ...]]
    source: str | None = None

    def keys(self, action_id: str) -> tuple[str, ...]:
        return self.overrides.get(action_id, BY_ID[action_id].keys)

    def textual(self) -> dict[str, str]:
        """The keymap as ``App.set_keymap`` takes it (binding id -> comma-separated keys)."""
        return {action_id: ",".join(keys) for action_id, keys in self.overrides.items()}


def parse_keymap(raw: object, *, source: str, line_of: Mapping[str, int | None] | None = None) -> Keymap:
    """Check a ``keys:`` mapping. ``line_of`` maps ``keys.<id>`` to its line for the messages."""
    lines = line_of or {}

    def where(key_path: str) -> str:
        line = lines.get(key_path)
        return f"{source}:{line}" if line else source

    if raw is None:
        return Keymap({}, source)
    if not isinstance(raw, Mapping):
        raise KeymapError(
            f"{where('keys')}: `keys` must be a mapping of action id to key(s)",
            hint="write it as `keys: {app.quit: ctrl+q}`; see docs/DASHBOARD.md",
        )
    overrides: dict[str, tuple[str, ...]] = {}
    for action_id, value in raw.items():
        path = f"keys.{action_id}"
        if action_id not in BY_ID:
            from difflib import get_close_matches

            close = get_close_matches(str(action_id), list(BY_ID), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise KeymapError(
                f"{where(path)}: unknown action {action_id!r}",
                hint=f"{hint}press ? in blue-tui, or see docs/DASHBOARD.md, for the action ids",
            )
        items: Iterable[object]
        if isinstance(value, str):
            items = value.split(",")
        elif isinstance(value, list):
            items = value
        else:
            raise KeymapError(
                f"{where(path)}: the key for {action_id!r} must be a string or a list of strings",
                hint="e.g. `app.quit: ctrl+q` or `app.quit: [q, ctrl+q]`",
            )
        keys = []
        for item in items:
            if not isinstance(item, str):
                raise KeymapError(f"{where(path)}: {item!r} is not a key name", hint="write keys as strings")
            key = normalize_key(item)
            problem = _key_problem(key)
            if problem:
                raise KeymapError(
                    f"{where(path)}: {problem}",
                    hint="key names as Textual spells them: see docs/DASHBOARD.md",
                )
            keys.append(key)
        if not keys:
            raise KeymapError(f"{where(path)}: no key given for {action_id!r}", hint="name at least one key")
        overrides[str(action_id)] = tuple(dict.fromkeys(keys))
    found = clashes(resolve(overrides))
    if found:
        key, a, b = next(((k, a, b) for k, a, b in found if a in overrides or b in overrides), found[0])
        mine = a if a in overrides else b
        raise KeymapError(
            f"{where(f'keys.{mine}')}: key {key!r} of {mine!r} clashes with {b if mine == a else a!r}",
            hint=f"pick another key for {mine!r}, or remap the other action too",
        )
    return Keymap(overrides, source)


def load_keymap(path: Path) -> Keymap:
    """The ``keys:`` block of ``$BLUE_HOME/config.yaml`` (other top-level keys belong to others)."""
    from blue_tui.core.realm.yamlfile import YamlError, parse_bytes

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Keymap({}, None)
    except OSError as exc:
        raise KeymapError(
            f"cannot read {path}: {exc.strerror}", hint="check the file's permissions"
        ) from None
    try:
        parsed = parse_bytes(raw)
    except YamlError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise KeymapError(f"{where}: {exc}", hint="fix the YAML, or move the file away") from None
    if parsed.issues:
        issue = parsed.issues[0]
        raise KeymapError(f"{path}:{issue.line}: {issue.message}", hint="keep one entry per action")
    data = parsed.data
    if data is None:
        return Keymap({}, str(path))
    if not isinstance(data, Mapping):
        raise KeymapError(f"{path}: the top level must be a mapping", hint="see docs/DASHBOARD.md")
    keys_block = data.get("keys")
    line_of = {
        p: parsed.line(p)
        for p in ["keys", *(f"keys.{k}" for k in (keys_block or {}) if isinstance(keys_block, Mapping))]
    }
    return parse_keymap(keys_block, source=str(path), line_of=line_of)


def actions_for(pane: str | None, *, read_only: bool = False) -> list[Action]:
    """The actions of one pane (or the global ones for ``None``), writes hidden when read-only."""
    return [a for a in ACTIONS if a.pane == pane and not (read_only and a.writes)]
