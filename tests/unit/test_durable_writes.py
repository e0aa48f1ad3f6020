"""A new key file (and the high-water mark) survives a crash: its folder is fsynced after the
link or rename that put it in place, not only the file's bytes.

The file system calls are observed (and still performed): each fsync is recorded with
what it was applied to, so the test sees whether the folder entry was made durable.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import Anchor
from blue_tui.core.crypto.local_provider import LocalFileKeyProvider
from blue_tui.core.store.highwater import DialogueMark, HighWater, HighWaterError


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    real_fsync, real_link, real_replace = os.fsync, os.link, os.replace

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        seen.append(("fsync-dir" if stat.S_ISDIR(info.st_mode) else "fsync-file", info.st_ino))
        real_fsync(fd)

    def link(src: str, dst: str, **kw: Any) -> None:
        real_link(src, dst, **kw)
        seen.append(("link", Path(dst)))

    def replace(src: str, dst: str, **kw: Any) -> None:
        real_replace(src, dst, **kw)
        seen.append(("replace", Path(dst)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "link", link)
    monkeypatch.setattr(os, "replace", replace)
    return seen


def _folder_synced_after(calls: list[tuple[str, object]], placed: str, target: Path) -> bool:
    index = calls.index((placed, target))
    folder = target.parent.stat().st_ino
    file_synced_before = any(kind == "fsync-file" for kind, _ in calls[:index])
    return file_synced_before and ("fsync-dir", folder) in calls[index + 1 :]


@pytest.mark.parametrize("replace", [False, True], ids=["first key (link)", "reset key (replace)"])
def test_the_key_folder_is_fsynced_after_the_key_is_put_in_place(
    tmp_path: Path, calls: list[tuple[str, object]], replace: bool
) -> None:
    provider = LocalFileKeyProvider(tmp_path / "blue" / "keys" / "umk.key")
    if replace:
        provider.create()
        calls.clear()
    provider.create(replace=replace)
    assert _folder_synced_after(calls, "replace" if replace else "link", provider.umk_path), calls


def test_the_high_water_mark_is_written_durably_and_privately(
    tmp_path: Path, calls: list[tuple[str, object]]
) -> None:
    settings = Settings.from_env({"HOME": str(tmp_path), "BLUE_TABLE": "t_durable"})
    marks = HighWater(settings, "crypto")
    marks.record(dialogues={"d": DialogueMark(2, "ab" * 32)}, audit=Anchor(7, "cd" * 32))
    assert _folder_synced_after(calls, "replace", marks.path), calls
    assert (marks.path.stat().st_mode & 0o777) == 0o600
    assert (marks.path.parent.stat().st_mode & 0o777) == 0o700
    # Marks only rise.
    marks.record(dialogues={"d": DialogueMark(1, "ef" * 32)}, audit=Anchor(3, "01" * 32))
    assert marks.dialogue("d") == DialogueMark(2, "ab" * 32) and marks.audit_head() == Anchor(7, "cd" * 32)
    marks.record(dialogues={"d": DialogueMark(3, "ef" * 32)}, audit=Anchor(9, "01" * 32))
    assert marks.dialogue("d") == DialogueMark(3, "ef" * 32) and marks.audit_head() == Anchor(9, "01" * 32)


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"format": 2, "stores": {}}',
        '{"format": 1, "stores": {"%s": []}}',
        '{"format": 1, "stores": {"%s": {"dialogues": {"d": {"gen": "two"}}}}}',
        '{"format": 1, "stores": {"%s": {"audit": {"crypto": 7}}}}',
    ],
)
def test_a_malformed_high_water_file_is_named_never_overwritten(tmp_path: Path, text: str) -> None:
    settings = Settings.from_env({"HOME": str(tmp_path), "BLUE_TABLE": "t_durable"})
    marks = HighWater(settings, "crypto")
    marks.path.parent.mkdir(parents=True)
    marks.path.write_text(text.replace("%s", marks.scope))
    for attempt in (
        lambda: marks.dialogue("d"),
        marks.audit_head,
        lambda: marks.record(audit=Anchor(1, "ab" * 32)),
    ):
        with pytest.raises(HighWaterError) as err:
            attempt()
        assert str(marks.path) in err.value.message and err.value.hint
    assert marks.path.read_text() == text.replace("%s", marks.scope)
