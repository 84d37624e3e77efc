"""Telegram through python-telegram-bot 22: our webhook feeds updates into a PTB ``Application``
(no updater of its own); PTB's ``Bot`` makes the API calls.

The ``Application`` is initialised by ``start()`` (it calls getMe) and closed by ``stop()``.
Replies are plain text sent in HTML parse mode with everything escaped, so no markup from
anyone (citizen, law text, LLM) is interpreted.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import mimetypes
import warnings
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.core import catalogue
from bot.core.messages import Attachment, Event, IncomingMessage, OutgoingMessage
from connectors.base import (
    INBOUND_TEXT_LIMIT,
    BadPayload,
    DeliveryFailed,
    Payload,
    PlatformUnavailable,
    ReplyWindow,
    WebhookRejected,
    read_json,
    validated,
)
from connectors.text import split_text

PLATFORM = "telegram"
SECRET_HEADER = "x-telegram-bot-api-secret-token"
ALLOWED_UPDATES = ("message", "callback_query")
CALLBACK_DATA_BYTES = 64
POLL_TIMEOUT_S = 30
START_RETRY_S = 5.0

log = logging.getLogger(__name__)

_collected: ContextVar[list[IncomingMessage]] = ContextVar("telegram_collected")

OnMessage = Callable[[IncomingMessage], Awaitable[None]]


CAPTION_LIMIT = 1024


class _TelegramObject(BaseModel):
    """The fields of a Bot API object that we read, with their documented types; other fields
    are Telegram's business and pass through to PTB."""

    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)


class _Chat(_TelegramObject):
    id: int
    type: str


class _User(_TelegramObject):
    id: int
    is_bot: bool
    first_name: str


class _File(_TelegramObject):
    file_id: str
    file_unique_id: str
    file_name: str | None = None


class _Message(_TelegramObject):
    message_id: int
    date: int
    chat: _Chat
    sender: _User | None = Field(None, alias="from")
    text: str | None = Field(None, max_length=INBOUND_TEXT_LIMIT)
    caption: str | None = Field(None, max_length=CAPTION_LIMIT)
    photo: list[_File] | None = None
    document: _File | None = None


class _CallbackQuery(_TelegramObject):
    id: str
    sender: _User = Field(alias="from")
    chat_instance: str
    data: str | None = Field(None, max_length=CALLBACK_DATA_BYTES)
    message: _Message | None = None


class TelegramUpdate(_TelegramObject):
    """An update as the Bot API documents it (https://core.telegram.org/bots/api#update)."""

    update_id: int
    message: _Message | None = None
    callback_query: _CallbackQuery | None = None


def file_base_url(api_base: str) -> str:
    """PTB's ``base_file_url`` beside ``api_base``: ``…/bot`` → ``…/file/bot``."""
    prefix, _, last = api_base.rstrip("/").rpartition("/")
    return f"{prefix}/file/{last}"


def callback_data(label: str) -> str:
    """A button's callback data: its label cut to Telegram's 64 bytes (not characters)."""
    return label.encode()[:CALLBACK_DATA_BYTES].decode(errors="ignore")


def escaped_chunks(text: str, limit: int) -> list[str]:
    """``text`` split on sentence ends, then HTML-escaped, each escaped chunk ≤ ``limit``.

    Splitting happens before escaping, so no entity is ever cut; a chunk that escaping made too
    long is split again with a proportionally smaller limit."""
    return _fit(text, limit, limit)


def _fit(text: str, cap: int, raw_limit: int) -> list[str]:
    chunks: list[str] = []
    for piece in split_text(text, raw_limit):
        escaped = html.escape(piece, quote=False)
        if len(escaped) <= cap:
            chunks.append(escaped)
        else:
            chunks.extend(_fit(piece, cap, max(1, len(piece) * cap // len(escaped))))
    return chunks


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def delivery_failed(error: TelegramError, reason: str) -> DeliveryFailed:
    """The DeliveryFailed a PTB error means: wait, give up, or retry later."""
    if isinstance(error, RetryAfter):
        return DeliveryFailed(reason, retry_after=_seconds(error))
    if isinstance(error, Forbidden | BadRequest | ChatMigrated):
        return DeliveryFailed(reason, permanent=True)
    return DeliveryFailed(reason)


class TelegramConnector:
    """The Connector for Telegram (see connectors/base.py)."""

    platform = PLATFORM
    push = True
    max_text_chars = 4096
    reply_window: ReplyWindow | None = None
    per_chat_per_second = 1.0
    overall_per_second = 30.0

    def __init__(
        self, token: str, webhook_secret: str, api_base: str, timeout_s: float = 10.0
    ) -> None:
        self._token = token
        self._secret = webhook_secret.encode()
        self._ready = False
        self._problem = "not started"
        self.application = (
            Application.builder()
            .token(token)
            .base_url(api_base)
            .base_file_url(file_base_url(api_base))
            .connect_timeout(timeout_s)
            .read_timeout(timeout_s)
            .write_timeout(timeout_s)
            .pool_timeout(timeout_s)
            .concurrent_updates(True)
            .updater(None)
            .build()
        )
        self.application.add_handlers(
            [
                _command("start", Event.FOLLOW),
                _command("help", Event.HELP),
                _command("nhanvien", Event.STAFF),
                MessageHandler(
                    filters.UpdateType.MESSAGE & (filters.Sticker.ALL | filters.ANIMATION),
                    _on_sticker,
                ),
                MessageHandler(
                    filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.ALL),
                    _on_file,
                ),
                MessageHandler(
                    filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, _on_text
                ),
                CallbackQueryHandler(_on_button),
            ]
        )

    @property
    def webhook_secret(self) -> str:
        return self._secret.decode()

    def describe(self, error: TelegramError) -> str:
        """The error's message, never showing the bot token (PTB puts it in some)."""
        message = str(error)
        if isinstance(error, InvalidToken):
            message = "Unauthorized: the bot token was rejected"
        return message.replace(self._token, "<token>") if self._token else message

    @property
    def ready(self) -> bool:
        """False until PTB is initialised (it calls getMe, so Telegram must be reachable)."""
        return self._ready

    @property
    def problem(self) -> str:
        """Why the connector is not ready; empty when it is."""
        return "" if self._ready else self._problem

    async def start(self) -> bool:
        """Initialise PTB once; False (and the reason in ``problem``) if Telegram is unreachable
        or refuses the token. The rest of the service runs either way."""
        try:
            await self.application.initialize()
        except (TelegramError, OSError) as error:
            self._problem = (
                self.describe(error) if isinstance(error, TelegramError) else repr(error)
            )
            log.warning("Telegram not reachable at start-up: %s", self._problem)
            return False
        self._ready = True
        return True

    async def aclose(self) -> None:
        if self._ready:
            await self.application.shutdown()

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        given = next((v for k, v in headers.items() if k.lower() == SECRET_HEADER), None)
        if not self._secret or given is None:
            raise WebhookRejected("missing Telegram secret token")
        if not hmac.compare_digest(given.encode(), self._secret):
            raise WebhookRejected("wrong Telegram secret token")

    async def parse(self, body: bytes) -> list[IncomingMessage]:
        if not self.ready:
            raise PlatformUnavailable("Telegram is not reachable yet")
        data = read_json(body)
        validated(TelegramUpdate, data)
        try:
            update = Update.de_json(data, self.application.bot)
        except (TypeError, ValueError, KeyError) as error:
            raise BadPayload(f"not a Telegram update: {error}") from error
        return await self._process(update)

    async def _process(self, update: Update) -> list[IncomingMessage]:
        token = _collected.set([])
        try:
            await self.application.process_update(update)
            return _collected.get()
        finally:
            _collected.reset(token)

    def render(self, message: OutgoingMessage) -> list[Payload]:
        """A staff member's message starts with their name in bold (the bot is the sender)."""
        signature = ""
        if message.sender:
            name = f"<b>{html.escape(message.sender, quote=False)}</b>"
            signature = catalogue.STAFF_SIGNATURE.format(name=name) + "\n"
        chunks = escaped_chunks(message.text, self.max_text_chars - len(signature)) or [""]
        chunks[0] = signature + chunks[0]
        payloads: list[Payload] = [
            {"method": "sendMessage", "text": chunk, "parse_mode": "HTML"} for chunk in chunks
        ]
        if payloads and message.quick_replies:
            payloads[-1]["reply_markup"] = {
                "inline_keyboard": [
                    [{"text": label, "callback_data": callback_data(label)}]
                    for label in message.quick_replies
                ]
            }
        return payloads

    async def send(self, chat_id: str, payload: Payload) -> str | None:
        if not self.ready:
            raise DeliveryFailed(
                f"Telegram not reachable: {self.problem}", retry_after=START_RETRY_S
            )
        text = payload.get("text")
        if payload.get("method") != "sendMessage" or not isinstance(text, str):
            raise DeliveryFailed(f"not a Telegram sendMessage payload: {payload!r}", permanent=True)
        markup = payload.get("reply_markup")
        try:
            sent: Message = await self.application.bot.send_message(
                chat_id=chat_id,
                text=text,
                parse_mode=payload.get("parse_mode"),
                reply_markup=InlineKeyboardMarkup.de_json(markup, None) if markup else None,
            )
        except TelegramError as error:
            raise delivery_failed(error, self.describe(error)) from error
        return str(sent.message_id)

    async def download(self, file_id: str) -> tuple[bytes, str]:
        """(a file a citizen sent, its media type) from the Bot API (files up to 20 MB)."""
        if not self.ready:
            raise DeliveryFailed(f"Telegram not reachable: {self.problem}")
        try:
            file = await self.application.bot.get_file(file_id)
            content = bytes(await file.download_as_bytearray())
        except TelegramError as error:
            raise DeliveryFailed(self.describe(error)) from error
        media_type = mimetypes.guess_type(file.file_path or "")[0] or ""
        return content, media_type

    async def set_webhook(self, url: str) -> bool:
        """Point Telegram at ``url``, asking it to send our secret with every update."""
        return await self.application.bot.set_webhook(
            url, secret_token=self.webhook_secret, allowed_updates=list(ALLOWED_UPDATES)
        )

    async def run_polling(self, on_message: OnMessage) -> None:
        """Development without a public URL (call once ``ready``): delete the webhook, then
        long-poll getUpdates and
        await ``on_message`` for each citizen message, until cancelled. Set the webhook again
        afterwards (``python -m bot telegram set-webhook``)."""
        bot = self.application.bot
        await bot.delete_webhook()
        offset: int | None = None
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT_S, allowed_updates=list(ALLOWED_UPDATES)
                )
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error))
                continue
            except NetworkError as error:
                log.warning("getUpdates failed: %s", error)
                await asyncio.sleep(1.0)
                continue
            for update in updates:
                offset = update.update_id + 1
                for message in await self._process(update):
                    await on_message(message)


def _incoming(update: Update, text: str, event: Event, **fields: Any) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    user = update.effective_user
    _collected.get().append(
        IncomingMessage(
            platform=PLATFORM,
            chat_id=str(chat.id),
            user_id=str(user.id if user else chat.id),
            text=text,
            message_id=str(update.update_id),
            event=event,
            **fields,
        )
    )


def _command(name: str, event: Event) -> CommandHandler:
    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        _incoming(update, update.message.text if update.message else "", event)

    return CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE)


async def _on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message and update.message.text:
        _incoming(update, update.message.text, Event.MESSAGE)


async def _on_sticker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _incoming(update, "", Event.STICKER)


async def _on_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is None:
        return
    if message.photo:
        largest = message.photo[-1]
        attachment = Attachment("photo", f"telegram-file:{largest.file_id}")
    elif message.document:
        document = message.document
        name = document.file_name or ""
        attachment = Attachment("document", f"telegram-file:{document.file_id}", name)
    else:
        return
    _incoming(update, message.caption or "", Event.MESSAGE, attachments=(attachment,))


async def _on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer()
    except TelegramError as error:
        log.warning("answerCallbackQuery failed: %s", error)
    if query.data:
        _incoming(update, _button_label(query.message, query.data), Event.MESSAGE)


def _button_label(message: MaybeInaccessibleMessage | None, data: str) -> str:
    """The full label of the pressed button (its callback data may be cut to 64 bytes)."""
    markup = getattr(message, "reply_markup", None)
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data == data:
                    return button.text
    return data
