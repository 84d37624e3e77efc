"""Figures for the admins' reports page and its CSV export, for a period of local dates."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, or_, select

from bot.core.catalogue import CASE_KIND_TITLES, INTENTS, OUTCOMES, label
from bot.core.conversation import State
from bot.storage.database import Database
from bot.storage.models import Case, Message, StateTransition

DEFAULT_DAYS = 30
TOP_TOPICS = 10
RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Period:
    """``first`` to ``last`` inclusive, as dates in ``zone``."""

    first: date
    last: date
    zone: ZoneInfo

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC (SQLite keeps naive UTC, so the bounds must be UTC too)."""
        start = datetime.combine(self.first, time(), self.zone)
        end = datetime.combine(self.last + timedelta(days=1), time(), self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def parse_period(
    first: str, last: str, zone: ZoneInfo, now: datetime | None = None
) -> tuple[Period, bool]:
    """The period the form asks for (swapped if backwards) and whether it was valid; a missing
    or malformed date falls back to the last ``DEFAULT_DAYS`` days."""
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    default = Period(today - timedelta(days=DEFAULT_DAYS - 1), today, zone)
    if not first and not last:
        return default, True
    try:
        start = date.fromisoformat(first) if first else default.first
        end = date.fromisoformat(last) if last else default.last
    except ValueError:
        return default, False
    return Period(min(start, end), max(start, end), zone), True


@dataclass(frozen=True)
class Report:
    period: Period
    conversations: int
    handoffs: dict[str, int]
    """Cases opened in the period, by kind label."""
    median_wait_min: float | None
    median_handling_min: float | None
    outcomes: dict[str, int]
    """Cases resolved in the period, by outcome label."""
    ratings: dict[int, int]
    average_rating: float | None
    topics: list[tuple[str, int]]

    @property
    def handoffs_total(self) -> int:
        return sum(self.handoffs.values())

    @property
    def ratings_total(self) -> int:
        return sum(self.ratings.values())

    @property
    def rating_rows(self) -> list[tuple[str, int]]:
        return [(f"{stars} sao", n) for stars, n in self.ratings.items()]


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def _median(values: list[float]) -> float | None:
    return median(values) if values else None


async def build_report(database: Database, period: Period) -> Report:
    """Conversations with a message in the period; cases opened in it (handoffs, wait until the
    first claim); cases resolved in it (outcomes, ratings, handling from first claim to
    resolution); the intents of the bot's replies in it."""
    start, end = period.bounds()
    async with database.sessions() as session:
        conversations = await session.scalar(
            select(func.count(distinct(Message.conversation_id))).where(
                Message.created_at >= start, Message.created_at < end
            )
        )
        cases = list(
            await session.scalars(
                select(Case).where(
                    or_(
                        Case.created_at.between(start, end),
                        Case.resolved_at.between(start, end),
                    )
                )
            )
        )
        ids = {case.conversation_id for case in cases}
        siblings = (
            await session.execute(
                select(Case.conversation_id, Case.created_at).where(Case.conversation_id.in_(ids))
            )
        ).all()
        claims = (
            await session.execute(
                select(StateTransition.conversation_id, StateTransition.created_at)
                .where(StateTransition.conversation_id.in_(ids))
                .where(StateTransition.to_state == State.WITH_STAFF.value)
            )
        ).all()
        topics = (
            await session.execute(
                select(Message.intent, func.count())
                .where(Message.created_at >= start, Message.created_at < end)
                .where(Message.direction == "out", Message.author.is_(None))
                .where(Message.intent.is_not(None))
                .group_by(Message.intent)
                .order_by(func.count().desc(), Message.intent)
                .limit(TOP_TOPICS)
            )
        ).all()

    opened_at: dict[int, list[datetime]] = {}
    for conversation_id, created in siblings:
        opened_at.setdefault(conversation_id, []).append(created)
    claimed_at: dict[int, list[datetime]] = {}
    for conversation_id, created in claims:
        claimed_at.setdefault(conversation_id, []).append(created)

    def first_claim(case: Case) -> datetime | None:
        """The first move to ``with_staff`` after the case opened, before a later case did."""
        opened = case.created_at
        later = [t for t in opened_at.get(case.conversation_id, []) if t > opened]
        until = min(later, default=None)
        moments = [
            t
            for t in claimed_at.get(case.conversation_id, [])
            if t >= opened and (until is None or t < until)
        ]
        return min(moments, default=None)

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    opened_cases = [c for c in cases if within(c.created_at)]
    resolved_cases = [c for c in cases if within(c.resolved_at)]
    waits = [
        _minutes(c.created_at, claim) for c in opened_cases if (claim := first_claim(c)) is not None
    ]
    handling = [
        _minutes(claim, c.resolved_at)
        for c in resolved_cases
        if c.resolved_at is not None and (claim := first_claim(c)) is not None
    ]
    kinds = Counter(label(CASE_KIND_TITLES, c.kind) for c in opened_cases)
    outcomes = Counter(OUTCOMES.get(c.outcome, c.outcome) for c in resolved_cases if c.outcome)
    ratings = [r for r in (c.rating for c in resolved_cases) if r is not None and r in RATINGS]
    return Report(
        period=period,
        conversations=conversations or 0,
        handoffs={name: kinds[name] for name in CASE_KIND_TITLES.values()} | dict(kinds),
        median_wait_min=_median(waits),
        median_handling_min=_median(handling),
        outcomes={name: outcomes[name] for name in OUTCOMES.values()} | dict(outcomes),
        ratings={stars: ratings.count(stars) for stars in RATINGS},
        average_rating=sum(ratings) / len(ratings) if ratings else None,
        topics=[(label(INTENTS, str(intent)), int(count)) for intent, count in topics],
    )


def duration(minutes: float | None) -> str:
    """``1 giờ 5 phút``, ``12 phút``, or a dash when there is nothing to measure."""
    if minutes is None:
        return "—"
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    return f"{hours} giờ {rest} phút" if hours else f"{rest} phút"


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def to_csv(report: Report) -> str:
    """The report as CSV (section, item, value), starting with a BOM so Excel reads UTF-8."""
    rows: list[tuple[str, str, str | int]] = [
        ("Kỳ báo cáo", "Từ ngày", report.period.first.isoformat()),
        ("Kỳ báo cáo", "Đến ngày", report.period.last.isoformat()),
        ("Cuộc trò chuyện", "Tổng số", report.conversations),
    ]
    rows += [("Chuyển cán bộ", kind, n) for kind, n in report.handoffs.items()]
    rows += [
        ("Chuyển cán bộ", "Tổng số", report.handoffs_total),
        ("Thời gian chờ trung vị (phút)", "", _number(report.median_wait_min, 1)),
        ("Thời gian xử lý trung vị (phút)", "", _number(report.median_handling_min, 1)),
    ]
    rows += [("Kết quả", outcome, n) for outcome, n in report.outcomes.items()]
    rows += [("Đánh giá", stars, n) for stars, n in report.rating_rows]
    rows.append(("Đánh giá", "Điểm trung bình", _number(report.average_rating, 2)))
    rows += [("Chủ đề", intent, n) for intent, n in report.topics]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("Mục", "Chi tiết", "Giá trị"))
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()
