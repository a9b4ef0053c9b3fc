"""SQLite that keeps its connections open: Django's backend with a per-process pool.

Under Django's own ASGI handler each request ran in a thread of its own, so a connection
could not persist with ``CONN_MAX_AGE``: every request opened one (loading the schema,
running the PRAGMAs) and closed it, and SQLite re-prepared every statement. That cost about
5 ms of a 14 ms page. ``portico.serving`` now answers on long-lived threads, and the pool
still serves every other thread that opens and closes connections (tasks, commands). A
closed connection goes back to a small pool and the next "new" connection comes from it,
as Django's own ``pool`` option does for PostgreSQL.

Connections are shareable across threads (Django opens SQLite connections with
``check_same_thread=False`` and lends each to one thread at a time). One left inside a
transaction is rolled back before it is pooled. In-memory databases (tests) are never
pooled: closing them is already a no-op. Pools are per process, so a fork starts afresh.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
from typing import Any

from django.db.backends.sqlite3 import base

POOL_SIZE = 8  # idle connections kept per process; more are closed when returned

_pools: dict[tuple[int, str], queue.LifoQueue[sqlite3.Connection]] = {}
_pools_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    def _pool(self) -> queue.LifoQueue[sqlite3.Connection] | None:
        if self.is_in_memory_db():
            return None
        key = (os.getpid(), str(self.settings_dict["NAME"]))
        with _pools_lock:
            return _pools.setdefault(key, queue.LifoQueue(maxsize=POOL_SIZE))

    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        pool = self._pool()
        if pool is not None:
            try:
                return pool.get_nowait()
            except queue.Empty:
                pass
        return super().get_new_connection(conn_params)

    def _close(self) -> None:
        pool = self._pool()
        connection = self.connection
        if pool is None or connection is None:
            super()._close()  # type: ignore[misc]  # not in the type stubs
            return
        with self.wrap_database_errors:
            if connection.in_transaction:
                connection.rollback()
            try:
                pool.put_nowait(connection)
            except queue.Full:
                connection.close()


def close_pooled_connections() -> int:
    """Close every idle pooled connection of this process (at shutdown, or in tests)."""
    closed = 0
    with _pools_lock:
        pools = list(_pools.values())
    for pool in pools:
        while True:
            try:
                pool.get_nowait().close()
            except queue.Empty:
                break
            closed += 1
    return closed
