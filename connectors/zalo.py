"""Zalo Official Account API v3 over httpx (there is no official Python SDK).

Webhooks carry ``X-ZEvent-Signature: mac=<sha256(app_id + body + timestamp + OA secret key)>``.
Replies are consultation messages (``/v3.0/oa/message/cs``). Zalo answers HTTP 200 even when a
call fails, so the ``error`` field decides. The access token lives about 25 hours; the refresh
token is single-use, so refreshing is serialised in-process by a lock and across processes by the
compare-and-swap of ``TokenVault.replace``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core import catalogue
from bot.core.messages import Attachment, Event, IncomingMessage, OutgoingMessage
from connectors.base import (
    BadPayload,
    DeliveryFailed,
    Payload,
    ReplyWindow,
    TokenPair,
    TokenVault,
    WebhookRejected,
    door_text,
    read_json,
    validated,
)
from connectors.text import split_text

PLATFORM = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"
TIMEOUT_S = 10.0
DEFAULT_RETRY_AFTER_S = 60.0
REPLAY_WINDOW = timedelta(minutes=5)

_ATTACHMENT_EVENTS = {"user_send_image": "photo", "user_send_file": "file"}
_STICKER_EVENTS = {"user_send_sticker", "user_send_gif"}
_FOLLOW_EVENTS = {"follow": Event.FOLLOW, "unfollow": Event.UNFOLLOW}

_TOKEN_ERRORS = {-216: "access token invalid", -220: "access token expired or removed"}
# Waiting helps: the app's per-minute call limit, the OA's quota.
_RATE_ERRORS = {-32: 60.0, -211: 3600.0}
# Retrying the same call cannot help.
_PERMANENT_ERRORS = {
    -201: "invalid parameter",
    -204: "the OA is disabled",
    -205: "the OA does not exist",
    -209: "API not supported (app not activated)",
    -210: "parameter exceeds the allowed limit",
    -212: "the app has not registered this API",
    -213: "the user does not follow the OA",
    -218: "sending limit to this user reached",
    -219: "the app is removed or disabled",
    -221: "the OA must be verified",
    -223: "the OA has not authorised this API",
    -224: "the OA's tier package does not allow this",
    -227: "the user is banned or inactive for more than 45 days",
    -230: "the user has not interacted with the OA in the last 7 days",
    -232: "the user has not interacted with the OA, or the interaction expired",
    -233: "message type invalid or not supported",
    -244: "the user has restricted this message type",
    -248: "the message violates platform standards",
}

# Zalo limits: button title 100 characters, payload 1000, at most 5 buttons per message.
_MAX_BUTTONS = 5
_MAX_BUTTON_TITLE = 100
_MAX_BUTTON_PAYLOAD = 1000


class ZaloConnector:
    platform = PLATFORM
    push = True
    max_text_chars = 2000
    reply_window: ReplyWindow | None = ReplyWindow(max_replies=8, hours=48)
    per_chat_per_second = 1.0
    overall_per_second = 10.0
    ready = True
    problem = ""

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        oa_secret_key: str,
        tokens: TokenVault,
        initial_tokens: TokenPair | None = None,
        api_base: str = "https://openapi.zalo.me",
        oauth_base: str = "https://oauth.zaloapp.com",
        replay_window: timedelta = REPLAY_WINDOW,
    ) -> None:
        """``initial_tokens`` (from the settings) are stored when the store holds none. Signed
        events older (or further in the future) than ``replay_window`` are refused: a captured
        webhook cannot be replayed later."""
        self._replay_window = replay_window
        self._app_id = app_id
        self._app_secret = app_secret
        self._oa_secret_key = oa_secret_key
        self._tokens = tokens
        self._initial_tokens = initial_tokens
        self._send_url = f"{api_base.rstrip('/')}/v3.0/oa/message/cs"
        self._refresh_url = f"{oauth_base.rstrip('/')}/v4/oa/access_token"
        self._client = httpx.AsyncClient(timeout=TIMEOUT_S)
        self._pair: TokenPair | None = None
        self._refresh_lock = asyncio.Lock()

    async def start(self) -> bool:
        return True

    async def aclose(self) -> None:
        await self._client.aclose()

    # Webhooks

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        signature = _header(headers, SIGNATURE_HEADER)
        if not signature:
            raise WebhookRejected("missing X-ZEvent-Signature", status_code=401)
        mac = signature.strip().removeprefix("mac=").lower()
        try:
            timestamp = validated(ZaloEvent, read_json(body)).timestamp
        except BadPayload as exc:
            raise WebhookRejected("no timestamp to check the signature against") from exc
        raw = body.decode("utf-8")
        expected = signature_of(self._app_id, raw, str(timestamp), self._oa_secret_key)
        if not hmac.compare_digest(mac.encode(), expected.encode()):
            raise WebhookRejected("bad X-ZEvent-Signature")
        if not _recent(timestamp, datetime.now(UTC), self._replay_window):
            raise WebhookRejected("event outside the replay window")

    async def parse(self, body: bytes) -> list[IncomingMessage]:
        data = read_json(body)
        name = validated(ZaloEvent, data).event_name
        if name in _FOLLOW_EVENTS:
            event = validated(_FollowEvent, data)
            user = str(event.follower.id)
            return [
                IncomingMessage(
                    platform=PLATFORM,
                    chat_id=user,
                    user_id=user,
                    text="",
                    message_id=f"{name}:{user}:{event.timestamp}",
                    event=_FOLLOW_EVENTS[name],
                )
            ]
        if name == "user_send_text" or name in _ATTACHMENT_EVENTS or name in _STICKER_EVENTS:
            return [_message(name, validated(_MessageEvent, data))]
        return []  # receipts, user_seen_message, oa_send_*, events we do not answer

    # Replies

    def render(self, message: OutgoingMessage) -> list[Payload]:
        """One consultation message per chunk; quick replies become ``oa.query.show`` buttons
        (the button sends its payload back as the citizen's text) under the last chunk, the
        "text + template buttons" form the cs endpoint accepts."""
        text = message.text
        if message.sender:  # the OA is the sender: a staff member's message names them
            text = f"{catalogue.STAFF_SIGNATURE.format(name=message.sender)}\n{text}"
        payloads: list[Payload] = [
            {"message": {"text": chunk}} for chunk in split_text(text, self.max_text_chars)
        ]
        if payloads and message.quick_replies:
            buttons = [
                {
                    "title": label[:_MAX_BUTTON_TITLE],
                    "type": "oa.query.show",
                    "payload": label[:_MAX_BUTTON_PAYLOAD],
                }
                for label in message.quick_replies[:_MAX_BUTTONS]
            ]
            payloads[-1]["message"]["attachment"] = {
                "type": "template",
                "payload": {"buttons": buttons},
            }
        return payloads

    async def send(self, chat_id: str, payload: Payload) -> str | None:
        body = {"recipient": {"user_id": chat_id}, "message": payload["message"]}
        pair = await self._current_pair()
        answer = await self._post_message(pair, body)
        if answer.get("error") in _TOKEN_ERRORS:
            pair = await self._refresh(pair)
            answer = await self._post_message(pair, body)
        return _message_id(answer)

    async def _post_message(self, pair: TokenPair, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.post(
                self._send_url, json=body, headers={"access_token": pair.access_token}
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"Zalo unreachable: {exc!r}") from exc
        if response.status_code == 429:
            raise DeliveryFailed("Zalo: HTTP 429", retry_after=_retry_after(response))
        if response.status_code >= 500:
            raise DeliveryFailed(f"Zalo: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise DeliveryFailed(f"Zalo: HTTP {response.status_code}, not JSON") from exc
        if not isinstance(answer, dict) or not isinstance(answer.get("error"), int):
            raise DeliveryFailed(f"Zalo: HTTP {response.status_code}, no error code")
        return answer

    # Tokens

    async def _current_pair(self) -> TokenPair:
        if self._pair is None:
            pair = await self._tokens.load()
            if pair is None and self._initial_tokens is not None:
                await self._tokens.seed(self._initial_tokens)
                pair = await self._tokens.load()
            if pair is None:
                raise DeliveryFailed("no Zalo token configured", permanent=True)
            self._pair = pair
        return self._pair

    async def _refresh(self, stale: TokenPair) -> TokenPair:
        """A working pair in place of ``stale``: the one another sender (here or in another
        process) stored meanwhile, or a new one from Zalo."""
        async with self._refresh_lock:
            stored = await self._tokens.load() or stale
            if stored.access_token != stale.access_token:
                self._pair = stored
                return stored
            try:
                fresh = await self._request_tokens(stored.refresh_token)
            except DeliveryFailed:
                # Another process may have used the refresh token first: take its pair if so.
                latest = await self._tokens.load()
                if latest is None or latest.refresh_token == stored.refresh_token:
                    raise
                self._pair = latest
                return latest
            if not await self._tokens.replace(stored.refresh_token, fresh):
                # Another process stored a pair first; ours is dropped, theirs is used.
                fresh = await self._tokens.load() or fresh
            self._pair = fresh
            return fresh

    async def _request_tokens(self, refresh_token: str) -> TokenPair:
        try:
            response = await self._client.post(
                self._refresh_url,
                headers={"secret_key": self._app_secret},
                data={
                    "refresh_token": refresh_token,
                    "app_id": self._app_id,
                    "grant_type": "refresh_token",
                },
            )
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DeliveryFailed(f"Zalo token refresh failed: {exc!r}") from exc
        if not isinstance(answer, dict) or not answer.get("access_token"):
            detail = answer.get("error_description") if isinstance(answer, dict) else None
            raise DeliveryFailed(
                f"Zalo token refresh refused (HTTP {response.status_code}): {detail or answer}"
            )
        try:
            expires_in = float(answer.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0.0
        expires_at = datetime.now(UTC) + timedelta(seconds=expires_in) if expires_in else None
        return TokenPair(answer["access_token"], answer["refresh_token"], expires_at)


def _recent(timestamp: ZaloId, now: datetime, window: timedelta) -> bool:
    """Whether a signed timestamp (milliseconds since the epoch) is within ``window`` of now."""
    try:
        sent = datetime.fromtimestamp(int(timestamp) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return False
    return abs(now - sent) <= window


def signature_of(app_id: str, body: str, timestamp: str, oa_secret_key: str) -> str:
    """The hex MAC Zalo puts after ``mac=`` in ``X-ZEvent-Signature``."""
    return hashlib.sha256(f"{app_id}{body}{timestamp}{oa_secret_key}".encode()).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


class _ZaloObject(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


ZaloId = str | int
"""Zalo documents IDs as strings; some events carry numbers."""


def _nonempty_id(value: ZaloId) -> str:
    if value == "":
        raise ValueError("empty ID")
    return str(value)


class _Party(_ZaloObject):
    id: ZaloId

    _id = field_validator("id")(_nonempty_id)


class _AttachmentPayload(_ZaloObject):
    url: str = Field(min_length=1)
    name: str | None = None


class _Attachment(_ZaloObject):
    payload: _AttachmentPayload


class _Message(_ZaloObject):
    msg_id: ZaloId
    text: str | None = None
    attachments: list[_Attachment] | None = None

    _id = field_validator("msg_id")(_nonempty_id)


class ZaloEvent(_ZaloObject):
    """Any webhook event (https://developers.zalo.me/docs/official-account/webhook)."""

    event_name: str
    timestamp: ZaloId


class _FollowEvent(ZaloEvent):
    follower: _Party


class _MessageEvent(ZaloEvent):
    sender: _Party
    message: _Message


def _message(name: str, event: _MessageEvent) -> IncomingMessage:
    user = str(event.sender.id)
    kind = _ATTACHMENT_EVENTS.get(name)
    return IncomingMessage(
        platform=PLATFORM,
        chat_id=user,
        user_id=user,
        text="" if name in _STICKER_EVENTS else door_text(event.message.text or ""),
        message_id=str(event.message.msg_id),
        attachments=_attachments(event.message, kind) if kind else (),
        event=Event.STICKER if name in _STICKER_EVENTS else Event.MESSAGE,
    )


def _attachments(message: _Message, kind: str) -> tuple[Attachment, ...]:
    if not message.attachments:
        raise BadPayload("no message.attachments")
    return tuple(
        Attachment(kind=kind, url=item.payload.url, name=item.payload.name or "")
        for item in message.attachments
    )


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER_S))
    except ValueError:
        return DEFAULT_RETRY_AFTER_S


def _message_id(answer: Mapping[str, Any]) -> str | None:
    code = answer["error"]
    if code == 0:
        data = answer.get("data")
        message_id = data.get("message_id") if isinstance(data, Mapping) else None
        return str(message_id) if message_id is not None else None
    reason = f"Zalo error {code}: {answer.get('message', '')}"
    if code in _RATE_ERRORS:
        raise DeliveryFailed(reason, retry_after=_RATE_ERRORS[code])
    if code in _PERMANENT_ERRORS:
        raise DeliveryFailed(f"{reason} ({_PERMANENT_ERRORS[code]})", permanent=True)
    if code in _TOKEN_ERRORS:
        raise DeliveryFailed(f"{reason} (still rejected after a token refresh)")
    raise DeliveryFailed(reason)
