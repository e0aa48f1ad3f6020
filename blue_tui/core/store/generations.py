"""Generations of a dialogue: claiming a number, committing the root, clearing old ones.

A write claims a generation no other writer will use (``ADD next_gen 1`` on the root),
writes its items beside the committed ones, then commits by moving the root in one
transaction with the audit event (docs/ENVELOPE.md section 5). ``next_gen`` is a
cleartext counter anyone with write access can set back; a claim is therefore only
taken when it lies above every generation known from authenticated sources (the
root's encrypted payload, the audit log's marker, this machine's high-water mark), and
the counter is first raised past them when it does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import botocore.exceptions

from blue_tui.core.aws import dynamodb_client, error_code
from blue_tui.core.config import Settings
from blue_tui.core.crypto.audit import utc_timestamp
from blue_tui.core.errors import ConcurrentWrite
from blue_tui.core.store import table as tbl
from blue_tui.core.store.reader import ROOT_SK, sk_generation
from blue_tui.core.store.sealing import pk_for

MAX_CLAIM_ATTEMPTS = 4


def claim_generation(settings: Settings, dialogue_id: str, *, above: int = 0) -> int:
    """A generation number no other writer will ever use, and greater than ``above``."""
    client = dynamodb_client(settings)
    key = {"PK": {"S": pk_for(dialogue_id)}, "SK": {"S": ROOT_SK}}
    with tbl.translated(settings):
        for _ in range(MAX_CLAIM_ATTEMPTS):
            answer = client.update_item(
                TableName=settings.table,
                Key=key,
                UpdateExpression="ADD next_gen :one SET entity_type = :t",
                ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"S": "manifest"}},
                ReturnValues="UPDATED_NEW",
            )
            claimed = int(answer["Attributes"]["next_gen"]["N"])
            if claimed > above:
                return claimed
            # The counter was set back below a known generation: raise it (never lower it) and claim again.
            try:
                client.update_item(
                    TableName=settings.table,
                    Key=key,
                    UpdateExpression="SET next_gen = :floor",
                    ConditionExpression="next_gen < :floor",
                    ExpressionAttributeValues={":floor": {"N": str(above)}},
                )
            except botocore.exceptions.ClientError as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
    raise ConcurrentWrite(dialogue_id)


def first_claim_action(settings: Settings, dialogue_id: str, generation: int) -> dict[str, Any]:
    """Claim ``generation`` for a dialogue without a root item, in another transaction (the one that
    makes its first data key): no writer has claimed a number yet, so it is unique if the root
    still does not exist when the transaction runs; otherwise the transaction fails."""
    return {
        "Update": {
            "TableName": settings.table,
            "Key": {"PK": {"S": pk_for(dialogue_id)}, "SK": {"S": ROOT_SK}},
            "UpdateExpression": "SET next_gen = :g, entity_type = :t",
            "ConditionExpression": "attribute_not_exists(PK)",
            "ExpressionAttributeValues": {":g": {"N": str(generation)}, ":t": {"S": "manifest"}},
        }
    }


def commit_action(
    settings: Settings,
    dialogue_id: str,
    generation: int,
    committed: int | None,
    root_item: Mapping[str, Any],
    doc: Mapping[str, Any],
) -> dict[str, Any]:
    """The root update that commits ``generation`` (conditional on the generation it replaces)."""
    values: dict[str, Any] = {
        ":g": {"N": str(generation)},
        ":k": {"S": "dialogue"},
        ":id": {"S": dialogue_id},
        ":u": {"S": utc_timestamp()},
        ":kid": root_item["key_id"],
        ":c": root_item["content_encrypted"],
        ":n": root_item["content_nonce"],
    }
    sets = [
        "gen = :g",
        "kind = :k",
        "kind_key = :id",
        "updated_at = :u",
        "created_at = if_not_exists(created_at, :u)",
        "key_id = :kid",
        "content_encrypted = :c",
        "content_nonce = :n",
    ]
    names = {"#st": "status"}
    status = doc.get("status")
    removes = []
    if isinstance(status, str) and status:
        sets.append("#st = :st")
        values[":st"] = {"S": status[:200]}
    else:
        removes.append("#st")
    update = {
        "TableName": settings.table,
        "Key": {"PK": {"S": pk_for(dialogue_id)}, "SK": {"S": ROOT_SK}},
        "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
        "ExpressionAttributeValues": values,
        "ExpressionAttributeNames": names,
    }
    if committed is None:
        update["ConditionExpression"] = "attribute_not_exists(gen)"
    else:
        update["ConditionExpression"] = "gen = :prev"
        values[":prev"] = {"N": str(committed)}
    return {"Update": update}


def delete_generations(
    settings: Settings, dialogue_id: str, *, keep: int | None, only: int | None = None, workers: int = 4
) -> int:
    """Remove entity and page items of generations other than ``keep`` (or exactly ``only``)."""
    doomed = []
    for page in tbl.query_partition(settings, pk_for(dialogue_id), keys_only=True):
        for key in page:
            gen = sk_generation(key["SK"]["S"])
            if gen is None or gen == keep or (only is not None and gen != only):
                continue
            doomed.append({"PK": key["PK"], "SK": key["SK"]})
    tbl.batch_write(settings, deletes=doomed, workers=workers)
    return len(doomed)
