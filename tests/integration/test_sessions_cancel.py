"""The connection's life: a write cancelled part way (a dashboard worker cancelled at shutdown)
leaves no transaction open on the shared connection, so the next write, e.g. the deregistration
on exit, goes through; and a closed database stays closed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from blue_tui.core.sessions import SessionsError, SessionSpec
from blue_tui.core.sessions.api import SessionsDb
from blue_tui.core.sessions.store import Store, Tx

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("turns", range(6))
def test_a_write_cancelled_at_any_step_leaves_no_transaction_behind(tmp_path: Path, turns: int) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "sessions.db", create=True, private_folder=True).open()
        try:

            async def body(tx: Tx) -> None:
                await asyncio.sleep(0)

            task = asyncio.create_task(store.write(body))
            for _ in range(turns):  # cancelled while BEGIN, the body or COMMIT is under way
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

            async def mark(tx: Tx) -> int:
                return 1

            assert await asyncio.wait_for(store.write(mark), 10) == 1
        finally:
            await store.close()

    asyncio.run(go())


def test_a_closed_database_refuses_statements_instead_of_reopening(tmp_path: Path) -> None:
    """A heartbeat that outlives the close must not open a second connection nobody closes
    (aiosqlite's thread would keep the process from exiting)."""

    async def go() -> None:
        db = await SessionsDb.open(tmp_path / "sessions.db")
        session = await db.register(SessionSpec("cli", repo="a"))
        await db.close()
        with pytest.raises(SessionsError, match="closed"):
            await db.heartbeat(session.id)
        assert db._store._conn is None

    asyncio.run(go())
