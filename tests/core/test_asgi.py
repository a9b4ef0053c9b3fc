"""The portal served through ASGI (as uvicorn serves it): POSTs pass CSRF, pages render."""

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_post_and_pages_work_through_asgi(foundation):
    client = AsyncClient(enforce_csrf_checks=True)
    page = async_to_sync(client.get)("/accounts/login/")
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    response = async_to_sync(client.post)(
        "/accounts/login/",
        {"login": "alice@acme.example", "password": "portico-demo", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.content[:500]
    home = async_to_sync(client.get)("/")
    assert home.status_code == 200
    assert b"Acme Ltd" in home.content


def test_production_mode_asgi_request_knows_its_scheme(foundation, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = AsyncClient()
    response = async_to_sync(client.get)("/accounts/login/")
    assert response.status_code == 301
    secure = async_to_sync(client.get)("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200


def test_csv_export_streams_through_asgi_in_chunks(foundation, alice):
    from portico.accounts.models import LoginAttempt
    from portico.core.exports import CHUNK_LINES

    LoginAttempt.objects.bulk_create(
        LoginAttempt(user=alice, email=alice.email, succeeded=i % 2 == 0, ip_address="10.0.0.1")
        for i in range(CHUNK_LINES * 2 + 7)
    )
    client = AsyncClient()
    client.force_login(alice)
    response = async_to_sync(client.get)("/accounts/profile/logins.csv")
    assert response.status_code == 200
    assert response.is_async

    async def collect() -> list[bytes]:
        return [chunk async for chunk in response.streaming_content]

    chunks = async_to_sync(collect)()
    assert len(chunks) >= 3
    lines = b"".join(chunks).decode("utf-8-sig").splitlines()
    assert lines[0] == "Time (UTC),Outcome,IP address,Device"
    assert sum(",10.0.0.1," in line for line in lines) == CHUNK_LINES * 2 + 7


def test_the_served_application_freezes_its_startup_heap(tmp_path):
    """uvicorn imports portico.asgi: the URL patterns are loaded and the heap frozen, so a
    full garbage collection no longer walks the whole startup heap during a request."""
    import os
    import subprocess
    import sys

    code = (
        "import gc, sys; import portico.asgi;"
        "print(gc.get_freeze_count() > 50_000, 'portico.billing.views' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PORTICO_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "True"]
