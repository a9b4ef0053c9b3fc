"""Personas shared by every test module (see README: demo logins).

alice: Administrator at Acme (all sites)      bob: Site user at Acme, Leeds Works only
carol: Administrator at Globex (other customer) petra: Initech Group with its subsidiaries
dana: individual (B2C) customer                sam: provider staff
"""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from portico.customers.demo import Foundation, create_foundation

PASSWORD = "portico-demo"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    shared = settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    if shared:
        # Redis is shared by the parallel test workers: give each test its own key space
        # instead of flushing the database under the other workers' feet.
        settings.CACHES = {
            "default": {
                **settings.CACHES["default"],
                "KEY_PREFIX": f"t{uuid.uuid4().hex}",
                "TIMEOUT": 600,
            }
        }
    else:
        cache.clear()
    yield
    if not shared:
        cache.clear()


@pytest.fixture
def foundation(db) -> Foundation:
    return create_foundation(PASSWORD)


@pytest.fixture
def acme(foundation):
    return foundation.acme


@pytest.fixture
def globex(foundation):
    return foundation.globex


@pytest.fixture
def alice(foundation):
    return foundation.users["alice"]


@pytest.fixture
def bob(foundation):
    return foundation.users["bob"]


@pytest.fixture
def carol(foundation):
    return foundation.users["carol"]


@pytest.fixture
def petra(foundation):
    return foundation.users["petra"]


@pytest.fixture
def dana(foundation):
    return foundation.users["dana"]


@pytest.fixture
def sam(foundation):
    return foundation.users["sam"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return client_for(bob)


@pytest.fixture
def carol_client(carol) -> Client:
    return client_for(carol)


@pytest.fixture
def petra_client(petra) -> Client:
    return client_for(petra)


@pytest.fixture
def dana_client(dana) -> Client:
    return client_for(dana)


@pytest.fixture
def sam_client(sam) -> Client:
    return client_for(sam)
