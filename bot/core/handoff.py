"""Handing a conversation to staff: a case number, the expected wait, working hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core import catalogue
from bot.core.conversation import State
from bot.core.ports import Clock, ConversationRecord


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
        return catalogue.WORKING_HOURS.format(
            opens=f"{self.opens:%H:%M}",
            closes=f"{self.closes:%H:%M}",
            first_day=catalogue.WEEKDAYS[min(self.days)],
            last_day=catalogue.WEEKDAYS[max(self.days)],
        )


class Handoff:
    """Opens a case, moves the conversation to ``waiting_staff`` and says what happens next."""

    def __init__(self, hours: WorkingHours, expected_wait_minutes: int, clock: Clock) -> None:
        self._hours = hours
        self._expected_wait_minutes = expected_wait_minutes
        self._clock = clock

    async def hand_over(
        self,
        record: ConversationRecord,
        reason: str,
        fields: dict[str, object] | None = None,
        consent_at: datetime | None = None,
    ) -> tuple[str, str]:
        """(case number, what to tell the citizen about the wait)."""
        kind = "complaint" if fields else "handoff"
        number = await record.open_case(kind, reason, fields or {}, consent_at)
        record.transition(State.WAITING_STAFF, "bot", reason)
        return number, self.wait_message()

    def wait_message(self) -> str:
        now = self._clock()
        if self._hours.is_open(now):
            return catalogue.WAIT_IN_HOURS.format(minutes=self._expected_wait_minutes)
        opening = self._hours.next_opening(now)
        when = catalogue.OPENING.format(
            time=f"{opening:%H:%M}",
            weekday=catalogue.WEEKDAYS[opening.weekday()],
            date=f"{opening:%d/%m}",
        )
        return catalogue.WAIT_OUT_OF_HOURS.format(
            hours=self._hours.describe(), opening=when, hotline=catalogue.HOTLINE
        )

    def now(self) -> datetime:
        return self._clock()
