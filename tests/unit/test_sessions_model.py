"""The sessions layer's rules without files: change types, dedup keys, text cleaning, schema
recognition, staleness, viewers and the TTL setting."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from blue_tui.core.config import Settings
from blue_tui.core.errors import ConfigError
from blue_tui.core.realm.model import Binding, Contract, Domain, Import, Realm
from blue_tui.core.sessions import (
    ContractChange,
    SessionsDbForeign,
    SessionsDbNewer,
    Viewer,
    schema,
    ttl_seconds,
)
from blue_tui.core.sessions.liveness import judge, this_host
from blue_tui.core.sessions.model import ago, clean_text
from blue_tui.core.sessions.realmview import participating_domains, viewer_for

DB = Path("sessions.db")


def change(**kw: object) -> ContractChange:
    base: dict[str, object] = {
        "realm": "letemcook",
        "domain": "s3-access",
        "contract": "s3-permissions",
        "from_repo": "aperture",
        "to_version": "1.4.0",
        "from_version": "1.3.0",
        "compatible": True,
    }
    return ContractChange(**(base | kw))  # type: ignore[arg-type]


def test_the_checkers_verdict_decides_the_change_type() -> None:
    assert change().change_type == "updated"
    assert change(compatible=False, to_version="2.0.0").change_type == "breaking"
    assert change(compatible=None).change_type == "updated"
    assert change(from_version=None, compatible=None).change_type == "new"


def test_the_same_change_has_one_key_and_another_change_another() -> None:
    assert change().key == change(summary="other words", commit="abc").key
    assert change().key != change(to_version="1.5.0").key
    assert change().key != change(domain="other").key
    # Separators cannot be forged through names: "a" + "b/c" differs from "a/b" + "c".
    assert change(domain="a", contract="b\x1fc").key != change(domain="a\x1fb", contract="c").key


def test_clean_text_removes_terminal_escapes_and_bidi_overrides() -> None:
    hostile = "ok\x1b]0;pwned\x07 \x1b[2J\u202eevil\u202c\nnext\tline\x9b31m"
    cleaned = clean_text(hostile)
    assert cleaned is not None
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert "\u202e" not in cleaned and "\x1b" not in cleaned
    assert cleaned.startswith("ok]0;pwned [2Jevil next line")
    assert clean_text("x" * 500, 20) == "x" * 19 + "…"
    assert clean_text(None) is None


def test_ages_read_like_a_person_would_say_them() -> None:
    assert [ago(s) for s in (0, 4, 89, 300, 5000, 7200, 86400 * 3)] == [
        "0s",
        "4s",
        "89s",
        "5 min",
        "83 min",
        "2 h",
        "3 d",
    ]


# ---- schema recognition --------------------------------------------------------------------------


def test_an_empty_file_is_fresh_and_our_schema_is_current() -> None:
    assert schema.classify(DB, 0, 0, []) == "fresh"
    objects = schema.expected_objects(schema.SCHEMA_VERSION)
    assert schema.classify(DB, schema.APPLICATION_ID, schema.SCHEMA_VERSION, objects) == "current"


def test_another_programs_database_is_foreign() -> None:
    with pytest.raises(SessionsDbForeign, match="belongs to another program"):
        schema.classify(DB, 0x12345678, 1, [("table", "t", "t", "CREATE TABLE t (x)")])
    with pytest.raises(SessionsDbForeign, match="has tables blue did not make") as err:
        schema.classify(DB, 0, 0, [("table", "t", "t", "CREATE TABLE t (x)")])
    assert "blue session reset" in (err.value.hint or "")


def test_a_planted_trigger_makes_the_file_foreign() -> None:
    objects = set(schema.expected_objects(schema.SCHEMA_VERSION))
    planted = (
        "trigger",
        "spin",
        "sessions",
        "CREATE TRIGGER spin AFTER INSERT ON sessions BEGIN SELECT 1; END",
    )
    with pytest.raises(SessionsDbForeign, match="unexpected trigger spin"):
        schema.classify(DB, schema.APPLICATION_ID, schema.SCHEMA_VERSION, objects | {planted})


def test_a_changed_table_definition_makes_the_file_foreign() -> None:
    objects = {o for o in schema.expected_objects(schema.SCHEMA_VERSION) if o[1] != "acks"}
    objects.add(("table", "acks", "acks", "CREATE TABLE acks (x)"))
    with pytest.raises(SessionsDbForeign, match="schema differs"):
        schema.classify(DB, schema.APPLICATION_ID, schema.SCHEMA_VERSION, objects)


def test_a_newer_schema_is_refused_with_the_versions() -> None:
    with pytest.raises(SessionsDbNewer, match=f"version {schema.SCHEMA_VERSION + 1}; this blue knows up to"):
        schema.classify(DB, schema.APPLICATION_ID, schema.SCHEMA_VERSION + 1, [])


def test_migrations_build_exactly_the_expected_objects() -> None:
    conn = sqlite3.connect(":memory:")
    for statements in schema.MIGRATIONS:
        for sql in statements:
            conn.execute(sql)
    names = {row[1] for row in conn.execute(schema.OBJECTS_SQL)}
    assert {"sessions", "notifications", "acks", "revisions", "sessions_beat"} <= names
    assert frozenset(conn.execute(schema.OBJECTS_SQL).fetchall()) == schema.expected_objects(
        schema.SCHEMA_VERSION
    )


# ---- staleness -------------------------------------------------------------------------------------


def test_heartbeat_age_decides_active_late_and_stale() -> None:
    me, now = os.getpid(), 1_000_000.0
    assert judge(this_host(), me, None, now - 5, now) == "active"
    assert judge(this_host(), me, None, now - 20, now) == "late"
    assert judge(this_host(), me, None, now - 31, now) == "stale"


def test_a_dead_pid_on_this_host_is_stale_at_once_but_elsewhere_only_by_age() -> None:
    now = 1_000_000.0
    dead = 2**22 + 12345  # above the default pid_max
    assert judge(this_host(), dead, None, now - 1, now) == "stale"
    assert judge("another-host", dead, None, now - 1, now) == "active"
    assert judge("another-host", dead, None, now - 31, now) == "stale"


def test_a_reused_pid_is_told_apart_by_its_start_time() -> None:
    from blue_tui.core.sessions.liveness import process_start

    now = 1_000_000.0
    start = process_start(os.getpid())
    assert start is not None  # Linux: /proc is there
    assert judge(this_host(), os.getpid(), start, now - 1, now) == "active"
    assert judge(this_host(), os.getpid(), start + 1, now - 1, now) == "stale"


# ---- viewers -------------------------------------------------------------------------------------------


def realm() -> Realm:
    r = Realm(root=Path("realm"), meta=None)
    r.domains = {
        "s3-access": Domain("s3-access", members=("aperture", "fungal")),
        "billing": Domain("billing", members=("web",)),
        "metrics": Domain("metrics", members=("aperture",)),
    }
    r.contracts = {("search", "index"): Contract("search", "index", "1.0.0", "fungal")}
    r.bindings = {
        ("billing", "fungal"): Binding("billing", "fungal", imports=(Import("invoice", "^1"),)),
    }
    return r


def test_a_repo_takes_part_as_member_binding_or_owner() -> None:
    assert participating_domains(realm(), "fungal") == {"s3-access", "billing", "search"}
    assert participating_domains(realm(), "aperture") == {"s3-access", "metrics"}
    assert participating_domains(realm(), "nobody") == frozenset()


def test_viewers_filter_by_realm_and_domain() -> None:
    v = viewer_for(realm(), "aperture")
    assert v.realm == "realm" and v.repo == "aperture"
    assert v.sees("realm", "metrics") and not v.sees("realm", "billing") and not v.sees("other", "metrics")
    everything = viewer_for(realm(), None)
    assert everything.domains is None and everything.sees("realm", "billing")
    assert Viewer().sees("any", "thing")
    assert Viewer(domains=frozenset()).sees("any", "thing") is False


def test_the_ttl_comes_from_the_environment_and_bad_values_are_named() -> None:
    assert ttl_seconds(Settings.from_env({"HOME": "/h"})) == 7 * 86400
    assert ttl_seconds(Settings.from_env({"HOME": "/h", "BLUE_NOTIFICATIONS_TTL_DAYS": "0.5"})) == 43200
    for bad in ("soon", "0", "-3", "99999"):
        with pytest.raises(ConfigError, match="BLUE_NOTIFICATIONS_TTL_DAYS"):
            ttl_seconds(Settings.from_env({"HOME": "/h", "BLUE_NOTIFICATIONS_TTL_DAYS": bad}))
