"""What every platform connector provides to the app and the delivery workers.

A connector turns a platform's webhook into ``IncomingMessage`` values and an ``OutgoingMessage``
into the platform's API calls. Rendering and sending are separate so that the outbox can store
each API call (one per chunk of a long answer) and retry it alone: a chunk is sent once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ValidationError

from bot.core.messages import IncomingMessage, OutgoingMessage
from bot.core.normalise import MAX_STORED_CHARS

Payload = dict[str, Any]
"""One platform API call, JSON-serialisable (stored in the outbox)."""

INBOUND_TEXT_LIMIT = MAX_STORED_CHARS
"""Characters of a citizen's message kept at the door; the pipeline reads less
(``MAX_MESSAGE_CHARS``) and tells the citizen when it did."""

Model = TypeVar("Model", bound=BaseModel)


class WebhookRejected(Exception):
    """The request is not from the platform (missing or forged signature/secret)."""

    def __init__(self, reason: str, status_code: int = 403) -> None:
        super().__init__(reason)
        self.status_code = status_code


class BadPayload(Exception):
    """The body is authentic but not something the connector can read."""


class PlatformUnavailable(Exception):
    """The connector cannot take webhooks now (e.g. the platform was unreachable at start-up);
    the webhook answers 503 so that the platform delivers again later."""


def read_json(body: bytes) -> Any:
    """The JSON value of a request body; BadPayload for anything else (invalid UTF-8 or JSON,
    nesting too deep for the parser)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BadPayload(f"not JSON: {type(error).__name__}") from error


def validated(model: type[Model], data: Any) -> Model:
    """``data`` as ``model``; BadPayload naming the first problem (wrong type, missing field)."""
    try:
        return model.model_validate(data)
    except (ValidationError, RecursionError) as error:
        first = error.errors()[0] if isinstance(error, ValidationError) else None
        where = ".".join(str(part) for part in first["loc"]) if first else "body"
        raise BadPayload(f"{where}: {first['msg'] if first else 'nested too deeply'}") from error


def door_text(text: str) -> str:
    """A citizen's text as stored: cut at ``INBOUND_TEXT_LIMIT`` characters."""
    return text[:INBOUND_TEXT_LIMIT]


class DeliveryFailed(Exception):
    """A send that did not go through. ``retry_after``: the platform asked us to wait (seconds);
    ``permanent``: retrying cannot help (blocked by the user, outside the reply window…)."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


@dataclass(frozen=True)
class TokenPair:
    """A platform's OAuth access token and its (single-use) refresh token."""

    access_token: str
    refresh_token: str
    expires_at: datetime | None = None


class TokenVault(Protocol):
    """Where a platform's current token pair is kept, shared by every process."""

    async def load(self) -> TokenPair | None: ...

    async def seed(self, pair: TokenPair) -> bool:
        """Store ``pair`` unless a pair is stored already."""

    async def replace(self, old_refresh_token: str, new_pair: TokenPair) -> bool:
        """Store ``new_pair`` only if the stored refresh token is still ``old_refresh_token``;
        False when another process replaced it first."""


@dataclass(frozen=True)
class ReplyWindow:
    """How many replies may be sent free, within how long after the citizen's last message."""

    max_replies: int
    hours: float


class Connector(Protocol):
    """What the delivery workers need of a platform: render replies, make the API calls."""

    platform: str
    push: bool
    """True: replies are API calls to the platform; False: the citizen's client fetches them
    (the web chat's mailbox), so no worker sends them."""
    max_text_chars: int
    reply_window: ReplyWindow | None
    per_chat_per_second: float
    overall_per_second: float

    @property
    def ready(self) -> bool:
        """False while the platform cannot be used (unreachable at start-up)."""

    @property
    def problem(self) -> str:
        """Why the connector is not ready; empty when it is."""

    async def start(self) -> bool:
        """Get ready (e.g. check the token with the platform); False if the platform cannot be
        reached now. The rest of the service runs either way."""

    def render(self, message: OutgoingMessage) -> list[Payload]:
        """The API calls that show ``message``: split at the platform's limit on sentence
        boundaries, escaped, with quick replies as the platform's buttons."""

    async def send(self, chat_id: str, payload: Payload) -> str | None:
        """Make one API call; returns the platform's message ID. Raises DeliveryFailed."""

    async def aclose(self) -> None:
        """Release network clients."""


@runtime_checkable
class WebhookConnector(Connector, Protocol):
    """A platform that delivers citizens' messages to ``/webhooks/<platform>``."""

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise WebhookRejected unless the request really comes from the platform."""

    async def parse(self, body: bytes) -> list[IncomingMessage]:
        """The citizen messages and events in a webhook body (``message_id`` set for dedupe);
        raise BadPayload when it cannot be read (wrong types, missing fields) and
        PlatformUnavailable when the connector cannot take it now. Events we do not answer
        give []. May make quick acknowledgement calls (Telegram's answerCallbackQuery)."""
