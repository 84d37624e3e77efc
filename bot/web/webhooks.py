"""``/webhooks/<platform>``: authenticate, validate, store, answer 200; the delivery workers make
the reply. Nothing is stored for a rejected body."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.delivery.service import Delivery
from bot.metrics import WEBHOOKS
from connectors.base import BadPayload, PlatformUnavailable, WebhookConnector, WebhookRejected

RETRY_AFTER_S = "30"


async def webhook(request: Request) -> Response:
    delivery: Delivery = request.app.state.delivery
    platform = request.path_params["platform"]
    connector = delivery.webhooks.get(platform)
    if connector is None:
        return JSONResponse({"error": "unknown_platform"}, status_code=404)
    response = await _handle(request, delivery, connector)
    WEBHOOKS.labels(platform, str(response.status_code)).inc()
    return response


async def _handle(request: Request, delivery: Delivery, connector: WebhookConnector) -> Response:
    body = await request.body()
    try:
        connector.verify(body, request.headers)
    except WebhookRejected as rejected:
        return JSONResponse({"error": str(rejected)}, status_code=rejected.status_code)
    try:
        stored = await delivery.accept(connector, body)
    except BadPayload as error:
        return JSONResponse({"error": f"bad_payload: {error}"}, status_code=400)
    except PlatformUnavailable as error:
        return JSONResponse(
            {"error": f"unavailable: {error}"},
            status_code=503,
            headers={"Retry-After": RETRY_AFTER_S},
        )
    return JSONResponse({"ok": True, "stored": stored})
