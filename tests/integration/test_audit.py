"""The crypto audit chain: linear under concurrent writers (threads and processes), and tamper-evident."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest

from blue_tui.cli import main
from blue_tui.core.aws import dynamodb_client
from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import GENESIS_HASH, TraceContext
from blue_tui.core.store.audit_log import AuditLog
from blue_tui.core.store.dialogue_store import DialogueStore
from blue_tui.core.store.sources import ParsedDialogue
from tests.conftest import FIXTURES, run_blue

SAMPLE = FIXTURES / "dialogues" / "local-prod-parity.dialogue.json"


def append(log: AuditLog, n: int, operation: str = "open") -> None:
    trace = TraceContext.new()
    for _ in range(n):
        log.append(operation=operation, key_id="dek#x#v1", principal="p@example.com", trace=trace.child())


def _append_in_process(env: dict[str, str], n: int) -> None:
    append(AuditLog(Settings.from_env(env)), n, "import")


def test_chain_shape_and_verification(settings: Settings) -> None:
    log = AuditLog(settings)
    append(log, 3)
    events = log.events()
    assert [e.seq for e in events] == [0, 1, 2]
    assert events[0].previous_hash == GENESIS_HASH
    assert all(b.previous_hash == a.event_hash for a, b in itertools.pairwise(events))
    assert all(e.computed_hash() == e.event_hash for e in events)
    assert [e.event_id[14] for e in events] == ["7", "7", "7"]  # UUIDv7
    assert log.verify().as_json() == {
        "ok": True,
        "events": 3,
        "first_bad": None,
        "reason": None,
        "kind": None,
        "head": {"seq": 2, "hash": events[2].event_hash},
    }


def test_concurrent_writers_cannot_fork_the_chain(settings: Settings, blue_env: dict[str, str]) -> None:
    log = AuditLog(settings)
    threads = [threading.Thread(target=append, args=(AuditLog(settings), 5)) for _ in range(4)]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_in_process, args=(blue_env, 5)) for _ in range(2)]
    for worker in [*threads, *procs]:
        worker.start()
    for t in threads:
        t.join(120)
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    events = log.events()
    assert len(events) == 30 and [e.seq for e in events] == list(range(30))
    assert sorted(e.operation for e in events).count("import") == 10
    assert log.verify().ok


def _event_items(settings: Settings) -> list[dict[str, Any]]:
    client = dynamodb_client(settings)
    items = client.query(
        TableName=settings.table,
        KeyConditionExpression="PK = :p AND begins_with(SK, :e)",
        ExpressionAttributeValues={":p": {"S": "audit#crypto"}, ":e": {"S": "event#"}},
    )["Items"]
    return items


@pytest.mark.parametrize(
    "attack",
    [
        "edit",
        "delete-middle",
        "truncate-tail",
        "recompute-one",
        "cleartext-timestamp",
        "cleartext-entity-type",
    ],
)
def test_tampering_is_found(settings: Settings, capsys: pytest.CaptureFixture[str], attack: str) -> None:
    log = AuditLog(settings)
    append(log, 5)
    client = dynamodb_client(settings)
    items = _event_items(settings)
    target = json.loads(items[2]["event"]["S"])
    if attack == "edit":
        target["principal"] = "mallory@example.com"
        items[2]["event"]["S"] = json.dumps(target)
        client.put_item(TableName=settings.table, Item=items[2])
        expected = target["event_id"]
    elif attack == "recompute-one":
        # Recomputing the edited event's own hash breaks the link from its successor.
        from blue_tui.core.crypto.audit import AuditEvent

        target["outcome"] = "denied"
        event = AuditEvent(**{k: v for k, v in target.items() if k != "event_hash"})
        target["event_hash"] = event.computed_hash()
        items[2]["event"]["S"] = json.dumps(target)
        client.put_item(TableName=settings.table, Item=items[2])
        expected = json.loads(items[3]["event"]["S"])["event_id"]
    elif attack.startswith("cleartext-"):
        # The cleartext copies beside the hashed event are checked against it.
        name = attack.removeprefix("cleartext-").replace("-", "_")
        items[2][name] = {"S": "2020-01-01T00:00:00.000Z" if name == "timestamp" else "dialogue"}
        client.put_item(TableName=settings.table, Item=items[2])
        expected = target["event_id"]
    elif attack == "delete-middle":
        client.delete_item(TableName=settings.table, Key={"PK": items[2]["PK"], "SK": items[2]["SK"]})
        expected = json.loads(items[3]["event"]["S"])["event_id"]
    else:
        for item in items[3:]:
            client.delete_item(TableName=settings.table, Key={"PK": item["PK"], "SK": item["SK"]})
        expected = "head"
    report = log.verify()
    assert report.ok is False and report.first_bad == expected and report.reason
    capsys.readouterr()
    assert main(["audit", "verify", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["first_bad"] == expected and out["events"] < 5
    assert main(["audit", "log", "--json", "--limit", "2"]) == 0
    assert len(json.loads(capsys.readouterr().out)["events"]) == 2


def test_traceparent_is_honoured() -> None:
    trace = TraceContext.new({"TRACEPARENT": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
    assert trace.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736" and trace.span_id != "00f067aa0ba902b7"
    assert len(TraceContext.new({"TRACEPARENT": "garbage"}).trace_id) == 32


def _truncate(settings: Settings, keep: int) -> None:
    """Delete every event after the first ``keep`` and move the head back to the last one kept."""
    client = dynamodb_client(settings)
    items = _event_items(settings)
    for item in items[keep:]:
        client.delete_item(TableName=settings.table, Key={"PK": item["PK"], "SK": item["SK"]})
    last = json.loads(items[keep - 1]["event"]["S"])
    client.put_item(
        TableName=settings.table,
        Item={
            "PK": {"S": "audit#crypto"},
            "SK": {"S": "head"},
            "entity_type": {"S": "audit-head"},
            "seq": {"N": str(last["seq"])},
            "hash": {"S": last["event_hash"]},
            "event_id": {"S": last["event_id"]},
        },
    )


def test_a_truncated_tail_with_the_head_moved_back_is_caught(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = DialogueStore(settings)
    store.import_dialogue(ParsedDialogue(str(SAMPLE), json.loads(SAMPLE.read_text())))
    store.open("local-prod-parity")  # wrap_dek, import, open: the local mark names event 2
    assert [e.operation for e in AuditLog(settings).events()] == ["wrap_dek", "import", "open"]
    _truncate(settings, keep=2)

    report = AuditLog(settings).verify()
    assert (report.ok, report.kind, report.first_bad, report.events) == (False, "rolled-back", "head", 2)
    assert "removed from the end" in (report.reason or "")
    capsys.readouterr()
    assert main(["audit", "verify", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "rolled-back" and out["first_bad"] == "head"
    assert main(["audit", "verify"]) == 1
    assert "rolled-back" in capsys.readouterr().err


def test_an_anchor_kept_elsewhere_proves_the_chain_still_holds_it(
    blue_env: dict[str, str], settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(AuditLog(settings), 4)
    capsys.readouterr()
    assert main(["audit", "anchor", "--json"]) == 0
    anchor = json.loads(capsys.readouterr().out)
    last = AuditLog(settings).events()[-1]
    assert (anchor["seq"], anchor["hash"]) == (3, last.event_hash)
    assert anchor["anchor"] == f"3:{last.event_hash}" and anchor["table"] == settings.table
    done = run_blue("audit", "anchor", env=blue_env)
    assert done.returncode == 0 and done.stdout == f"3:{last.event_hash}\n"
    assert main(["audit", "verify", "--anchor", anchor["anchor"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True

    # Cut back, and read on another machine (no local mark): only the anchor can tell.
    _truncate(settings, keep=2)
    other = {**blue_env, "BLUE_HOME": str(tmp_path / "elsewhere")}
    assert run_blue("audit", "verify", env=other).returncode == 0  # the documented limit
    done = run_blue("audit", "verify", "--anchor", anchor["anchor"], "--json", env=other)
    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["kind"] == "rolled-back" and out["first_bad"] == "head" and "anchor 3:" in out["reason"]

    # Rewritten instead of cut: the event at that number is another one.
    append(AuditLog(settings), 3)
    done = run_blue("audit", "verify", "--anchor", anchor["anchor"], "--json", env=other)
    out = json.loads(done.stdout)
    assert done.returncode == 1 and out["kind"] == "tampered" and "rewritten" in out["reason"]


@pytest.mark.parametrize("bad", ["3", "x:" + "a" * 64, "3:" + "a" * 63, "-1:" + "a" * 64, "3:" + "g" * 64])
def test_a_malformed_anchor_is_a_usage_error(
    settings: Settings, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    assert main(["audit", "verify", f"--anchor={bad}"]) == 64
    err = capsys.readouterr().err
    assert "--anchor" in err and "SEQ:HASH" in err and "Traceback" not in err


def test_anchor_refuses_a_broken_or_empty_chain(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "anchor"]) == 1
    assert "empty" in capsys.readouterr().err
    append(AuditLog(settings), 3)
    client = dynamodb_client(settings)
    item = _event_items(settings)[1]
    client.delete_item(TableName=settings.table, Key={"PK": item["PK"], "SK": item["SK"]})
    assert main(["audit", "anchor"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "broken" in captured.err and "blue audit verify" in captured.err
