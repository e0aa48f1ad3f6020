"""The one DynamoDB table: clients, creation, and the few request shapes the store uses.

Everything goes through the low-level boto3 client (attribute-value dicts), not the
resource layer: it is several times faster on large partitions. Errors from botocore
are translated into the core's typed errors here and only here.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import botocore.exceptions

from blue_tui.core.aws import dynamodb_client, error_code
from blue_tui.core.config import Settings
from blue_tui.core.errors import AwsCredentialsMissing, BlueError, EndpointUnreachable, TableMissing

Item = dict[str, dict[str, Any]]

#: Sparse index over committed dialogue roots: `blue dialogue list` without a table scan.
KIND_INDEX = "by_kind"
BATCH_WRITE_LIMIT = 25


@contextlib.contextmanager
def translated(settings: Settings) -> Iterator[None]:
    """Turn botocore's failures into one clear BlueError naming the endpoint or table."""
    try:
        yield
    except BlueError:
        raise
    except (
        botocore.exceptions.EndpointConnectionError,
        botocore.exceptions.ConnectTimeoutError,
        botocore.exceptions.ReadTimeoutError,
        botocore.exceptions.ConnectionClosedError,
    ) as exc:
        raise EndpointUnreachable(
            settings.endpoint_label, detail=type(exc).__name__, local=settings.endpoint_is_local
        ) from None
    except botocore.exceptions.NoCredentialsError:
        raise AwsCredentialsMissing("DynamoDB") from None
    except botocore.exceptions.ClientError as exc:
        code = error_code(exc)
        if code == "ResourceNotFoundException":
            raise TableMissing(settings.table, settings.endpoint_label) from None
        message = exc.response.get("Error", {}).get("Message", "") or code
        raise BlueError(
            f"DynamoDB at {settings.endpoint_label} refused the request: {code}: {message}"
        ) from None


# ---- table lifecycle ----------------------------------------------------------------------------


def table_definition(name: str) -> dict[str, Any]:
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "kind", "AttributeType": "S"},
            {"AttributeName": "kind_key", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": KIND_INDEX,
                "KeySchema": [
                    {"AttributeName": "kind", "KeyType": "HASH"},
                    {"AttributeName": "kind_key", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }


def ensure_table(settings: Settings, name: str | None = None) -> bool:
    """Create the table when missing and wait until it is ACTIVE. True when it was created."""
    client = dynamodb_client(settings)
    table = name or settings.table
    with translated(settings):
        try:
            client.describe_table(TableName=table)
            return False
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
        try:
            client.create_table(**table_definition(table))
        except botocore.exceptions.ClientError as exc:
            if error_code(exc) != "ResourceInUseException":  # created meanwhile by another process
                raise
        client.get_waiter("table_exists").wait(
            TableName=table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
        )
        return True


def delete_table(settings: Settings, name: str) -> None:
    client = dynamodb_client(settings)
    with translated(settings), contextlib.suppress(botocore.exceptions.ClientError):
        client.delete_table(TableName=name)


# ---- request shapes -------------------------------------------------------------------------------


def query_partition(
    settings: Settings,
    pk: str,
    *,
    keys_only: bool = False,
    consistent: bool = True,
    first_page: int | None = None,
) -> Iterator[list[Item]]:
    """Yield the pages of one partition, in SK order.

    ``first_page`` caps the first request at that many items (it comes back in a fraction of
    a full page's time, for a caller that shows the first items while the rest is read); the
    following requests are full pages.
    """
    client = dynamodb_client(settings)
    kwargs: dict[str, Any] = {
        "TableName": settings.table,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": consistent,
    }
    if keys_only:
        kwargs["ProjectionExpression"] = "PK, SK"
    with translated(settings):
        while True:
            if first_page is not None:
                page = client.query(**kwargs, Limit=first_page)
                first_page = None
            else:
                page = client.query(**kwargs)
            yield page.get("Items", [])
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last


def query_index(settings: Settings, kind: str) -> list[Item]:
    client = dynamodb_client(settings)
    kwargs: dict[str, Any] = {
        "TableName": settings.table,
        "IndexName": KIND_INDEX,
        "KeyConditionExpression": "kind = :k",
        "ExpressionAttributeValues": {":k": {"S": kind}},
    }
    items: list[Item] = []
    with translated(settings):
        while True:
            page = client.query(**kwargs)
            items.extend(page.get("Items", []))
            last = page.get("LastEvaluatedKey")
            if not last:
                return items
            kwargs["ExclusiveStartKey"] = last


def scan_keys(settings: Settings, condition: str, values: Mapping[str, Any]) -> list[Item]:
    """The keys of every item matching a filter: a whole-table Scan, for wiping only."""
    client = dynamodb_client(settings)
    kwargs: dict[str, Any] = {
        "TableName": settings.table,
        "ProjectionExpression": "PK, SK",
        "FilterExpression": condition,
        "ExpressionAttributeValues": dict(values),
    }
    keys: list[Item] = []
    with translated(settings):
        while True:
            page = client.scan(**kwargs)
            keys.extend(page.get("Items", []))
            last = page.get("LastEvaluatedKey")
            if not last:
                return keys
            kwargs["ExclusiveStartKey"] = last


def get_item(settings: Settings, pk: str, sk: str) -> Item | None:
    client = dynamodb_client(settings)
    with translated(settings):
        got = client.get_item(
            TableName=settings.table, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True
        )
    item: Item | None = got.get("Item")
    return item


def batch_get(settings: Settings, keys: Sequence[tuple[str, str]]) -> list[Item]:
    client = dynamodb_client(settings)
    out: list[Item] = []
    pending = [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in keys]
    with translated(settings):
        while pending:
            chunk, pending = pending[:100], pending[100:]
            request: dict[str, Any] = {settings.table: {"Keys": chunk, "ConsistentRead": True}}
            attempt = 0
            while request:
                got = client.batch_get_item(RequestItems=request)
                out.extend(got.get("Responses", {}).get(settings.table, []))
                request = got.get("UnprocessedKeys") or {}
                attempt = _backoff(attempt) if request else 0
    return out


def _backoff(attempt: int) -> int:
    time.sleep(min(1.0, 0.02 * (2**attempt)) * (0.5 + random.random()))  # noqa: S311 (jitter)
    return attempt + 1


class BatchWriter:
    """Streams puts and deletes into BatchWriteItem requests of 25, sent on ``workers`` threads.

    One DynamoDB round trip costs milliseconds, so a few requests stay in flight while
    the caller prepares the next items (an import encrypts while earlier items are being
    written). Unprocessed items are retried with backoff. Use as a context manager;
    leaving it waits for every request and raises the first failure.
    """

    def __init__(self, settings: Settings, *, workers: int = 4) -> None:
        self.settings = settings
        self.workers = max(1, workers)
        self._client = dynamodb_client(settings)
        self._chunk: list[dict[str, Any]] = []
        self._pool: Any = None
        self._pending: list[Any] = []

    def __enter__(self) -> BatchWriter:
        if self.workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="blue-write")
        return self

    def put(self, item: Item) -> None:
        self._add({"PutRequest": {"Item": item}})

    def put_later(self, make: Callable[[], Sequence[Item]]) -> None:
        """Put the items ``make()`` returns, calling it on the writer thread that sends them: the
        work that makes them (an import encodes and seals them) is spread over the writers
        and overlaps the requests in flight. Tasks start in the order they were given."""

        def send() -> None:
            items = make()
            for start in range(0, len(items), BATCH_WRITE_LIMIT):
                self._send(
                    [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_WRITE_LIMIT]]
                )

        self._dispatch(send)

    def delete(self, key: Mapping[str, Any]) -> None:
        self._add({"DeleteRequest": {"Key": dict(key)}})

    def _add(self, request: dict[str, Any]) -> None:
        self._chunk.append(request)
        if len(self._chunk) == BATCH_WRITE_LIMIT:
            self._submit()

    def _send(self, chunk: list[dict[str, Any]]) -> None:
        request: dict[str, Any] = {self.settings.table: chunk}
        attempt = 0
        while request:
            answer = self._client.batch_write_item(RequestItems=request)
            request = answer.get("UnprocessedItems") or {}
            attempt = _backoff(attempt) if request else 0

    def _submit(self) -> None:
        chunk, self._chunk = self._chunk, []
        if chunk:
            self._dispatch(lambda: self._send(chunk))

    def _dispatch(self, task: Callable[[], None]) -> None:
        with translated(self.settings):
            if self._pool is None:
                task()
                return
            self._pending.append(self._pool.submit(task))
            # Keep memory bounded: wait for the oldest requests when too many are queued.
            while len(self._pending) > self.workers * 4:
                self._pending.pop(0).result()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self._submit()
            with translated(self.settings):
                for future in self._pending:
                    future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)


def batch_write(
    settings: Settings,
    puts: Sequence[Item] = (),
    deletes: Sequence[Mapping[str, Any]] = (),
    *,
    workers: int = 4,
) -> None:
    """Write items and delete keys (see :class:`BatchWriter`)."""
    with BatchWriter(settings, workers=workers) as writer:
        for item in puts:
            writer.put(item)
        for key in deletes:
            writer.delete(key)
