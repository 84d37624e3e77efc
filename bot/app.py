"""The ASGI app: web chat page and API, health. The composition root that wires connectors in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from bot.console.routes import ROUTES as CONSOLE_ROUTES
from bot.delivery.service import Delivery, close_connectors, open_connectors, running_delivery
from bot.runtime import Progress, Runtime, running_bot
from bot.settings import Settings
from connectors import webchat
from connectors.base import BadPayload, WebhookRejected

STATIC_DIR = Path(__file__).parent / "web" / "static"
BAD_REQUEST = (
    "Xin lỗi, tin nhắn gửi lên không đúng định dạng. Bạn vui lòng tải lại trang và thử lại."
)


def create_app(settings: Settings, progress: Progress) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with running_bot(settings, progress) as runtime:
            app.state.runtime = runtime
            connectors = await open_connectors(settings, runtime.database)
            connectors[webchat.PLATFORM] = webchat.WebChatConnector()
            for platform in connectors:
                progress(f"Webhook: /webhooks/{platform}")
            try:
                async with running_delivery(
                    connectors, runtime.database, runtime.pipeline, settings
                ) as delivery:
                    app.state.delivery = delivery
                    yield
            finally:
                await close_connectors(connectors)

    return Starlette(
        routes=[
            Route("/", chat_page),
            Route("/api/chat", chat_message, methods=["POST"]),
            Route("/api/chat/updates", chat_updates),
            Route("/healthz", health),
            Route("/webhooks/{platform}", webhook, methods=["POST"]),
            Mount("/console", routes=CONSOLE_ROUTES),
        ],
        lifespan=lifespan,
    )


async def chat_page(request: Request) -> Response:
    return FileResponse(STATIC_DIR / "chat.html")


async def chat_message(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    web = request.app.state.delivery.connectors[webchat.PLATFORM]
    try:
        [message] = await web.parse(await request.body())
    except BadPayload:
        return JSONResponse({"error": "bad_request", "text": BAD_REQUEST}, status_code=400)
    reply = await runtime.pipeline.handle(message)
    if reply is None:  # a duplicate, or staff hold the conversation: stored, no bot reply
        return JSONResponse({"stored": True})
    return JSONResponse(web.render(reply)[0])


async def chat_updates(request: Request) -> Response:
    """Messages for a web chat session that came after the page's last one (staff replies)."""
    session = request.query_params.get("session", "")
    after = request.query_params.get("after", "0")
    if not after.isdigit() or not 8 <= len(session) <= 64:
        return JSONResponse({"error": "bad_request"}, status_code=400)
    store = request.app.state.delivery.store
    items = await store.mailbox(webchat.PLATFORM, session, int(after))
    return JSONResponse({"messages": [{"id": i.id, **i.payload} for i in items]})


async def webhook(request: Request) -> Response:
    """Authenticate, store, answer 200; the reply is made by the delivery workers."""
    delivery: Delivery = request.app.state.delivery
    connector = delivery.connectors.get(request.path_params["platform"])
    if connector is None:
        return JSONResponse({"error": "unknown_platform"}, status_code=404)
    body = await request.body()
    try:
        connector.verify(body, request.headers)
    except WebhookRejected as rejected:
        return JSONResponse({"error": str(rejected)}, status_code=rejected.status_code)
    try:
        stored = await delivery.accept(connector, body)
    except BadPayload as error:
        return JSONResponse({"error": f"bad_payload: {error}"}, status_code=400)
    return JSONResponse({"ok": True, "stored": stored})


async def health(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    database_up = await runtime.database.is_up()
    rasa_up = await runtime.rasa.is_up()
    chunks = runtime.kb.searcher.size
    status = "ok" if database_up and rasa_up and chunks else "degraded"
    if not database_up or not chunks:
        status = "down"
    body = {
        "status": status,
        "rasa": "up" if rasa_up else "down",
        "index": {"status": "ok" if chunks else "empty", "chunks": chunks},
        "database": "up" if database_up else "down",
        "corpus_errors": [str(e) for e in runtime.kb.corpus.errors],
        "platforms": sorted(request.app.state.delivery.connectors),
        "delivery": await request.app.state.delivery.store.counts() if database_up else {},
    }
    return JSONResponse(body, status_code=200 if status != "down" else 503)
