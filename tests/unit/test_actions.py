"""The action registry and the key remapping read from $BLUE_HOME/config.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from blue_tui.core.actions import (
    ACTIONS,
    BY_ID,
    PANES,
    KeymapError,
    actions_for,
    clashes,
    load_keymap,
    normalize_key,
    resolve,
)


def test_registry_ids_are_unique_and_default_keys_do_not_clash() -> None:
    assert len(BY_ID) == len(ACTIONS)
    assert clashes(resolve({})) == []


def test_every_pane_has_a_digit_and_the_issue_keys_exist() -> None:
    assert [(p.number, p.id) for p in PANES] == [
        (1, "graph"),
        (2, "contracts"),
        (3, "dialogues"),
        (4, "sessions"),
        (5, "notifications"),
    ]
    for pane in PANES:
        assert BY_ID[f"app.pane.{pane.id}"].keys == (str(pane.number),)
    keys = {k for a in ACTIONS if a.pane is None for k in a.keys}
    assert {"slash", "escape", "j", "k", "g", "G", "r", "q", "question_mark"} <= keys
    # issue 13's realm workflows, everywhere; issue 12's acknowledgement in its pane
    assert [(BY_ID[i].keys, BY_ID[i].pane) for i in ("realm.sync", "realm.worktree", "realm.prs")] == [
        (("s",), None),
        (("w",), None),
        (("p",), None),
    ]
    assert (BY_ID["notifications.ack"].keys, BY_ID["notifications.ack"].pane) == (("a",), "notifications")


def test_read_only_drops_the_actions_that_write() -> None:
    writes = [a.id for a in ACTIONS if a.writes]
    assert writes == [
        "realm.sync",
        "realm.worktree",
        "realm.prs",
        "dialogues.import",
        "notifications.ack",
        "notifications.ack_all",
    ]
    assert "dialogues.import" not in [a.id for a in actions_for("dialogues", read_only=True)]
    assert "dialogues.import" in [a.id for a in actions_for("dialogues")]
    assert [a.id for a in actions_for("notifications", read_only=True)] == []
    assert not {"realm.sync", "realm.worktree", "realm.prs"} & {
        a.id for a in actions_for(None, read_only=True)
    }


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("?", "question_mark"), ("/", "slash"), ("ctrl+/", "ctrl+slash"), ("G", "G"), (":", "colon")],
)
def test_keys_have_one_spelling(raw: str, normal: str) -> None:
    assert normalize_key(raw) == normal


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_means_default_keys(tmp_path: Path) -> None:
    keymap = load_keymap(tmp_path / "config.yaml")
    assert keymap.overrides == {} and keymap.keys("app.quit") == ("q",)


def test_remap_is_read_and_other_top_level_keys_are_left_alone(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme: dark\nkeys:\n  app.quit: ctrl+q\n  app.help: ["?", h]\n')
    keymap = load_keymap(path)
    assert keymap.keys("app.quit") == ("ctrl+q",)
    assert keymap.keys("app.help") == ("question_mark", "h")
    assert keymap.textual() == {"app.quit": "ctrl+q", "app.help": "question_mark,h"}


def test_unknown_action_names_the_file_line_and_a_close_id(tmp_path: Path) -> None:
    path = write(tmp_path, "keys:\n  app.quit: ctrl+q\n  app.qiut: x\n")
    with pytest.raises(KeymapError) as err:
        load_keymap(path)
    assert err.value.message == f"{path}:3: unknown action 'app.qiut'"
    assert "did you mean 'app.quit'?" in (err.value.hint or "")


def test_a_clash_names_both_actions(tmp_path: Path) -> None:
    path = write(tmp_path, "keys:\n  dialogues.sort: r\n")
    with pytest.raises(KeymapError) as err:
        load_keymap(path)
    assert err.value.message == f"{path}:2: key 'r' of 'dialogues.sort' clashes with 'app.refresh'"


def test_a_pane_key_may_repeat_in_another_pane(tmp_path: Path) -> None:
    keymap = load_keymap(write(tmp_path, "keys:\n  contracts.versions: o\n"))
    assert keymap.keys("contracts.versions") == ("o",)  # dialogues.sort has o, but never at the same time


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("keys: [a, b]\n", ":1: `keys` must be a mapping"),
        ("keys:\n  app.quit: 3\n", ":2: the key for 'app.quit' must be a string or a list of strings"),
        ("keys:\n  app.quit: hyper+fn+q\n", ":2: unknown modifier 'fn'"),
        ("keys:\n  app.quit: ''\n", ":2: an empty key"),
        ("keys:\n  app.quit: q\n  app.quit: x\n", "duplicate"),
        ("keys: {app.quit: [q\n", "config.yaml"),
        ("- just\n- a list\n", "the top level must be a mapping"),
    ],
)
def test_bad_files_get_one_clear_message(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(KeymapError) as err:
        load_keymap(path)
    assert message in err.value.message
    assert err.value.hint
