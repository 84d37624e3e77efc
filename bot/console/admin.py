"""For admins: accounts (add, disable or enable, reset a password) and reports."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from bot.console.auth import ROLES, Staff
from bot.console.reports import Period, build_report, duration, parse_period, to_csv
from bot.console.web import accounts, back, page, render
from bot.console.web import form as read_form
from bot.core import catalogue

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
