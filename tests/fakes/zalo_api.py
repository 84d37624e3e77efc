"""A loopback stand-in for Zalo's OpenAPI (consultation messages) and OAuth (token refresh).

It keeps one valid token pair; a refresh token works once, then the pair it issued replaces it.
Every refresh token presented is recorded, so tests can prove none is ever used twice.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import deque
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.zalo import SIGNATURE_HEADER, signature_of
from tests.fakes.loopback import serving


@dataclass
class ScriptedFailure:
    """The answer to the next message call instead of a success."""

    error: int = 0
    message: str = ""
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SentMessage:
    user_id: str
    message: dict[str, Any]
    message_id: str
    access_token: str
    at: float = field(default_factory=time.monotonic)


class FakeZaloApi:
    """``async with FakeZaloApi(...) as api``: serves on ``api.url`` until the block ends."""

    def __init__(
        self, *, app_id: str, app_secret: str, access_token: str, refresh_token: str
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.refresh_delay_s = 0.0
        self.sent: list[SentMessage] = []
        self.failures: deque[ScriptedFailure] = deque()
        self.refresh_calls = 0
        self.refresh_tokens_presented: list[str] = []
        self.url = ""
        self._stack = AsyncExitStack()
        self.app = Starlette(
            routes=[
                Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
                Route("/v4/oa/access_token", self._refresh, methods=["POST"]),
            ]
        )

    def settings(self, oa_secret_key: str) -> dict[str, str]:
        """The bot's Zalo settings pointing at this server."""
        return {
            "zalo_app_id": self.app_id,
            "zalo_app_secret": self.app_secret,
            "zalo_oa_secret_key": oa_secret_key,
            "zalo_access_token": self.access_token,
            "zalo_refresh_token": self.refresh_token,
            "zalo_api_base": self.url,
            "zalo_oauth_base": self.url,
        }

    def expire_access_token(self) -> None:
        """The current access token stops working (as after its 25 hours)."""
        self.access_token = f"expired-{secrets.token_hex(4)}-never-valid"

    def fail_next(self, error: int, message: str = "", **kwargs: Any) -> None:
        self.failures.append(ScriptedFailure(error=error, message=message, **kwargs))

    async def _send(self, request: Request) -> JSONResponse:
        if request.headers.get("access_token") != self.access_token:
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        if self.failures:
            failure = self.failures.popleft()
            return JSONResponse(
                {"error": failure.error, "message": failure.message},
                status_code=failure.status_code,
                headers=failure.headers,
            )
        body = await request.json()
        message_id = secrets.token_hex(16)
        self.sent.append(
            SentMessage(
                body["recipient"]["user_id"], body["message"], message_id, self.access_token
            )
        )
        return JSONResponse(
            {
                "error": 0,
                "message": "Success",
                "data": {"message_id": message_id, "user_id": body["recipient"]["user_id"]},
            }
        )

    async def _refresh(self, request: Request) -> JSONResponse:
        self.refresh_calls += 1
        # Parsed by hand: Starlette's form parser needs python-multipart, not a dependency.
        form = dict(parse_qsl((await request.body()).decode()))
        presented = form.get("refresh_token", "")
        self.refresh_tokens_presented.append(presented)
        await asyncio.sleep(self.refresh_delay_s)
        if request.headers.get("secret_key") != self.app_secret:
            return _oauth_error(-14002, "Invalid secret key")
        if form.get("app_id") != self.app_id or form.get("grant_type") != "refresh_token":
            return _oauth_error(-14001, "Invalid parameter")
        if presented != self.refresh_token:
            return _oauth_error(-14014, "Invalid refresh token")
        self.access_token = f"access-{secrets.token_hex(8)}"
        self.refresh_token = f"refresh-{secrets.token_hex(8)}"
        return JSONResponse(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": "90000",
            }
        )

    async def __aenter__(self) -> FakeZaloApi:
        self.url = await self._stack.enter_async_context(serving(self.app))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stack.aclose()


def _oauth_error(code: int, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": code, "error_name": "oauth_error", "error_description": description}
    )


def text_event(app_id: str, user: str, text: str, msg_id: str) -> dict[str, Any]:
    """A ``user_send_text`` webhook event as Zalo sends it, stamped now."""
    return {
        "app_id": app_id,
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": "oa"},
        "message": {"msg_id": msg_id, "text": text},
        "timestamp": str(int(time.time() * 1000)),
    }


def signed_webhook(
    event: dict[str, Any], *, app_id: str, oa_secret_key: str
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a webhook call as Zalo signs it."""
    raw = json.dumps(event, ensure_ascii=False)
    mac = signature_of(app_id, raw, str(event["timestamp"]), oa_secret_key)
    return raw.encode(), {"Content-Type": "application/json", SIGNATURE_HEADER: f"mac={mac}"}
