"""Sign-in, the queue (with its Server-Sent Events) and the conversation view."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from bot.console.auth import COOKIE, LOGIN_CSRF_COOKIE, SESSION_TTL, LoginThrottled, Staff, same
from bot.console.queue import queue
from bot.console.transcript import conversation_view, failed_deliveries, transcript
from bot.console.web import TEMPLATES, accounts, back, page, render
from bot.console.web import form as read_form
from bot.core import catalogue
from bot.core.conversation import State
from bot.delivery.conversations import ConversationService, NotAllowed
from bot.storage.models import CannedReply, StaffUser
from bot.web.ratelimit import client_address

STREAM_S = 300.0  # an event stream ends after this; the browser reconnects by itself


def conversations(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.runtime.conversations
    return service


def _cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/console", secure=True, httponly=True, samesite="lax"
    )


async def login_page(request: Request) -> Response:
    if request.method == "POST":
        return await _login(request)
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, csrf=token, error="")
    _cookie(response, LOGIN_CSRF_COOKIE, token, 3600)
    return response


async def _login(request: Request) -> Response:
    form = await read_form(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = form.get("csrf")
    if not expected or not isinstance(sent, str) or not same(sent, expected):
        return render(request, "error.html", None, 403, message=catalogue.LOGIN_EXPIRED)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    agent = request.headers.get("user-agent", "")
    try:
        token = await accounts(request).login(username, password, client_address(request), agent)
    except LoginThrottled as throttled:
        error, status = catalogue.LOGIN_THROTTLED.format(seconds=throttled.wait_s), 429
    else:
        if token is not None:
            response = RedirectResponse("/console/", status_code=303)
            _cookie(response, COOKIE, token, int(SESSION_TTL.total_seconds()))
            return response
        error, status = catalogue.LOGIN_WRONG, 401
    return render(
        request, "login.html", None, status, csrf=expected, error=error, username=username
    )


@page()
async def logout(request: Request, staff: Staff) -> Response:
    await accounts(request).logout(request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console", secure=True, httponly=True, samesite="lax")
    return response


@page()
async def home(request: Request, staff: Staff) -> Response:
    if staff.role == "editor":
        return RedirectResponse("/console/editor", status_code=303)
    return await queue_page(request)


@page("staff")
async def queue_page(request: Request, staff: Staff) -> Response:
    settings = request.app.state.runtime.settings
    items = await queue(request.app.state.runtime.database, settings.console_sla_min)
    dead = await request.app.state.runtime.store.dead_letters()
    return render(
        request, "queue.html", staff, items=items, sla=settings.console_sla_min, dead=dead
    )


@page("admin")
async def retry_dead_letter(request: Request, staff: Staff) -> Response:
    """Put a message set aside back in the queue, once its cause is fixed."""
    retried = await request.app.state.runtime.store.retry_dead_letter(
        int(request.path_params["item_id"])
    )
    return back("/console/", catalogue.DEAD_LETTER_RETRIED if retried else "")


@page("staff")
async def events(request: Request, staff: Staff) -> Response:
    """``queue`` events carrying the re-rendered list whenever it changes."""
    settings = request.app.state.runtime.settings
    database = request.app.state.runtime.database
    fragment = TEMPLATES.get_template("_queue_rows.html")

    async def stream() -> AsyncIterator[str]:
        last = None
        ends = time.monotonic() + STREAM_S
        yield "retry: 2000\n\n"
        while time.monotonic() < ends and not await request.is_disconnected():
            items = await queue(database, settings.console_sla_min)
            html = fragment.render(items=items, sla=settings.console_sla_min)
            if html != last:
                last = html
                data = {
                    "html": html,
                    "waiting": sum(i.state == State.WAITING_STAFF for i in items),
                    "overdue": sum(i.overdue for i in items),
                }
                yield f"event: queue\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
            else:
                yield ": ping\n\n"
            await asyncio.sleep(1.0)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@page("staff")
async def conversation_page(request: Request, staff: Staff) -> Response:
    conversation_id = int(request.path_params["conversation_id"])
    try:
        await conversations(request).visible(conversation_id, staff)
    except NotAllowed as error:
        return render(request, "error.html", staff, 404, message=str(error))
    database = request.app.state.runtime.database
    view = await conversation_view(database, conversation_id)
    conversation, case = view.conversation, view.case
    async with database.sessions() as session:
        users = list(await session.scalars(select(StaffUser).order_by(StaffUser.display_name)))
        canned = list(await session.scalars(select(CannedReply).order_by(CannedReply.id)))
    names = {u.id: u.display_name for u in users}
    values = {"ten_can_bo": staff.display_name, "ma_ho_so": case.number if case else ""}
    filled = [(c, c.text.format_map(values)) for c in canned]
    chosen = request.query_params.get("canned", "")
    draft = next((text for c, text in filled if str(c.id) == chosen), "")
    return render(
        request,
        "conversation.html",
        staff,
        conversation=conversation,
        case=case,
        holder=names.get(case.assigned_to) if case and case.assigned_to else "",
        mine=bool(case and case.assigned_to == staff.id),
        entries=await transcript(database, conversation_id),
        failed=await failed_deliveries(database, conversation.platform, conversation.chat_id),
        notes=view.notes,
        transitions=view.transitions,
        colleagues=[u for u in users if u.active and u.role != "editor" and u.id != staff.id],
        canned=filled,
        draft=draft,
        outcomes=catalogue.OUTCOMES,
    )


@page("staff")
async def conversation_action(request: Request, staff: Staff) -> Response:
    conversation_id = int(request.path_params["conversation_id"])
    action = request.path_params["action"]
    form = await read_form(request)
    text = str(form.get("text", ""))
    service = conversations(request)
    url = f"/console/conversations/{conversation_id}"
    try:
        if action == "claim":
            await service.claim(conversation_id, staff)
            done = catalogue.CLAIMED
        elif action == "release":
            await service.release(conversation_id, staff)
            done = catalogue.RELEASED
        elif action == "transfer":
            name = await service.transfer(conversation_id, staff, int(str(form.get("to", "0"))))
            done = catalogue.TRANSFERRED.format(name=name)
        elif action == "reply":
            await service.reply(conversation_id, staff, text)
            done = catalogue.SENT
        elif action == "note":
            await service.note(conversation_id, staff, text)
            done = catalogue.NOTE_SAVED
        elif action == "fields":
            keys, values = form.getlist("key"), form.getlist("value")
            pairs = {str(k).strip(): str(v).strip() for k, v in zip(keys, values, strict=False)}
            await service.save_fields(conversation_id, staff, {k: v for k, v in pairs.items() if k})
            done = catalogue.FIELDS_SAVED
        elif action == "return":
            await service.return_to_bot(conversation_id, staff)
            done = catalogue.BACK_WITH_BOT
        elif action == "resolve":
            await service.resolve(conversation_id, staff, str(form.get("outcome", "")))
            done = catalogue.RESOLVED
        else:
            return render(request, "error.html", staff, 404, message=catalogue.NO_SUCH_ACTION)
    except NotAllowed as error:
        return back(url, str(error))
    except ValueError:
        return back(url, catalogue.BAD_FORM)
    return back(url, done)


@page()
async def sessions_page(request: Request, staff: Staff) -> Response:
    """The browsers signed in to this account; any of them can be signed out from here."""
    found = await accounts(request).sessions_of(staff.id)
    return render(request, "sessions.html", staff, sessions=found)


@page()
async def revoke_session(request: Request, staff: Staff) -> Response:
    chosen = str((await read_form(request)).get("session", ""))
    if not await accounts(request).revoke(staff.id, chosen):
        return back("/console/sessions", catalogue.SESSION_NOT_FOUND)
    if chosen == staff.session_hash:
        return RedirectResponse("/console/login", status_code=303)
    return back("/console/sessions", catalogue.SESSION_REVOKED)
