"""Handing a conversation to staff: a case number, the expected wait, working hours."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core import replies
from bot.core.messages import State
from bot.storage.conversations import ConversationStore

Clock = Callable[[], datetime]
_WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


@dataclass(frozen=True)
class WorkingHours:
    """Staff working hours in local time, e.g. 08:00-17:00, Monday (0) to Friday (4)."""

    opens: time
    closes: time
    days: frozenset[int]
    zone: ZoneInfo

    @classmethod
    def parse(cls, hours: str, days: str, zone: str) -> WorkingHours:
        opens, closes = (time.fromisoformat(part.strip()) for part in hours.split("-"))
        first, _, last = days.partition("-")
        return cls(
            opens, closes, frozenset(range(int(first), int(last or first) + 1)), ZoneInfo(zone)
        )

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.zone)
        day = local.date()
        if local.time() >= self.opens:
            day += timedelta(days=1)
        while day.weekday() not in self.days:
            day += timedelta(days=1)
        return datetime.combine(day, self.opens, self.zone)

    def describe(self) -> str:
        first, last = min(self.days), max(self.days)
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}, {_WEEKDAYS[first]} đến {_WEEKDAYS[last]}"


class Handoff:
    """Opens a case, moves the conversation to ``waiting_staff`` and says what happens next."""

    def __init__(
        self,
        store: ConversationStore,
        hours: WorkingHours,
        expected_wait_minutes: int,
        clock: Clock,
    ) -> None:
        self._store = store
        self._hours = hours
        self._expected_wait_minutes = expected_wait_minutes
        self._clock = clock

    async def hand_over(
        self,
        conversation_id: int,
        reason: str,
        fields: dict[str, object] | None = None,
        consent_at: datetime | None = None,
    ) -> tuple[str, str]:
        """(case number, what to tell the citizen about the wait)."""
        kind = "complaint" if fields else "handoff"
        number = await self._store.open_case(
            conversation_id, kind, reason, fields or {}, consent_at
        )
        await self._store.transition(conversation_id, State.WAITING_STAFF, "bot", reason)
        return number, self.wait_message()

    def wait_message(self) -> str:
        now = self._clock()
        if self._hours.is_open(now):
            return (
                f"Cán bộ tư vấn sẽ trả lời bạn ngay trong cuộc trò chuyện này, thường trong khoảng "
                f"{self._expected_wait_minutes} phút."
            )
        opening = self._hours.next_opening(now)
        return (
            f"Hiện đang ngoài giờ làm việc ({self._hours.describe()}). Cán bộ sẽ trả lời bạn từ "
            f"{opening:%H:%M} {_WEEKDAYS[opening.weekday()]}, ngày {opening:%d/%m}. "
            f"{replies.HOTLINE}"
        )

    def now(self) -> datetime:
        return self._clock()
