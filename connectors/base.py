"""What every platform connector provides to the app and the delivery workers.

A connector turns a platform's webhook into ``IncomingMessage`` values and an ``OutgoingMessage``
into the platform's API calls. Rendering and sending are separate so that the outbox can store
each API call (one per chunk of a long answer) and retry it alone: a chunk is sent once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core.messages import IncomingMessage, OutgoingMessage

Payload = dict[str, Any]
"""One platform API call, JSON-serialisable (stored in the outbox)."""


class WebhookRejected(Exception):
    """The request is not from the platform (missing or forged signature/secret)."""

    def __init__(self, reason: str, status_code: int = 403) -> None:
        super().__init__(reason)
        self.status_code = status_code


class BadPayload(Exception):
    """The body is authentic but not something the connector can read."""


class DeliveryFailed(Exception):
    """A send that did not go through. ``retry_after``: the platform asked us to wait (seconds);
    ``permanent``: retrying cannot help (blocked by the user, outside the reply window…)."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


@dataclass(frozen=True)
class ReplyWindow:
    """How many replies may be sent free, within how long after the citizen's last message."""

    max_replies: int
    hours: float


class Connector(Protocol):
    platform: str
    max_text_chars: int
    reply_window: ReplyWindow | None
    per_chat_per_second: float
    overall_per_second: float

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise WebhookRejected unless the request really comes from the platform."""

    async def parse(self, body: bytes) -> list[IncomingMessage]:
        """The citizen messages and events in a webhook body (``message_id`` set for dedupe);
        raise BadPayload when it cannot be read. Events we do not answer give []. May make
        quick acknowledgement calls (Telegram's answerCallbackQuery)."""

    def render(self, message: OutgoingMessage) -> list[Payload]:
        """The API calls that show ``message``: split at the platform's limit on sentence
        boundaries, escaped, with quick replies as the platform's buttons."""

    async def send(self, chat_id: str, payload: Payload) -> str | None:
        """Make one API call; returns the platform's message ID. Raises DeliveryFailed."""

    async def aclose(self) -> None:
        """Release network clients."""
