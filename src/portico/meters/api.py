"""Readings from remote monitoring systems (M3): ``POST /meters/api/readings``.

Machine to machine: no session, no CSRF token; the caller is a ``MonitoringSystem``
identified by ``Authorization: Bearer <token>``. Body::

    {"readings": [{"serial": "AB123", "meter": "Mono", "value": 123456,
                   "read_at": "2026-11-01T08:00:00Z"}, ...]}

Answer: ``{"accepted": n, "duplicates": n, "rejected": [{"row": i, "error": "..."}]}``
with ``row`` counted from 0. Sending the same batch again accepts nothing new.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import MonitoringSystem
from .services import MAX_BATCH_ROWS, BatchTooLarge, ingest_remote_readings


def _error(message: str, status: int, **headers: Any) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, headers=headers)


def _bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@csrf_exempt
@require_POST
def ingest_readings(request: HttpRequest) -> JsonResponse:
    token = _bearer_token(request)
    system = MonitoringSystem.authenticate(token) if token else None
    if system is None:
        return _error(
            "Send a valid monitoring-system token: 'Authorization: Bearer <token>'.",
            401,
            **{"WWW-Authenticate": 'Bearer realm="meters"'},
        )
    try:
        payload = json.loads(request.body)
    except RequestDataTooBig:
        return _error(f"The body is too large: send at most {MAX_BATCH_ROWS} readings.", 413)
    except (ValueError, UnicodeDecodeError) as error:
        return _error(f"The body is not valid JSON: {error}.", 400)
    if not isinstance(payload, dict) or not isinstance(payload.get("readings"), list):
        return _error('The body must be a JSON object: {"readings": [...]}.', 400)
    try:
        report = ingest_remote_readings(system=system, rows=payload["readings"])
    except BatchTooLarge as error:
        return _error(str(error), 413)
    return JsonResponse(report.as_dict())
