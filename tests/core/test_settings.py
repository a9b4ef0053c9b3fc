"""Embedded SQLite is configured for concurrent use; production settings pass --deploy."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_sqlite_pragmas_for_concurrency():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_file_database_uses_wal(tmp_path):
    """The test database is in memory; check the real file database the settings create."""
    env = {**os.environ, "PORTICO_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["wal", "20000"]


def test_production_settings_pass_deploy_check(tmp_path):
    env = {
        **os.environ,
        "PORTICO_ENV": "production",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check",
        "ALLOWED_HOSTS": "portal.example.com",
        "PORTICO_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    result = subprocess.run(
        [sys.executable, "-m", "portico.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {
        **os.environ,
        "PORTICO_ENV": "production",
        "SECRET_KEY": "",
        "PORTICO_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "portico.cli", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_every_page_sends_a_csp_without_inline_scripts(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def settings_in_subprocess(tmp_path, code: str, **env_vars: str) -> list[str]:
    env = {**os.environ, "PORTICO_VAR_DIR": str(tmp_path), **env_vars}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def test_postgresql_connections_come_from_a_pool(tmp_path):
    """On PostgreSQL connections are lent by Django's pool, sized by PORTICO_DB_POOL_SIZE."""
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['OPTIONS']['pool']['max_size'])"
    )
    url = "postgres://portico@127.0.0.1:5432/portico"
    assert settings_in_subprocess(tmp_path, code, DATABASE_URL=url) == ["10"]
    sized = settings_in_subprocess(tmp_path, code, DATABASE_URL=url, PORTICO_DB_POOL_SIZE="4")
    assert sized == ["4"]
    off = (
        "from django.conf import settings;"
        "print('pool' in settings.DATABASES['default'].get('OPTIONS', {}))"
    )
    assert settings_in_subprocess(tmp_path, off, DATABASE_URL=url, PORTICO_DB_POOL="0") == ["False"]


def test_request_threads_per_process_come_from_the_environment(tmp_path):
    code = (
        "from portico.serving import PooledASGIHandler;"
        "print(PooledASGIHandler().executor._max_workers)"
    )
    assert settings_in_subprocess(tmp_path, code) == ["2"]
    assert settings_in_subprocess(tmp_path, code, PORTICO_WEB_THREADS="3") == ["3"]
    env = {**os.environ, "PORTICO_VAR_DIR": str(tmp_path), "PORTICO_WEB_THREADS": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "portico.cli", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "PORTICO_WEB_THREADS must be a whole number of at least 1: '0'." in result.stderr


@pytest.mark.django_db
def test_the_pool_lends_connections_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; SQLite has its own pooled backend.")
    connection.ensure_connection()
    assert connection.pool is not None
