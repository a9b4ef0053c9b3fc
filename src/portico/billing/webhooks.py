"""Stripe's webhook: anonymous by design, trusted only through its HMAC signature.

A forged or stale signature is a 400 and changes nothing; a redelivered event id is
acknowledged (200) and changes nothing; anything else is processed exactly once.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .providers import InvalidWebhook, stripe_provider
from .services import handle_provider_event

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    payload = request.body[: MAX_BODY_BYTES + 1]
    if len(payload) > MAX_BODY_BYTES:
        return HttpResponse("Too large.", status=413, content_type="text/plain")
    try:
        event = stripe_provider().parse_webhook(
            payload, request.headers.get("Stripe-Signature", "")
        )
    except InvalidWebhook as error:
        logger.warning("Stripe webhook refused: %s", error)
        return HttpResponse("Invalid signature.", status=400, content_type="text/plain")
    processed = handle_provider_event(event)
    return HttpResponse("ok" if processed else "duplicate", content_type="text/plain")
