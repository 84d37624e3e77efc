"""A Telegram Bot API server on loopback, for tests of the real python-telegram-bot client.

Speaks ``/bot<token>/<method>`` with JSON or url-encoded form bodies (PTB sends forms whose
non-string values are JSON-encoded), records every call, and can be told to fail the next call of
a method the way Telegram does (429 with ``retry_after``, 403 blocked, 400…).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.loopback import serving

TOKEN = "123456:TEST-fake-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Fake", "username": "fake_bot"}
JSON_FIELDS = {"reply_markup", "allowed_updates"}
FORMATTING_TAG = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre)>")
DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
}

Params = dict[str, Any]


@dataclass(frozen=True)
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None


class FakeBotApi:
    """``async with FakeBotApi() as api``: serving at ``api.base_url`` (PTB's ``base_url``)."""

    def __init__(self, token: str = TOKEN, port: int = 0) -> None:
        """``port``: where to listen (0: any free port)."""
        self.token = token
        self.files: dict[str, bytes] = {}
        """Files citizens sent, by file_id: served by getFile and the file download URL."""
        self._down_until = 0.0
        self.calls: list[tuple[str, Params]] = []
        self.refused: list[tuple[str, Params]] = []  # calls answered 502 during an outage
        self.delivered: list[tuple[float, str]] = []  # (monotonic time, chat) of accepted texts
        self.on_delivered: Callable[[float, str], None] | None = None
        """Told of each accepted text as it arrives (the load generator waits on it)."""
        self.webhook: Params | None = None
        self._failures: list[Failure] = []
        self._updates: list[dict[str, Any]] = []
        self._new_updates = asyncio.Event()
        self._message_ids = itertools.count(1)
        self._stack = AsyncExitStack()
        self.url = ""
        self.port = port
        self._methods: dict[str, Callable[[Params], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "answerCallbackQuery": self._true,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getUpdates": self._get_updates,
            "getFile": self._get_file,
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def settings(self, webhook_secret: str) -> dict[str, str]:
        """The bot's Telegram settings pointing at this server."""
        return {
            "telegram_bot_token": self.token,
            "telegram_webhook_secret": webhook_secret,
            "telegram_api_base": self.base_url,
        }

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """The next call of ``method`` fails with ``status`` (once; failures queue up)."""
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else DESCRIPTIONS.get(status, "Error")
            )
        self._failures.append(Failure(method, status, description, retry_after))

    def down_for(self, seconds: float) -> None:
        """An outage: every call answers 502 Bad Gateway for ``seconds``."""
        self._down_until = time.monotonic() + seconds

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        self._updates.append(update)
        self._new_updates.set()

    def calls_of(self, method: str) -> list[Params]:
        return [params for name, params in self.calls if name == method]

    async def __aenter__(self) -> FakeBotApi:
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file),
            ]
        )
        self.url = await self._stack.enter_async_context(serving(app, port=self.port))
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._new_updates.set()
        await self._stack.aclose()

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await _params(request)
        self.calls.append((method, params))
        if time.monotonic() < self._down_until:
            self.refused.append((method, params))
            return _error(502, "Bad Gateway")
        handler = self._methods.get(method)
        if handler is None:
            return _error(404, "Not Found")
        for failure in self._failures:
            if failure.method == method:
                self._failures.remove(failure)
                extra = {"retry_after": failure.retry_after} if failure.retry_after else None
                return _error(failure.status, failure.description, extra)
        try:
            result = await handler(params)
        except BadCall as error:
            return _error(error.status, str(error))
        return JSONResponse({"ok": True, "result": result})

    async def _get_me(self, params: Params) -> Any:
        return BOT_USER

    async def _true(self, params: Params) -> Any:
        return True

    async def _send_message(self, params: Params) -> Any:
        text = str(params.get("text") or "")
        if not text:
            raise BadCall("Bad Request: message text is empty")
        if params.get("parse_mode") == "HTML":
            # Telegram's formatting tags become entities; any other < or > is refused.
            plain = FORMATTING_TAG.sub("", text)
            if "<" in plain or ">" in plain:
                raise BadCall("Bad Request: can't parse entities: unsupported start tag")
            text = html.unescape(plain)
        if len(text) > 4096:
            raise BadCall("Bad Request: message is too long")
        delivered = (time.monotonic(), str(params["chat_id"]))
        self.delivered.append(delivered)
        if self.on_delivered is not None:
            self.on_delivered(*delivered)
        return self._message(params, text=text)

    async def _send_photo(self, params: Params) -> Any:
        photo = [{"file_id": "photo-1", "file_unique_id": "u1", "width": 1, "height": 1}]
        return self._message(params, photo=photo, caption=params.get("caption", ""))

    async def _set_webhook(self, params: Params) -> Any:
        if not str(params.get("url", "")):
            raise BadCall("Bad Request: bad webhook: an HTTPS URL must be provided for webhook")
        self.webhook = params
        return True

    async def _delete_webhook(self, params: Params) -> Any:
        self.webhook = None
        return True

    async def _get_updates(self, params: Params) -> Any:
        if self.webhook is not None:
            raise BadCall(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_updates.clear()
            timeout = min(float(params.get("timeout") or 0), 5.0)
            try:
                await asyncio.wait_for(self._new_updates.wait(), timeout)
            except TimeoutError:
                return []
        return list(self._updates)

    async def _get_file(self, params: Params) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise BadCall("Bad Request: invalid file_id")
        size = len(self.files[file_id])
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": size,
                "file_path": f"photos/{file_id}.jpg"}  # fmt: skip

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        file_id = request.path_params["path"].rsplit("/", 1)[-1].removesuffix(".jpg")
        if file_id not in self.files:
            return _error(404, "Not Found")
        return Response(self.files[file_id], media_type="image/jpeg")

    def _message(self, params: Params, **content: Any) -> dict[str, Any]:
        chat_id = str(params.get("chat_id", ""))
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else 0, "type": "private"},
            "from": BOT_USER,
            **content,
        }


class BadCall(Exception):
    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.status = status


async def _params(request: Request) -> Params:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        return json.loads(body) if body else {}
    form = parse_qsl((await request.body()).decode(), keep_blank_values=True)
    return {key: json.loads(value) if key in JSON_FIELDS else value for key, value in form}


def _error(status: int, description: str, parameters: Params | None = None) -> JSONResponse:
    body: Params = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)
