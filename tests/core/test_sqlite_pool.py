"""The SQLite backend lends closed connections to the next request instead of reopening."""

from pathlib import Path

import pytest
from django.db import connections

from portico.core.db.sqlite import base
from portico.core.db.sqlite.base import POOL_SIZE, DatabaseWrapper, close_pooled_connections


@pytest.fixture
def wrapper_for(tmp_path: Path, django_db_blocker):
    made: list[DatabaseWrapper] = []

    def make(name: str | None = None) -> DatabaseWrapper:
        settings_dict = connections.configure_settings(
            {
                "default": {
                    "ENGINE": "portico.core.db.sqlite",
                    "NAME": name or str(tmp_path / "pool.sqlite3"),
                    "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
                }
            }
        )["default"]
        wrapper = DatabaseWrapper(settings_dict, alias="pooltest")
        made.append(wrapper)
        return wrapper

    with django_db_blocker.unblock():  # these connections are to scratch files, not the test db
        yield make
        for wrapper in made:
            wrapper.close()
        close_pooled_connections()


def test_a_closed_connection_is_reused_with_its_settings(wrapper_for) -> None:
    first = wrapper_for()
    first.ensure_connection()
    raw = first.connection
    first.close()
    assert first.connection is None

    second = wrapper_for()  # another thread's wrapper, as under ASGI
    with second.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert second.connection is raw


def test_a_connection_closed_inside_a_transaction_is_rolled_back(wrapper_for) -> None:
    setup = wrapper_for()
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE note (text TEXT)")
    setup.close()

    interrupted = wrapper_for()
    interrupted.ensure_connection()
    interrupted.connection.execute("BEGIN")
    interrupted.connection.execute("INSERT INTO note VALUES ('half done')")
    interrupted.close()

    reader = wrapper_for()
    with reader.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM note")
        assert cursor.fetchone()[0] == 0
    assert not reader.connection.in_transaction


def test_the_pool_keeps_a_bounded_number_of_idle_connections(wrapper_for) -> None:
    wrappers = [wrapper_for() for _ in range(POOL_SIZE + 3)]
    for wrapper in wrappers:
        wrapper.ensure_connection()
    for wrapper in wrappers:
        wrapper.close()
    assert sum(pool.qsize() for pool in base._pools.values()) == POOL_SIZE
    assert close_pooled_connections() == POOL_SIZE


def test_in_memory_databases_are_never_pooled(wrapper_for) -> None:
    memory = wrapper_for(":memory:")
    memory.ensure_connection()
    assert memory._pool() is None


def test_the_portal_uses_the_pooling_backend_for_sqlite(settings) -> None:
    if connections["default"].vendor != "sqlite":
        pytest.skip("PostgreSQL has Django's own pool option.")
    assert isinstance(connections["default"], DatabaseWrapper)
