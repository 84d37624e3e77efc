"""The web chat: its page, the API the page posts to, and the page's mailbox for staff catalogue.

Every request belongs to a session the server issued (``bot/web/sessions.py``); a session sees
only its own conversation. Budgets per session and per client address keep one client from
slowing the service for everyone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from bot.core import catalogue
from bot.web.ratelimit import RequestLimits, client_address
from bot.web.sessions import WebSessions
from connectors.base import BadPayload
from connectors.webchat import MAX_TEXT_CHARS, PLATFORM, TooLong, WebChatConnector

STATIC_DIR = Path(__file__).parent / "static"
_AFTER = re.compile(r"^\d{1,18}$")


@dataclass(frozen=True)
class WebChat:
    connector: WebChatConnector
    sessions: WebSessions
    limits: RequestLimits


def _web(request: Request) -> WebChat:
    web: WebChat = request.app.state.runtime.web
    return web


def _refused(status_code: int, error: str, text: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": error, "text": text}, status_code=status_code, headers=headers)


def _slow_down(wait_s: float) -> JSONResponse:
    seconds = str(round(wait_s))
    return _refused(
        429, "rate_limited", catalogue.SLOW_DOWN.format(seconds=seconds), **{"Retry-After": seconds}
    )


async def chat_page(request: Request) -> Response:
    response = FileResponse(STATIC_DIR / "chat.html")
    web = _web(request)
    if web.sessions.of(request) is None:
        _, cookie = web.sessions.new()
        web.sessions.set_cookie(response, cookie)
    return response


async def chat_message(request: Request) -> Response:
    """One citizen message: the bot's reply, or ``{"stored": true}`` while staff hold the
    conversation. A request without a valid session cookie starts a new session."""
    web = _web(request)
    address = client_address(request)
    session, cookie = web.sessions.of(request), ""
    if session is None:
        if wait := web.limits.wait_s("session_per_address", address):
            return _slow_down(wait)
        session, cookie = web.sessions.new()
    wait = web.limits.wait_s("message_per_address", address) or web.limits.wait_s(
        "message_per_session", session
    )
    if wait:
        return _slow_down(wait)
    try:
        message = web.connector.message(session, await request.body())
    except TooLong:
        limit = f"{MAX_TEXT_CHARS:,}".replace(",", ".")
        return _refused(413, "too_long", catalogue.TOO_LONG.format(limit=limit))
    except BadPayload:
        return _refused(400, "bad_request", catalogue.BAD_REQUEST)
    answered = await request.app.state.runtime.turns.answer_now(message)
    # No reply: staff hold the conversation (the message is stored for them).
    response = JSONResponse(answered.payloads[0] if answered.payloads else {"stored": True})
    if cookie:
        web.sessions.set_cookie(response, cookie)
    return response


async def chat_updates(request: Request) -> Response:
    """Messages for this session that came after the page's last one (staff replies)."""
    web = _web(request)
    after = request.query_params.get("after", "0")
    if not _AFTER.match(after):
        return _refused(400, "bad_request", catalogue.BAD_REQUEST)
    session = web.sessions.of(request)
    if session is None:
        return JSONResponse({"messages": []})
    if wait := web.limits.wait_s("updates_per_session", session):
        return _slow_down(wait)
    items = await request.app.state.runtime.store.mailbox(PLATFORM, session, int(after))
    return JSONResponse({"messages": [{"id": i.id, **i.payload} for i in items]})
