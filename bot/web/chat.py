"""The web chat: its page, the API the page posts to (text and photos), the page's history (so a
reload shows the conversation, case number included) and its mailbox for staff messages.

Every request belongs to a session the server issued (``bot/web/sessions.py``); a session sees
only its own conversation. Budgets per session and per client address keep one client from
slowing the service for everyone else.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from bot.core import catalogue
from bot.core.messages import Attachment, IncomingMessage
from bot.delivery.turns import Answered
from bot.storage.database import Database
from bot.storage.models import Attachment as StoredAttachment
from bot.storage.models import Conversation, Message, OutboxItem, StaffUser
from bot.storage.photos import NotAPhoto, PhotoStore
from bot.web.ratelimit import RequestLimits, client_address
from bot.web.sessions import WebSessions
from connectors.base import BadPayload
from connectors.webchat import MAX_TEXT_CHARS, PLATFORM, TooLong, WebChatConnector

STATIC_DIR = Path(__file__).parent / "static"
_AFTER = re.compile(r"^\d{1,18}$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PHOTO_PATH = "/api/chat/photo"
STAFF = "staff:"
BYTES_PER_MB = 1024 * 1024


@dataclass(frozen=True)
class WebChat:
    connector: WebChatConnector
    sessions: WebSessions
    limits: RequestLimits
    photos: PhotoStore
    max_photo_bytes: int


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


def _session_for_message(request: Request) -> tuple[str, str] | JSONResponse:
    """(session, cookie to set or "") for a message, within the rate limits; a request without
    a valid session cookie starts a new session."""
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
    return _slow_down(wait) if wait else (session, cookie)


def _answer(request: Request, answered: Answered, cookie: str) -> JSONResponse:
    """The bot's reply, or ``{"stored": true}`` while staff hold the conversation (the message
    is stored for them)."""
    response = JSONResponse(answered.payloads[0] if answered.payloads else {"stored": True})
    if cookie:
        _web(request).sessions.set_cookie(response, cookie)
    return response


async def chat_message(request: Request) -> Response:
    """One citizen message."""
    found = _session_for_message(request)
    if isinstance(found, JSONResponse):
        return found
    session, cookie = found
    try:
        message = _web(request).connector.message(session, await request.body())
    except TooLong:
        limit = f"{MAX_TEXT_CHARS:,}".replace(",", ".")
        return _refused(413, "too_long", catalogue.TOO_LONG.format(limit=limit))
    except BadPayload:
        return _refused(400, "bad_request", catalogue.BAD_REQUEST)
    return _answer(request, await request.app.state.runtime.turns.answer_now(message), cookie)


async def chat_photo(request: Request) -> Response:
    """A photo as the request body (``?id=`` names it, so that a retried upload is recognised):
    checked by its content, stored without metadata, and answered like a message with it."""
    found = _session_for_message(request)
    if isinstance(found, JSONResponse):
        return found
    session, cookie = found
    web = _web(request)
    message_id = request.query_params.get("id", "")
    if not _MESSAGE_ID.match(message_id):
        return _refused(400, "bad_request", catalogue.BAD_REQUEST)
    try:
        # Larger bodies than WEB_PHOTO_MAX_BYTES were refused at the door (BodyLimit).
        url = await asyncio.to_thread(web.photos.save, await request.body())
    except NotAPhoto:
        return _refused(415, "not_a_photo", catalogue.PHOTO_NOT_AN_IMAGE)
    message = IncomingMessage(
        PLATFORM, session, session, "", message_id, (Attachment("photo", url),)
    )
    return _answer(request, await request.app.state.runtime.turns.answer_now(message), cookie)


async def chat_history(request: Request) -> Response:
    """This session's conversation as the page shows it after a reload (as stored: personal
    data replaced by placeholders), the mailbox position to continue from, and the photo size
    the page may send (checked there before uploading)."""
    web = _web(request)
    limit = str(web.max_photo_bytes // BYTES_PER_MB)
    photos = {
        "max_bytes": web.max_photo_bytes,
        "too_large": catalogue.PHOTO_TOO_LARGE.format(limit=limit),
    }
    session = web.sessions.of(request)
    if session is None:
        return JSONResponse({"messages": [], "after": 0, "quick_replies": [], "photos": photos})
    found = await history(request.app.state.runtime.database, session)
    return JSONResponse(found | {"photos": photos})


async def history(database: Database, session: str) -> dict[str, object]:
    async with database.sessions() as db:
        conversation = await db.scalar(
            select(Conversation).where(
                Conversation.platform == PLATFORM, Conversation.chat_id == session
            )
        )
        if conversation is None:
            return {"messages": [], "after": 0, "quick_replies": []}
        messages = list(
            await db.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id)
                .order_by(Message.id)
            )
        )
        photos = list(
            await db.scalars(
                select(StoredAttachment).where(StoredAttachment.conversation_id == conversation.id)
            )
        )
        names = dict((await db.execute(select(StaffUser.username, StaffUser.display_name))).all())
        last_call = await db.scalar(
            select(OutboxItem)
            .where(OutboxItem.platform == PLATFORM, OutboxItem.chat_id == session)
            .order_by(OutboxItem.id.desc())
            .limit(1)
        )
        after = await db.scalar(
            select(func.max(OutboxItem.id)).where(
                OutboxItem.platform == PLATFORM, OutboxItem.chat_id == session
            )
        )
    shown = [
        (m.created_at, _shown(m, names)) for m in messages if m.text or m.direction == "out"
    ] + [(p.created_at, {"who": "citizen", "photo": True, "text": ""}) for p in photos]
    shown.sort(key=lambda pair: pair[0])
    last_out = messages[-1].direction == "out" if messages else False
    quick = last_call.payload.get("quick_replies", []) if last_call and last_out else []
    return {"messages": [m for _, m in shown], "after": after or 0, "quick_replies": quick}


def _shown(message: Message, names: dict[str, str]) -> dict[str, object]:
    if message.direction == "in":
        return {"who": "citizen", "text": message.text}
    author = message.author or ""
    if author.startswith(STAFF):
        username = author.removeprefix(STAFF)
        return {"who": "staff", "sender": names.get(username, username), "text": message.text}
    return {"who": "bot", "text": message.text}


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
