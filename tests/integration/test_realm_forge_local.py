"""The local forge's record store: concurrent writers on the realm remote never lose a record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from realm_builders import git, isolate
from realm_git_world import World, make_world

from blue_tui.core.realm.forge.refstore import RefStore

pytestmark = pytest.mark.integration


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    isolate(tmp_path, monkeypatch)
    return make_world(tmp_path)


def test_a_writer_landing_between_read_and_push_is_retried_on_top(world: World) -> None:
    alice, bob = world.dev("alice", "aperture"), world.dev("bob", "fungal")
    mine = RefStore(alice.settings, "letemcook", alice.clone)
    theirs = RefStore(bob.settings, "letemcook", bob.clone)
    calls: list[dict[str, Any]] = []

    def mutate(records: dict[str, Any]) -> tuple[dict[str, Any], int]:
        calls.append(dict(records))
        if len(calls) == 1:  # another clone records first, after we read the tip
            theirs.update("prs/", lambda r: ({"prs/web/1.json": {"number": 1}}, None), "theirs")
        return {f"prs/aperture/{len(records) + 1}.json": {"number": len(records) + 1}}, len(calls)

    assert mine.update("prs/", mutate, "mine") == 2
    assert calls[0] == {} and list(calls[1]) == ["prs/web/1.json"]
    names = git(world.remote, "ls-tree", "-r", "--name-only", "blue/forge").splitlines()
    assert names == ["prs/aperture/2.json", "prs/web/1.json"]
    assert theirs.refresh()
    assert set(theirs.read("prs/")) == {"prs/aperture/2.json", "prs/web/1.json"}


def test_without_a_remote_the_local_branch_is_compare_and_swapped(world: World) -> None:
    alice = world.dev("alice", "aperture")
    alice.git("remote", "remove", "origin")
    store = RefStore(alice.settings, "letemcook", alice.clone)
    store.update("plans/", lambda r: ({"plans/a.json": {"a": 1}}, None), "a")
    store.update("plans/", lambda r: ({"plans/b.json": {"b": len(r)}}, None), "b")
    assert store.read("plans/") == {"plans/a.json": {"a": 1}, "plans/b.json": {"b": 1}}
    assert alice.git("rev-parse", "--abbrev-ref", "HEAD") == "main"  # the working tree was never touched
