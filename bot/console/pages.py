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

from bot.console.actions import OUTCOMES, Console, ConsoleError
from bot.console.auth import COOKIE, LOGIN_CSRF_COOKIE, SESSION_TTL, LoginThrottled, Staff, same
from bot.console.queue import queue
from bot.console.transcript import failed_deliveries, transcript
from bot.console.web import TEMPLATES, accounts, back, page, render
from bot.console.web import form as read_form
from bot.storage.models import CannedReply, StaffUser
from bot.web.ratelimit import client_address

STREAM_S = 300.0  # an event stream ends after this; the browser reconnects by itself


def console(request: Request) -> Console:
    return Console(request.app.state.runtime.database, request.app.state.delivery)


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
        return render(
            request, "error.html", None, 403, message="Phiên đăng nhập hết hạn, vui lòng thử lại."
        )
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    agent = request.headers.get("user-agent", "")
    try:
        token = await accounts(request).login(username, password, client_address(request), agent)
    except LoginThrottled as throttled:
        error, status = (
            f"Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau {throttled.wait_s} giây "
            "hoặc liên hệ quản trị viên.",
            429,
        )
    else:
        if token is not None:
            response = RedirectResponse("/console/", status_code=303)
            _cookie(response, COOKIE, token, int(SESSION_TTL.total_seconds()))
            return response
        error, status = "Tên đăng nhập hoặc mật khẩu không đúng.", 401
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
    dead = await request.app.state.delivery.store.dead_letters()
    return render(
        request, "queue.html", staff, items=items, sla=settings.console_sla_min, dead=dead
    )


@page("admin")
async def retry_dead_letter(request: Request, staff: Staff) -> Response:
    """Put a message set aside back in the queue, once its cause is fixed."""
    retried = await request.app.state.delivery.store.retry_dead_letter(
        int(request.path_params["item_id"])
    )
    return back("/console/", "Đã đưa tin nhắn vào hàng xử lý lại." if retried else "")


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
                    "waiting": sum(i.state == "waiting_staff" for i in items),
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
    tools = console(request)
    try:
        conversation = await tools.conversation(conversation_id, staff)
    except ConsoleError as error:
        return render(request, "error.html", staff, 404, message=str(error))
    case = await tools.case(conversation_id)
    database = request.app.state.runtime.database
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
        notes=await tools.notes(case.id) if case else [],
        transitions=await tools.conversations.transitions(conversation_id),
        colleagues=[u for u in users if u.active and u.role != "editor" and u.id != staff.id],
        canned=filled,
        draft=draft,
        outcomes=OUTCOMES,
    )


@page("staff")
async def conversation_action(request: Request, staff: Staff) -> Response:
    conversation_id = int(request.path_params["conversation_id"])
    action = request.path_params["action"]
    form = await read_form(request)
    text = str(form.get("text", ""))
    tools = console(request)
    url = f"/console/conversations/{conversation_id}"
    try:
        if action == "claim":
            await tools.claim(conversation_id, staff)
            done = "Bạn đã nhận cuộc trò chuyện."
        elif action == "release":
            await tools.release(conversation_id, staff)
            done = "Cuộc trò chuyện đã trở lại hàng chờ."
        elif action == "transfer":
            name = await tools.transfer(conversation_id, staff, int(str(form.get("to", "0"))))
            done = f"Đã chuyển cho {name}."
        elif action == "reply":
            await tools.reply(conversation_id, staff, text)
            done = "Đã gửi tin nhắn."
        elif action == "note":
            await tools.note(conversation_id, staff, text)
            done = "Đã lưu ghi chú nội bộ."
        elif action == "fields":
            keys = form.getlist("key")
            vals = form.getlist("value")
            fields = {str(k).strip(): str(v).strip() for k, v in zip(keys, vals, strict=False)}
            fields = {k: v for k, v in fields.items() if k}
            await tools.save_fields(conversation_id, staff, fields)
            done = "Đã lưu hồ sơ."
        elif action == "return":
            await tools.return_to_bot(conversation_id, staff)
            done = "Cuộc trò chuyện đã trở lại trợ lý tự động."
        elif action == "resolve":
            await tools.resolve(conversation_id, staff, str(form.get("outcome", "")))
            done = "Hồ sơ đã được đóng; người dân được mời đánh giá."
        else:
            return render(request, "error.html", staff, 404, message="Không có thao tác này.")
    except ConsoleError as error:
        return back(url, str(error))
    except ValueError:
        return back(url, "Dữ liệu gửi lên không hợp lệ.")
    return back(url, done)


@page("editor")
async def editor_page(request: Request, staff: Staff) -> Response:
    return render(request, "editor.html", staff)


@page()
async def sessions_page(request: Request, staff: Staff) -> Response:
    """The browsers signed in to this account; any of them can be signed out from here."""
    found = await accounts(request).sessions_of(staff.id)
    return render(request, "sessions.html", staff, sessions=found)


@page()
async def revoke_session(request: Request, staff: Staff) -> Response:
    chosen = str((await read_form(request)).get("session", ""))
    if not await accounts(request).revoke(staff.id, chosen):
        return back("/console/sessions", "Không tìm thấy phiên đăng nhập này.")
    if chosen == staff.session_hash:
        return RedirectResponse("/console/login", status_code=303)
    return back("/console/sessions", "Đã đăng xuất phiên đó.")
