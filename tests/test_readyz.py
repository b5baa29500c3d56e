"""/readyz: the database, the task queue and the file store, each named; 503 naming
the one that is down. /healthz stays the cheap probe (tests/test_production.py)."""

import json

import pytest
from django.db import OperationalError, connection

pytestmark = [pytest.mark.django_db, pytest.mark.tasks]


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_readyz_names_each_service_when_all_answer(client, s3):
    status, body = readyz(client)
    assert status == 200
    assert body == {"database": "ok", "queue": "ok", "storage": "ok", "outbox_waiting": 0}


def test_readyz_is_503_naming_the_store_when_it_is_down(client, s3):
    with s3.down():
        status, body = readyz(client)
    assert status == 503
    assert body["storage"].startswith("unavailable")
    assert body["database"] == body["queue"] == "ok"
    assert readyz(client)[0] == 200  # and ready again once it is back


def test_readyz_is_503_naming_the_queue_when_redis_does_not_answer(client, queue_down):
    with queue_down():
        status, body = readyz(client)
    assert status == 503
    assert body["queue"].startswith("unavailable: ConnectionError")
    assert body["database"] == body["storage"] == "ok"


def test_readyz_is_503_naming_the_database_when_it_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    status, body = readyz(client)
    assert status == 503
    assert body["database"] == "unavailable: OperationalError"
    assert body["storage"] == "ok"


def test_readyz_is_not_redirected_to_https_and_sets_no_session(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"]
