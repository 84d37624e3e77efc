"""``/healthz``: what works and what does not, for operators and monitors."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.delivery.service import Delivery
from bot.runtime import Runtime


async def health(request: Request) -> Response:
    """``ok``; ``degraded`` when Rasa or a platform is unreachable or messages could not be
    processed (dead letters); ``down`` (503) without the database or the index."""
    runtime: Runtime = request.app.state.runtime
    delivery: Delivery = request.app.state.delivery
    database_up = await runtime.database.is_up()
    rasa_up = await runtime.rasa.is_up()
    chunks = runtime.kb.searcher.size
    counts = await delivery.store.counts() if database_up else {}
    platforms = {
        name: "ready" if c.ready else f"unreachable: {c.problem}"
        for name, c in sorted(delivery.connectors.items())
    }
    healthy = rasa_up and all(c.ready for c in delivery.connectors.values())
    status = "ok" if healthy and not counts.get("inbox_dead") else "degraded"
    if not database_up or not chunks:
        status = "down"
    body = {
        "status": status,
        "rasa": "up" if rasa_up else "down",
        "index": {"status": "ok" if chunks else "empty", "chunks": chunks},
        "database": "up" if database_up else "down",
        "corpus_errors": [str(e) for e in runtime.kb.corpus.errors],
        "platforms": platforms,
        "delivery": counts,
    }
    return JSONResponse(body, status_code=200 if status != "down" else 503)
