"""Figures for the admins' reports page and its CSV export, for a period of local dates."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import Row, distinct, func, or_, select

from bot.console.present import STAFF_ACTOR
from bot.core.catalogue import CASE_KIND_TITLES, INTENTS, OUTCOMES, TOPIC_INTENTS, label
from bot.core.conversation import State
from bot.storage.database import Database
from bot.storage.models import Case, Message, StaffUser, StateTransition
from knowledge_base.text import fold

DEFAULT_DAYS = 30
TOP_TOPICS = 10
TOP_BUSINESSES = 10
RATINGS = (1, 2, 3, 4, 5)
BUSINESS = "business"


@dataclass(frozen=True)
class StaffFigures:
    """One staff member's work in the period."""

    name: str
    handled: int
    """Cases they closed in the period."""
    median_first_response_min: float | None
    """From a case opening (in the period) to their first message to the citizen."""
    average_rating: float | None
    ratings: int


@dataclass(frozen=True)
class BusinessFigures:
    """Complaints about one business opened in the period, and how they ended."""

    name: str
    complaints: int
    outcomes: dict[str, int]

    @property
    def open(self) -> int:
        return self.complaints - sum(self.outcomes.values())


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
    """What citizens asked about (intents naming a topic), by conversations that asked."""
    staff: list[StaffFigures]
    businesses: list[BusinessFigures]

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
    resolution); the topics citizens asked about in it; per staff member and per business."""
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
        asked = func.count(distinct(Message.conversation_id))
        topics = (
            await session.execute(
                select(Message.intent, asked)
                .where(Message.created_at >= start, Message.created_at < end)
                .where(Message.direction == "out", Message.author.is_(None))
                .where(Message.intent.in_(TOPIC_INTENTS))
                .group_by(Message.intent)
                .order_by(asked.desc(), Message.intent)
                .limit(TOP_TOPICS)
            )
        ).all()
        staff_replies = (
            await session.execute(
                select(Message.conversation_id, Message.author, Message.created_at)
                .where(Message.conversation_id.in_(ids))
                .where(Message.author.startswith(STAFF_ACTOR))
                .order_by(Message.created_at)
            )
        ).all()
        users = (
            await session.execute(select(StaffUser.id, StaffUser.username, StaffUser.display_name))
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

    def first_response(case: Case) -> tuple[str, float] | None:
        """(who, minutes) of the first staff message after the case opened, before a later
        case of the same conversation did."""
        opened = case.created_at
        until = min((t for t in opened_at[case.conversation_id] if t > opened), default=None)
        for conversation_id, author, at in staff_replies:
            ours = conversation_id == case.conversation_id and at >= opened
            if ours and (until is None or at < until):
                return author.removeprefix(STAFF_ACTOR), _minutes(opened, at)
        return None

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
        staff=_staff_figures(users, opened_cases, resolved_cases, first_response),
        businesses=_business_figures(c for c in opened_cases if c.kind == "complaint"),
    )


def _staff_figures(
    users: Sequence[Row[tuple[int, str, str]]],
    opened: list[Case],
    resolved: list[Case],
    first_response: Callable[[Case], tuple[str, float] | None],
) -> list[StaffFigures]:
    responses: dict[str, list[float]] = {}
    for case in opened:
        if (found := first_response(case)) is not None:
            responses.setdefault(found[0], []).append(found[1])
    figures = []
    for user_id, username, name in users:
        theirs = [c for c in resolved if c.assigned_to == user_id]
        ratings = [c.rating for c in theirs if c.rating in RATINGS]
        if not theirs and username not in responses:
            continue
        figures.append(
            StaffFigures(
                name=name,
                handled=len(theirs),
                median_first_response_min=_median(responses.get(username, [])),
                average_rating=sum(ratings) / len(ratings) if ratings else None,
                ratings=len(ratings),
            )
        )
    return sorted(figures, key=lambda f: (-f.handled, f.name))


def _business_figures(complaints: Iterable[Case]) -> list[BusinessFigures]:
    """Complaints grouped by the business named (case and diacritics aside), the most
    complained-about first, shown under the spelling citizens used most."""
    grouped: dict[str, list[str]] = {}
    outcomes: dict[str, Counter[str]] = {}
    for case in complaints:
        name = " ".join(str((case.fields or {}).get(BUSINESS, "")).split())
        if not name:
            continue
        grouped.setdefault(fold(name), []).append(name)
        counted = outcomes.setdefault(fold(name), Counter())
        if case.outcome:
            counted[label(OUTCOMES, case.outcome)] += 1
    figures = [
        BusinessFigures(Counter(names).most_common(1)[0][0], len(names), dict(outcomes[key]))
        for key, names in grouped.items()
    ]
    figures.sort(key=lambda f: (-f.complaints, f.name))
    return figures[:TOP_BUSINESSES]


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
    for person in report.staff:
        section = f"Cán bộ: {person.name}"
        rows += [
            (section, "Hồ sơ đã kết thúc", person.handled),
            (
                section,
                "Phản hồi đầu tiên, trung vị (phút)",
                _number(person.median_first_response_min, 1),
            ),
            (section, "Điểm đánh giá trung bình", _number(person.average_rating, 2)),
        ]
    for business in report.businesses:
        section = f"Bên bán: {business.name}"
        rows.append((section, "Khiếu nại", business.complaints))
        rows += [(section, outcome, n) for outcome, n in business.outcomes.items()]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("Mục", "Chi tiết", "Giá trị"))
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()
