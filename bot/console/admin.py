"""For admins: accounts (add, disable or enable, reset a password), reports and the audit log."""

from __future__ import annotations

import csv
import io
import json
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from bot.console.auth import ROLES, Staff
from bot.console.reports import Period, build_report, duration, parse_period, to_csv
from bot.console.web import accounts, back, page, render
from bot.console.web import form as read_form
from bot.core import catalogue
from bot.storage.models import AuditEntry

MIN_PASSWORD = 10


@page("admin")
async def accounts_page(request: Request, staff: Staff) -> Response:
    users = await accounts(request).users()
    return render(request, "accounts.html", staff, users=users, roles=catalogue.ROLES)


@page("admin")
async def add_account(request: Request, staff: Staff) -> Response:
    form = await read_form(request)
    username = str(form.get("username", "")).strip().lower()
    name = str(form.get("display_name", "")).strip()
    role = str(form.get("role", ""))
    password = str(form.get("password", ""))
    if not username or not name or role not in ROLES:
        return back("/console/accounts", "Vui lòng điền đủ tên đăng nhập, họ tên và vai trò.")
    if len(password) < MIN_PASSWORD:
        return back("/console/accounts", f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    try:
        await accounts(request).add_user(username, name, role, password)
    except IntegrityError:
        return back("/console/accounts", "Tên đăng nhập này đã tồn tại.")
    return back("/console/accounts", f"Đã tạo tài khoản {username}.")


@page("admin")
async def toggle_account(request: Request, staff: Staff) -> Response:
    user_id = int(request.path_params["user_id"])
    if user_id == staff.id:
        return back("/console/accounts", "Bạn không thể tự khóa tài khoản của mình.")
    user = await accounts(request).user(user_id)
    if user is None:
        return back("/console/accounts", "Không tìm thấy tài khoản.")
    await accounts(request).set_active(user_id, not user.active)
    state = "mở khóa" if not user.active else "khóa"
    return back("/console/accounts", f"Đã {state} tài khoản {user.username}.")


@page("admin")
async def password_page(request: Request, staff: Staff) -> Response:
    user = await accounts(request).user(int(request.path_params["user_id"]))
    if user is None:
        return back("/console/accounts", "Không tìm thấy tài khoản.")
    if request.method == "POST":
        form = await read_form(request)
        password = str(form.get("password", ""))
        if len(password) < MIN_PASSWORD:
            return back(
                f"/console/accounts/{user.id}/password",
                f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.",
            )
        await accounts(request).set_password(user.id, password)
        return back("/console/accounts", f"Đã đặt lại mật khẩu cho {user.username}.")
    return render(request, "password.html", staff, user=user, min_length=MIN_PASSWORD)


def _period(request: Request) -> tuple[Period, bool]:
    zone = ZoneInfo(request.app.state.runtime.settings.timezone)
    params = request.query_params
    return parse_period(params.get("from", "").strip(), params.get("to", "").strip(), zone)


@page("admin")
async def reports_page(request: Request, staff: Staff) -> Response:
    period, valid = _period(request)
    report = await build_report(request.app.state.runtime.database, period)
    return render(
        request,
        "reports.html",
        staff,
        report=report,
        duration=duration,
        invalid="" if valid else "Ngày không hợp lệ; đang hiển thị 30 ngày gần nhất.",
    )


@page("admin")
async def reports_csv(request: Request, staff: Staff) -> Response:
    period, _ = _period(request)
    report = await build_report(request.app.state.runtime.database, period)
    name = f"bao-cao_{period.first.isoformat()}_{period.last.isoformat()}.csv"
    return Response(
        to_csv(report).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


AUDIT_SHOWN = 300


async def _audit_entries(request: Request) -> list[AuditEntry]:
    """The audit log, newest first, filtered by who, what and target."""
    params = request.query_params
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_SHOWN)
    if actor := params.get("actor", "").strip():
        query = query.where(AuditEntry.actor.contains(actor))
    if action := params.get("action", "").strip():
        query = query.where(AuditEntry.action == action)
    if target := params.get("target", "").strip():
        query = query.where(AuditEntry.target.contains(target))
    async with request.app.state.runtime.database.sessions() as session:
        return list(await session.scalars(query))


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else ""


@page("admin")
async def audit_page(request: Request, staff: Staff) -> Response:
    return render(
        request,
        "audit.html",
        staff,
        entries=await _audit_entries(request),
        actions=catalogue.AUDIT_ACTIONS,
        params=request.query_params,
        as_json=_json,
    )


@page("admin")
async def audit_csv(request: Request, staff: Staff) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(catalogue.AUDIT_COLUMNS)
    for entry in await _audit_entries(request):
        writer.writerow(
            [
                entry.at.isoformat(),
                entry.actor,
                catalogue.label(catalogue.AUDIT_ACTIONS, entry.action),
                entry.target,
                _json(entry.before),
                _json(entry.after),
            ]
        )
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="nhat-ky-thay-doi.csv"'},
    )
