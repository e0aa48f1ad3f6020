"""The dashboard's one realm load (Services.shared_realm): shared by every caller, loaded again
on a refresh, never keeping a failure; and the preload at start-up leaves problems to the next
caller. Real git repos."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.realm.errors import RealmNotFound
from blue_tui.core.services import Services
from tests.realm_builders import sample_realm

pytestmark = pytest.mark.integration


def services_for(tmp_path: Path, realm: Path) -> Services:
    settings = Settings.from_env({"HOME": str(tmp_path), "BLUE_HOME": str(tmp_path / ".blue")})
    return Services(settings, realm=str(realm), cwd=tmp_path)


def test_callers_at_once_share_one_load(tmp_path: Path) -> None:
    services = services_for(tmp_path, sample_realm(tmp_path / "realm").root)
    results: list[object] = []
    callers = [threading.Thread(target=lambda: results.append(services.shared_realm())) for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(60)
    assert len(results) == 4
    assert all(r is results[0] for r in results)  # one (located, realm): loaded once
    _, realm = services.shared_realm()
    assert realm.name == "letemcook" and realm.repos


def test_a_refresh_loads_the_new_commit_and_then_sees_it_before_returning(tmp_path: Path) -> None:
    builder = sample_realm(tmp_path / "realm")
    services = services_for(tmp_path, builder.root)
    _, first = services.shared_realm()
    builder.repo("zeta")
    builder.commit("add zeta")
    assert "zeta" not in services.shared_realm()[1].repos  # the shared load, as it was
    assert services.shared_realm(max_age=60)[1] is first  # recent enough
    seen: list[str] = []
    _, again = services.shared_realm(max_age=0, then=lambda located, realm: seen.extend(realm.repos))
    assert "zeta" in again.repos and "zeta" in seen and again is not first
    assert services.shared_realm()[1] is again  # and it is the one shared from now on


def test_a_failed_load_is_not_kept_and_the_preload_leaves_it_to_the_next_caller(tmp_path: Path) -> None:
    missing = tmp_path / "realm"
    services = services_for(tmp_path, missing)
    preload = services.preload_realm()  # fails on its thread, silently
    preload.join(30)
    assert not preload.is_alive()
    with pytest.raises(RealmNotFound, match="does not exist"):
        services.shared_realm()
    sample_realm(missing)  # the user fixes it: the next call loads it
    assert services.shared_realm()[1].name == "letemcook"
