"""A conversation as the core knows it: who holds it, what the bot is in the middle of, and the
moves between bot and staff that are allowed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class State(StrEnum):
    """Who holds a conversation: ``bot`` → ``waiting_staff`` (handed over) → ``with_staff``
    (claimed) → ``bot`` (resolved or handed back) or ``closed``."""

    BOT = "bot"
    WAITING_STAFF = "waiting_staff"
    WITH_STAFF = "with_staff"
    CLOSED = "closed"


MOVES: frozenset[tuple[State, State]] = frozenset(
    {
        (State.BOT, State.WAITING_STAFF),  # a citizen handed over
        (State.WAITING_STAFF, State.WITH_STAFF),  # claimed
        (State.WITH_STAFF, State.WITH_STAFF),  # transferred to a colleague
        (State.WITH_STAFF, State.WAITING_STAFF),  # released to the queue
        (State.WAITING_STAFF, State.BOT),  # returned to the bot, or the citizen went back
        (State.WITH_STAFF, State.BOT),  # resolved, returned, or the citizen went back
        (State.WAITING_STAFF, State.CLOSED),
        (State.WITH_STAFF, State.CLOSED),
        (State.CLOSED, State.BOT),  # the citizen writes again
        (State.CLOSED, State.WAITING_STAFF),
    }
)


class MoveNotAllowed(Exception):
    """A conversation cannot go from its state to the one asked for."""


def check_move(current: State, target: State) -> None:
    if (current, target) not in MOVES:
        raise MoveNotAllowed(f"{current} → {target}")


class Expecting(StrEnum):
    """What the bot asked last and waits for an answer to."""

    NOTHING = ""
    COMPLAINT_OFFER = "complaint_offer"  # «shall I record a complaint?»
    CONSENT = "consent"  # the privacy notice
    FORM = "form"  # a step of the complaint form
    HANDOFF_OFFER = "handoff_offer"  # «shall I put you through to staff?»
    RATING = "rating"  # a 1–5 rating of a resolved case


@dataclass
class Dialogue:
    """What the bot is in the middle of, stored with the conversation after every turn, so that
    it survives interruptions and restarts."""

    expecting: Expecting = Expecting.NOTHING
    step: str = ""
    """The complaint form's current step (``business``, ``phone``… or ``confirm``)."""
    fields: dict[str, object] = field(default_factory=dict)
    """The complaint form's answers so far."""
    evidence: int = 0
    """Photos and files received for the complaint."""
    consent_at: datetime | None = None
    editing: bool = False
    """The citizen is correcting one field: the summary comes next."""
    case: str = ""
    """The case a rating is for."""
    unclear: int = 0
    """Turns in a row the bot could not understand."""
    more: str = ""
    """What «Xem thêm» shows for the last law answer."""

    def clear(self) -> None:
        """Nothing in progress any more (the unclear count is kept)."""
        unclear = self.unclear
        for name, value in asdict(Dialogue()).items():
            setattr(self, name, value)
        self.unclear = unclear

    def copy(self) -> Dialogue:
        return replace(self, fields=dict(self.fields))

    def to_json(self) -> dict[str, Any] | None:
        """The stored form, only what differs from nothing in progress; None for nothing."""
        empty = asdict(Dialogue())
        data = {k: v for k, v in asdict(self).items() if v != empty[k]}
        if "expecting" in data:
            data["expecting"] = self.expecting.value
        if self.consent_at:
            data["consent_at"] = self.consent_at.isoformat()
        return data or None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Dialogue:
        if not data:
            return cls()
        consent_at = data.get("consent_at")
        return cls(
            expecting=Expecting(data.get("expecting") or ""),
            step=str(data.get("step") or ""),
            fields=dict(data.get("fields") or {}),
            evidence=int(data.get("evidence") or 0),
            consent_at=datetime.fromisoformat(consent_at) if consent_at else None,
            editing=bool(data.get("editing")),
            case=str(data.get("case") or ""),
            unclear=int(data.get("unclear") or 0),
            more=str(data.get("more") or ""),
        )


@dataclass(frozen=True)
class ConversationSnapshot:
    """What a turn knows of its conversation when it starts."""

    platform: str
    chat_id: str
    state: State
    dialogue: Dialogue


@dataclass(frozen=True)
class CaseView:
    """A case as the citizen may hear about it."""

    number: str
    kind: str
    status: str
    outcome: str | None
    created_at: datetime
