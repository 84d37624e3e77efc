"""``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics`` (Prometheus), for
operators, load balancers and monitors."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.delivery.service import Delivery
from bot.metrics import exposition
from bot.runtime import Runtime


async def liveness(request: Request) -> Response:
    """The process answers: nothing else is checked, so a slow database or a stopped Rasa never
    gets a worker restarted (``/readyz`` says what works)."""
    return JSONResponse({"status": "alive"})


async def readiness(request: Request) -> Response:
    """What works and what does not. 503 (``down``) without the database or the index: this
    process cannot take messages. ``degraded`` (200) when Rasa or a platform is unreachable
    (answers come from retrieval; sends wait), messages were set aside (dead letters), deliveries
    failed, or more than ``READY_MAX_BACKLOG`` messages wait for a turn."""
    runtime: Runtime = request.app.state.runtime
    delivery: Delivery = request.app.state.delivery
    database_up = await runtime.database.is_up()
    replicas = await runtime.rasa.replicas_up()
    chunks = runtime.kb.searcher.size
    counts = await delivery.store.counts() if database_up else {}
    platforms = {
        name: "ready" if c.ready else f"unreachable: {c.problem}"
        for name, c in sorted(delivery.connectors.items())
    }
    problems = [f"rasa {url}: down" for url, up in replicas.items() if not up]
    problems += [f"{name}: {state}" for name, state in platforms.items() if state != "ready"]
    if counts.get("inbox_dead"):
        problems.append(f"{counts['inbox_dead']} dead letters")
    if counts.get("outbox_failed"):
        problems.append(f"{counts['outbox_failed']} failed deliveries")
    backlog = counts.get("inbox_pending", 0)
    if backlog > runtime.settings.ready_max_backlog:
        problems.append(f"backlog: {backlog} messages wait for a turn")
    status = "degraded" if problems else "ok"
    if not database_up or not chunks:
        status = "down"
    body = {
        "status": status,
        "problems": problems,
        "rasa": "up" if any(replicas.values()) else "down",
        "rasa_replicas": {url: "up" if up else "down" for url, up in replicas.items()},
        "index": {"status": "ok" if chunks else "empty", "chunks": chunks},
        "database": "up" if database_up else "down",
        "corpus_errors": [str(e) for e in runtime.kb.corpus.errors],
        "platforms": platforms,
        "delivery": counts,
        "maintenance": await runtime.maintenance.notice() is not None if database_up else None,
    }
    return JSONResponse(body, status_code=200 if status != "down" else 503)


async def metrics(request: Request) -> Response:
    """Prometheus text format; with ``METRICS_TOKEN`` set, only for ``Authorization: Bearer``
    with that token."""
    runtime: Runtime = request.app.state.runtime
    token = runtime.settings.metrics_token
    given = request.headers.get("authorization", "").removeprefix("Bearer ")
    if token and not hmac.compare_digest(given.encode(), token.encode()):
        return Response("unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"})
    counts = await request.app.state.delivery.store.counts()
    body, content_type = exposition(counts)
    return Response(body, media_type=content_type)
