"""The ASGI app: web chat, platform webhooks, staff console, health. The composition root that
wires connectors, delivery and the web chat to the running bot."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot.console.routes import ROUTES as CONSOLE_ROUTES
from bot.console.routes import STATIC_DIR as CONSOLE_STATIC_DIR
from bot.core import catalogue
from bot.delivery.service import running_delivery
from bot.jobs import running_jobs
from bot.runtime import Progress, retention_policy, running_bot
from bot.settings import Settings, get_settings
from bot.web.chat import (
    PHOTO_PATH,
    STATIC_DIR,
    chat_history,
    chat_message,
    chat_page,
    chat_photo,
    chat_updates,
)
from bot.web.health import liveness, metrics, readiness
from bot.web.middleware import BodyLimit, SecurityHeaders
from bot.web.webhooks import webhook

log = logging.getLogger(__name__)
DATABASE_RETRY_AFTER_S = "10"
EDITOR_IMPORT = "/console/editor/import"


def create_app(settings: Settings, progress: Progress) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with running_bot(settings, progress) as runtime:
            app.state.runtime = runtime
            for platform, connector in runtime.connectors.items():
                if not connector.ready:
                    progress(f"{platform}: {connector.problem}; thử lại trong nền.")
            every = timedelta(hours=settings.retention_interval_h)
            async with (
                running_delivery(
                    runtime.store, runtime.turns, runtime.connectors, settings, runtime.pacing
                ) as delivery,
                running_jobs(runtime.database, retention_policy(settings), every),
            ):
                for platform in delivery.webhooks:
                    progress(f"Webhook: /webhooks/{platform}")
                app.state.delivery = delivery
                yield

    return Starlette(
        routes=[
            Route("/", chat_page),
            Route("/api/chat", chat_message, methods=["POST"]),
            Route("/api/chat/updates", chat_updates),
            Route("/api/chat/history", chat_history),
            Route(PHOTO_PATH, chat_photo, methods=["POST"]),
            Route("/healthz", liveness),
            Route("/readyz", readiness),
            Route("/metrics", metrics),
            Route("/webhooks/{platform}", webhook, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            Mount(
                "/console/static", StaticFiles(directory=CONSOLE_STATIC_DIR), name="console-static"
            ),
            Mount("/console", routes=CONSOLE_ROUTES),
        ],
        middleware=[
            *proxies(settings),
            Middleware(SecurityHeaders),
            Middleware(
                BodyLimit,
                max_bytes=settings.max_request_bytes,
                by_prefix={
                    PHOTO_PATH: settings.web_photo_max_bytes,
                    EDITOR_IMPORT: settings.editor_upload_max_bytes,
                },
            ),
        ],
        exception_handlers={SQLAlchemyError: database_unavailable},
        lifespan=lifespan,
    )


def worker_app() -> Starlette:
    """The app of one of several worker processes (``serve --workers``), from the environment."""
    from bot.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings, lambda message: log.info("%s", message))


def proxies(settings: Settings) -> list[Middleware]:
    """Client addresses from X-Forwarded-For, believed only from ``TRUSTED_PROXIES`` (uvicorn
    itself runs with ``proxy_headers=False``)."""
    trusted = [a.strip() for a in settings.trusted_proxies.split(",") if a.strip()]
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)] if trusted else []


async def database_unavailable(request: Request, error: Exception) -> Response:
    """The database is down or locked: ask the platform (or the page) to come back later, so
    that nothing is lost."""
    log.warning("database unavailable: %s", type(error).__name__)
    headers = {"Retry-After": DATABASE_RETRY_AFTER_S}
    if request.url.path.startswith("/console"):
        return HTMLResponse(catalogue.TEMPORARILY_UNAVAILABLE, status_code=503, headers=headers)
    body = {"error": "unavailable", "text": catalogue.TEMPORARILY_UNAVAILABLE}
    return JSONResponse(body, status_code=503, headers=headers)
