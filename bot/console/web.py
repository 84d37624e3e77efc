"""Request plumbing shared by the pages: templates, the signed-in user, role and CSRF checks."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote
from zoneinfo import ZoneInfo

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from bot.console.auth import COOKIE, Accounts, Staff, same
from bot.core import catalogue

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
LOGIN = "/console/login"
MAX_UPLOADED_FILES = 1
MAX_FORM_FIELDS = 50

Handler = Callable[[Request, Staff], Awaitable[Response]]


class Form:
    """A urlencoded form body (the console's forms are all plain ``application/x-www-form-
    urlencoded``; Starlette's parser would need python-multipart)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def get(self, key: str, default: str = "") -> str:
        return next((v for k, v in self._pairs if k == key), default)

    def getlist(self, key: str) -> list[str]:
        return [v for k, v in self._pairs if k == key]


async def form(request: Request) -> Form:
    """The request's form, parsed once (an editor's file upload is multipart: its fields are
    here, its file in ``uploaded``)."""
    if not hasattr(request.state, "form"):
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            data = await request.form(max_files=MAX_UPLOADED_FILES, max_fields=MAX_FORM_FIELDS)
            items = data.multi_items()
            request.state.form = Form([(k, v) for k, v in items if isinstance(v, str)])
            request.state.files = {k: v for k, v in items if isinstance(v, UploadFile)}
        else:
            body = (await request.body()).decode("utf-8", errors="replace")
            request.state.form = Form(parse_qsl(body, keep_blank_values=True))
    parsed: Form = request.state.form
    return parsed


async def uploaded(request: Request, name: str) -> tuple[str, bytes] | None:
    """The file sent in the multipart field ``name``: (its name, its bytes)."""
    await form(request)
    upload = getattr(request.state, "files", {}).get(name)
    if upload is None:
        return None
    return upload.filename or "", await upload.read()


def accounts(request: Request) -> Accounts:
    return Accounts(request.app.state.runtime.database)


def local_time(moment: datetime | None, request: Request) -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(request.app.state.runtime.settings.timezone)
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def _page_context(request: Request, staff: Staff | None) -> dict[str, Any]:
    return {
        "request": request,
        "staff": staff,
        "notice": request.query_params.get("msg", ""),
        "fmt": lambda m: local_time(m, request),
    }


def render(
    request: Request, template: str, staff: Staff | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, template, context | _page_context(request, staff), status_code
    )


def fragment(request: Request, template: str, staff: Staff | None, **context: Any) -> str:
    """A part of a page, rendered for the page's script to put in place."""
    return TEMPLATES.get_template(template).render(context | _page_context(request, staff))


def forbidden(request: Request, staff: Staff | None, text: str) -> HTMLResponse:
    return render(request, "error.html", staff, status_code=403, message=text)


def page(*roles: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Anonymous → 303 to the login page; wrong role or, on POST, a missing or wrong CSRF token
    → 403; otherwise the handler runs with the signed-in user."""

    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(handler)
        async def wrapped(request: Request) -> Response:
            token = request.cookies.get(COOKIE, "")
            staff = await accounts(request).staff(token) if token else None
            if staff is None:
                return RedirectResponse(LOGIN, status_code=303)
            if roles and not staff.may(*roles):
                return forbidden(request, staff, catalogue.FORBIDDEN_PAGE)
            if request.method == "POST":
                sent = (await form(request)).get("csrf")
                if not sent or not same(sent, staff.csrf_token):
                    return forbidden(request, staff, catalogue.BAD_CSRF)
            return await handler(request, staff)

        return wrapped

    return decorate


def back(url: str, message: str = "") -> RedirectResponse:
    """303 to ``url``, with a notice shown on the page."""
    if message:
        url = f"{url}{'&' if '?' in url else '?'}msg={quote(message)}"
    return RedirectResponse(url, status_code=303)
