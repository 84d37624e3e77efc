"""Sign-in, the queue (with its Server-Sent Events) and the conversation view."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from bot.console.auth import COOKIE, LOGIN_CSRF_COOKIE, SESSION_TTL, LoginThrottled, Staff, same
from bot.console.present import Names, case_fields, history_line, stored_value
from bot.console.queue import View, in_view, queue
from bot.console.search import search
from bot.console.transcript import conversation_view, failed_deliveries, mark_read, transcript
from bot.console.web import Form, accounts, back, fragment, local_time, page, render
from bot.console.web import form as read_form
from bot.core import catalogue
from bot.core.catalogue import label
from bot.core.conversation import State
from bot.delivery.conversations import ConversationService, NotAllowed
from bot.storage.models import CannedReply, StaffUser
from bot.web.ratelimit import client_address

STREAM_S = 300.0  # an event stream ends after this; the browser reconnects by itself
POLL_S = 1.0
"""How often an event stream looks at the database."""
REGIONS = ("head", "transcript", "composer", "side")
"""The parts of a conversation's page that are re-rendered in place."""
DIGEST_BYTES = 8
FETCH_HEADER = "x-console-fetch"
"""Sent by the console's script: answer with JSON instead of a redirect."""
CONFIRMED = "1"
COLLAPSE_CHARS = 400
"""Bot answers longer than this are shown folded to their first lines."""


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


def _view(request: Request) -> View:
    return View.named(request.query_params.get("view", ""))


async def _queue_context(request: Request, staff: Staff, view: View) -> dict[str, Any]:
    """The rows of a view, and the counts its filter tabs show."""
    runtime = request.app.state.runtime
    open_items = await queue(runtime.database, runtime.settings, staff.id)
    items = (
        await queue(runtime.database, runtime.settings, staff.id, View.CLOSED)
        if view is View.CLOSED
        else [item for item in open_items if in_view(item, view)]
    )
    counts = {v.value: sum(in_view(i, v) for i in open_items) for v in View if v != View.CLOSED}
    return {
        "items": items,
        "view": view.value,
        "counts": counts,
        "sla": runtime.settings.console_sla_min,
        "waiting_ids": [i.conversation_id for i in open_items if i.waiting],
        "overdue": sum(i.overdue for i in open_items),
    }


@page("staff")
async def queue_page(request: Request, staff: Staff) -> Response:
    context = await _queue_context(request, staff, _view(request))
    dead = await request.app.state.runtime.store.dead_letters()
    return render(request, "queue.html", staff, dead=dead, **context)


@page("admin")
async def retry_dead_letter(request: Request, staff: Staff) -> Response:
    """Put a message set aside back in the queue, once its cause is fixed."""
    retried = await request.app.state.runtime.store.retry_dead_letter(
        int(request.path_params["item_id"])
    )
    return back("/console/", catalogue.DEAD_LETTER_RETRIED if retried else "")


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _stream(request: Request, produce: Callable[[], Awaitable[str | None]]) -> Response:
    """Server-Sent Events: ``produce`` is called every second and its event sent when it has
    one (a comment keeps the connection alive otherwise) until the stream's time is up."""

    async def stream() -> AsyncIterator[str]:
        ends = time.monotonic() + STREAM_S
        yield "retry: 2000\n\n"
        while time.monotonic() < ends and not await request.is_disconnected():
            yield await produce() or ": ping\n\n"
            await asyncio.sleep(POLL_S)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@page("staff")
async def events(request: Request, staff: Staff) -> Response:
    """``queue`` events whenever the staff member's queue changes: the rows of the view asked
    for, the counts, and the waiting conversations (new ones ring and notify)."""
    view = _view(request)
    last = ""

    async def produce() -> str | None:
        nonlocal last
        context = await _queue_context(request, staff, view)
        data = {
            "html": fragment(request, "_queue_rows.html", staff, **context),
            "waiting": len(context["waiting_ids"]),
            "waiting_ids": context["waiting_ids"],
            "overdue": context["overdue"],
            "counts": context["counts"],
        }
        encoded = _event("queue", data)
        if encoded == last:
            return None
        last = encoded
        return encoded

    return _stream(request, produce)


async def _conversation_context(
    request: Request, staff: Staff, conversation_id: int
) -> dict[str, Any]:
    """Everything a conversation's page shows; the conversation counts as read by ``staff``."""
    runtime = request.app.state.runtime
    database = runtime.database
    view = await conversation_view(database, conversation_id)
    conversation, case = view.conversation, view.case
    async with database.sessions() as session:
        users = list(await session.scalars(select(StaffUser).order_by(StaffUser.display_name)))
        canned = list(await session.scalars(select(CannedReply).order_by(CannedReply.id)))
    names = Names([(u.id, u.username, u.display_name) for u in users])
    values = {"ten_can_bo": staff.display_name, "ma_ho_so": case.number if case else ""}
    entries = await transcript(database, conversation_id)
    await mark_read(database, conversation_id, staff.id)
    mine = bool(case and case.assigned_to == staff.id)
    held = conversation.state == State.WITH_STAFF
    return {
        "conversation": conversation,
        "platform": label(catalogue.PLATFORMS, conversation.platform),
        "case": case,
        "fields": case_fields(case.fields or {}) if case else [],
        "holder": names.of_id(case.assigned_to) if case else "",
        "mine": mine,
        "may_act": held and (mine or staff.is_admin),
        "names": names,
        "entries": entries,
        "collapse_chars": COLLAPSE_CHARS,
        "failed": await failed_deliveries(database, conversation.platform, conversation.chat_id),
        "notes": view.notes,
        "history": [
            history_line(t, names, lambda m: local_time(m, request)) for t in view.transitions
        ],
        "earlier": [
            (e.case, case_fields(e.case.fields or {}), names.of_id(e.case.assigned_to), e.notes)
            for e in view.earlier
        ],
        "colleagues": [u for u in users if u.active and u.role != "editor" and u.id != staff.id],
        "canned": [(c, _filled(c.text, values)) for c in canned],
        "outcomes": catalogue.OUTCOMES,
        "kinds": catalogue.CASE_KIND_TITLES,
        "reasons": catalogue.REASONS,
    }


def _filled(text: str, values: dict[str, str]) -> str:
    """A canned reply with its placeholders filled; any other braces are left as written."""
    for name, value in values.items():
        text = text.replace(f"{{{name}}}", value)
    return text


def _regions(request: Request, staff: Staff, context: dict[str, Any]) -> dict[str, Any]:
    """The page's parts, and a digest of each: the script replaces a part only when its digest
    changed (so what staff are typing in an unchanged part is never touched)."""
    regions = {name: fragment(request, f"_conv_{name}.html", staff, **context) for name in REGIONS}
    digests = {
        name: hashlib.blake2b(html.encode(), digest_size=DIGEST_BYTES).hexdigest()
        for name, html in regions.items()
    }
    return {"regions": regions, "digests": digests}


@page("staff")
async def conversation_page(request: Request, staff: Staff) -> Response:
    """The conversation's page; ``?pane=1``: only the conversation, for the queue's pane."""
    conversation_id = int(request.path_params["conversation_id"])
    try:
        await conversations(request).visible(conversation_id, staff)
    except NotAllowed as error:
        return render(request, "error.html", staff, 404, message=str(error))
    context = await _conversation_context(request, staff, conversation_id)
    context |= _regions(request, staff, context)
    if request.query_params.get("pane"):
        return HTMLResponse(fragment(request, "_conversation.html", staff, **context))
    return render(request, "conversation.html", staff, **context)


@page("staff")
async def conversation_events(request: Request, staff: Staff) -> Response:
    """``regions`` events carrying the parts of the conversation's page that changed (a
    citizen's new message, a delivery status, a colleague's claim or note)."""
    conversation_id = int(request.path_params["conversation_id"])
    try:
        await conversations(request).visible(conversation_id, staff)
    except NotAllowed as error:
        return render(request, "error.html", staff, 404, message=str(error))
    last: dict[str, str] = {}

    async def produce() -> str | None:
        context = await _conversation_context(request, staff, conversation_id)
        parts = _regions(request, staff, context)
        digests = parts["digests"]
        changed = [name for name in REGIONS if last.get(name) != digests[name]]
        if not changed:
            return None
        last.update(digests)
        return _event(
            "regions",
            {
                "regions": {name: parts["regions"][name] for name in changed},
                "digests": {name: digests[name] for name in changed},
            },
        )

    return _stream(request, produce)


async def _act(
    service: ConversationService, action: str, conversation_id: int, staff: Staff, form: Form
) -> str:
    """Do one staff action; returns what to tell the staff member. Raises NotAllowed, and
    KeyError for an unknown action."""
    text = form.get("text")
    if action == "claim":
        await service.claim(conversation_id, staff)
        return catalogue.CLAIMED
    if action == "release":
        await service.release(conversation_id, staff)
        return catalogue.RELEASED
    if action == "transfer":
        name = await service.transfer(conversation_id, staff, int(form.get("to", "0")))
        return catalogue.TRANSFERRED.format(name=name)
    if action == "reply":
        await service.reply(conversation_id, staff, text)
        return catalogue.SENT
    if action == "note":
        await service.note(conversation_id, staff, text)
        return catalogue.NOTE_SAVED
    if action == "fields":
        pairs = zip(form.getlist("key"), form.getlist("value"), strict=False)
        fields = {k.strip(): stored_value(k.strip(), v.strip()) for k, v in pairs if k.strip()}
        await service.save_fields(conversation_id, staff, fields)
        return catalogue.FIELDS_SAVED
    if action == "return":
        await service.return_to_bot(conversation_id, staff)
        return catalogue.BACK_WITH_BOT
    if action == "resolve":
        if form.get("confirm") != CONFIRMED:
            raise NotAllowed(catalogue.CONFIRM_RESOLVE)
        await service.resolve(conversation_id, staff, form.get("outcome"))
        return catalogue.RESOLVED
    raise KeyError(action)


@page("staff")
async def conversation_action(request: Request, staff: Staff) -> Response:
    """A staff action. From the page's script (``X-Console-Fetch``): JSON with the notice and
    the page's regions re-rendered, so nothing reloads; from a plain form: 303 back."""
    conversation_id = int(request.path_params["conversation_id"])
    service = conversations(request)
    url = f"/console/conversations/{conversation_id}"
    action = request.path_params["action"]
    try:
        notice = await _act(service, action, conversation_id, staff, await read_form(request))
        failed = False
    except NotAllowed as error:
        notice, failed = str(error), True
    except ValueError:
        notice, failed = catalogue.BAD_FORM, True
    except KeyError:
        return render(request, "error.html", staff, 404, message=catalogue.NO_SUCH_ACTION)
    if not request.headers.get(FETCH_HEADER):
        return back(url, notice)
    try:
        await service.visible(conversation_id, staff)
    except NotAllowed as error:
        return JSONResponse({"notice": str(error), "error": True}, status_code=404)
    context = await _conversation_context(request, staff, conversation_id)
    return JSONResponse({"notice": notice, "error": failed} | _regions(request, staff, context))


@page("staff")
async def claim_next(request: Request, staff: Staff) -> Response:
    """Claim the citizen who has waited longest (the next one if a colleague was quicker): no
    one has to pick or assign. The script gets JSON; a plain form goes to the conversation."""
    runtime = request.app.state.runtime
    service = conversations(request)
    for item in await queue(runtime.database, runtime.settings, staff.id, View.WAITING):
        try:
            await service.claim(item.conversation_id, staff)
        except NotAllowed:
            continue
        if request.headers.get(FETCH_HEADER):
            return JSONResponse(
                {"notice": catalogue.CLAIMED, "conversation_id": item.conversation_id}
            )
        return back(f"/console/conversations/{item.conversation_id}", catalogue.CLAIMED)
    if request.headers.get(FETCH_HEADER):
        return JSONResponse({"notice": catalogue.NOBODY_WAITING, "error": True})
    return back("/console/", catalogue.NOBODY_WAITING)


@page("staff")
async def search_page(request: Request, staff: Staff) -> Response:
    query = request.query_params.get("q", "")
    found = await search(request.app.state.runtime.database, query, staff.is_admin)
    return render(request, "search.html", staff, query=query, found=found)


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
