"""One typed wrapper around the official async Neo4j driver.

Every query in the code base goes through `Graph`, which always names the database, routes reads
as reads, runs managed transactions (so transient errors are retried) and returns plain values.
Driver options never travel as loose keyword arguments, so a misspelled one cannot silently turn
into a query parameter. An optional observer hears how long each unit of work took (the app feeds
its Prometheus histogram from it; graph/ itself knows nothing of metrics).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import AuthError, ServiceUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")
Row = dict[str, Any]
TxFunction = Callable[Concatenate[AsyncManagedTransaction, P], Awaitable[T]]
TxObserver = Callable[[str, float, bool], None]
"""Called with (kind, seconds, succeeded) after each unit of work."""


class GraphUnavailableError(RuntimeError):
    """Neo4j could not be reached (or refused our credentials) within the allowed attempts."""


class Graph:
    """The database handle the app and the CLI share: one driver, one database name."""

    def __init__(
        self, driver: AsyncDriver, database: str, observer: TxObserver | None = None
    ) -> None:
        self._driver = driver
        self.database = database
        self.observer = observer
        self._bookmarks = AsyncGraphDatabase.bookmark_manager()

    def forget_bookmarks(self) -> None:
        """Start a fresh causal chain for `query`: needed after the store was rebuilt offline
        (`neo4j-admin database import`), whose transaction ids start again from the bottom."""
        self._bookmarks = AsyncGraphDatabase.bookmark_manager()

    @asynccontextmanager
    async def _observed(self, kind: str) -> AsyncIterator[None]:
        started = time.perf_counter()
        ok = False
        try:
            yield
            ok = True
        finally:
            if self.observer is not None:
                self.observer(kind, time.perf_counter() - started, ok)

    async def read(self, work: TxFunction[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `work` in a managed read transaction (retried on transient errors)."""
        async with (
            self._observed("read"),
            self._driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as session,
        ):
            return await session.execute_read(work, *args, **kwargs)

    async def write(self, work: TxFunction[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `work` in a managed write transaction (retried on transient errors)."""
        async with (
            self._observed("write"),
            self._driver.session(
                database=self.database, default_access_mode=neo4j.WRITE_ACCESS
            ) as session,
        ):
            return await session.execute_write(work, *args, **kwargs)

    async def query(
        self, cypher: str, parameters: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> list[Row]:
        """Run one statement in its own managed transaction and return its rows as plain dicts."""
        from graph.values import plain  # graph.values builds on this module

        async with self._observed("query_write" if write else "query_read"):
            result = await self._driver.execute_query(
                neo4j.Query(cypher),
                parameters_=dict(parameters or {}),
                database_=self.database,
                bookmark_manager_=self._bookmarks,
                routing_=neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ,
            )
        return [plain(record.data()) for record in result.records]

    async def run_schema(self, statement: str) -> None:
        """Run a schema statement (constraint or index), which needs its own auto-commit transaction."""
        async with (
            self._observed("schema"),
            self._driver.session(database=self.database) as session,
        ):
            result = await session.run(neo4j.Query(statement))
            await result.consume()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[neo4j.AsyncTransaction]:
        """An explicit write transaction held open across other work, committed when the block
        ends without an error (rolled back otherwise). Not retried: for holding a lock, not for
        ordinary writes (use `write`)."""
        async with (
            self._observed("explicit"),
            self._driver.session(
                database=self.database, default_access_mode=neo4j.WRITE_ACCESS
            ) as session,
        ):
            tx = await session.begin_transaction()
            try:
                yield tx
            except BaseException:
                await tx.rollback()
                raise
            await tx.commit()

    async def ping(self, timeout_seconds: float) -> None:
        """Raise unless the database answers a trivial read within `timeout_seconds`."""
        await asyncio.wait_for(self.query("RETURN 1 AS ok"), timeout=timeout_seconds)

    async def close(self) -> None:
        await self._driver.close()


async def connect(
    uri: str,
    user: str,
    password: str,
    database: str,
    *,
    attempts: int = 10,
    backoff_seconds: float = 0.5,
) -> Graph:
    """Open the driver and check connectivity with bounded retries; raise a clear error naming the URI."""
    driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
    last_error: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            await driver.verify_connectivity()
            return Graph(driver, database)
        except AuthError as error:
            await driver.close()
            raise GraphUnavailableError(
                f"Neo4j at {uri} refused the credentials of user {user!r}: check NEO4J_USER/NEO4J_PASSWORD"
            ) from error
        except (ServiceUnavailable, OSError) as error:
            last_error = error
            log.warning("neo4j not reachable", extra={"uri": uri, "attempt": attempt})
            if attempt < attempts:
                await asyncio.sleep(min(backoff_seconds * 2 ** (attempt - 1), 5.0))
    await driver.close()
    raise GraphUnavailableError(
        f"Neo4j at {uri} is unreachable after {attempts} attempts: {last_error}. "
        "Start the local server with `rolodex neo4j start` or point NEO4J_URI at a running Neo4j."
    ) from last_error
