"""The admins' reports page: figures from a seeded SQLite database, the page's access rules and
the CSV export. The console runs alone (no Rasa needed), on the real database schema."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Mount

from bot.console.auth import Accounts
from bot.console.reports import Period, build_report, parse_period, to_csv
from bot.console.routes import ROUTES
from bot.core.catalogue import INTENTS
from bot.storage.database import Database
from bot.storage.models import Case, Conversation, Message, StateTransition
from tests.console_support import PASSWORD, Client
from tests.fakes.loopback import serving

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
PURCHASE = INTENTS["ask_law_purchase"]
MARCH = Period(date(2024, 3, 1), date(2024, 3, 31), ZONE)
numbers = itertools.count(1)


def utc(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=UTC)


async def conversation(database: Database, *messages: tuple[datetime, str, str | None]) -> int:
    """A Telegram conversation with (time, direction, intent) messages."""
    async with database.sessions() as session, session.begin():
        row = Conversation(platform="telegram", chat_id=str(next(numbers)), user_id="u")
        session.add(row)
        await session.flush()
        for at, direction, intent in messages:
            session.add(
                Message(
                    conversation_id=row.id,
                    direction=direction,
                    text="…",
                    intent=intent,
                    created_at=at,
                )
            )
        return row.id


async def case(
    database: Database,
    conversation_id: int,
    opened: datetime,
    kind: str = "handoff",
    claims: tuple[datetime, ...] = (),
    resolved: datetime | None = None,
    outcome: str | None = None,
    rating: int | None = None,
) -> None:
    """A case opened at ``opened``, claimed at ``claims`` and maybe resolved."""
    async with database.sessions() as session, session.begin():
        session.add(
            Case(
                number=f"HS-{next(numbers)}",
                conversation_id=conversation_id,
                kind=kind,
                reason="user_request",
                created_at=opened,
                resolved_at=resolved,
                outcome=outcome,
                rating=rating,
            )
        )
        moves = [(opened, "bot", "waiting_staff")]
        moves += [(at, "waiting_staff", "with_staff") for at in claims]
        if resolved is not None:
            moves.append((resolved, "with_staff", "bot"))
        for at, before, after in moves:
            session.add(
                StateTransition(
                    conversation_id=conversation_id,
                    from_state=before,
                    to_state=after,
                    actor="test",
                    reason="test",
                    created_at=at,
                )
            )


@pytest.fixture
async def seeded(database: Database) -> Database:
    """March 2024 (Vietnam time) with known figures, and rows just outside it."""
    first = await conversation(
        database,
        (utc(5, 1, 59), "in", None),
        (utc(5, 2), "out", "ask_law_purchase"),
        (utc(5, 2, 1), "out", "affirm"),  # «Đồng ý» answers, it is no topic
        (utc(5, 2, 2), "out", "cancel"),
        (utc(5, 2, 3), "out", "ask_law_purchase"),  # the same conversation asks once
    )
    await case(
        database,
        first,
        utc(5, 2),
        claims=(utc(5, 2, 10),),
        resolved=utc(5, 3, 10),
        outcome="resolved",
        rating=5,
    )
    second = await conversation(database, (utc(10, 1), "out", "ask_law_purchase"))
    await case(
        database,
        second,
        utc(10, 1),
        "complaint",
        (utc(10, 1, 30),),
        utc(10, 3, 30),
        "referred_mediation",
        2,
    )
    third = await conversation(database, (utc(20, 0), "out", "complain_business"))
    # released and claimed again: the wait and the handling count from the first claim
    await case(
        database,
        third,
        utc(20, 0),
        claims=(utc(20, 0, 20), utc(20, 0, 40)),
        resolved=utc(20, 1, 20),
        outcome="resolved",
        rating=4,
    )
    # a case back to the bot unclaimed, then a new one: the later claim is the later case's
    fourth = await conversation(database)
    await case(database, fourth, utc(12, 0))
    await case(database, fourth, utc(12, 5), claims=(utc(12, 5, 40),))
    # 00:30 on 1 March in Vietnam: inside; still waiting
    fifth = await conversation(database, (utc(29, 17, 30, month=2), "in", None))
    await case(database, fifth, utc(29, 17, 30, month=2))
    # 23:59 on 29 February in Vietnam: outside
    old = await conversation(database, (utc(29, 16, 59, month=2), "out", "ask_law_warranty"))
    await case(
        database,
        old,
        utc(28, 1, month=2),
        claims=(utc(28, 3, month=2),),
        resolved=utc(29, 16, 59, month=2),
        outcome="no_response",
        rating=1,
    )
    # a message at 23:59 on 31 March in Vietnam (inside), a case at 00:30 on 1 April (outside)
    late = await conversation(database, (utc(31, 16, 59), "in", None))
    await case(
        database,
        late,
        utc(31, 17, 30),
        claims=(utc(31, 17, 31),),
        resolved=utc(31, 18),
        outcome="resolved",
        rating=1,
    )
    async with database.sessions() as session, session.begin():
        session.add(
            Message(
                conversation_id=first,
                direction="out",
                text="…",
                intent="khac",
                author="staff:lan",
                created_at=utc(5, 2, 30),
            )
        )
    return database


async def test_the_figures_of_a_period(seeded: Database) -> None:
    report = await build_report(seeded, MARCH)
    assert report.conversations == 5  # first, second, third, fifth, late
    assert report.handoffs == {"Gặp cán bộ": 5, "Khiếu nại": 1}
    assert report.median_wait_min == 25.0  # 10, 30, 20, 40
    assert report.median_handling_min == 60.0  # 60, 120, 60
    assert report.outcomes["Đã giải quyết"] == 2
    assert report.outcomes["Chuyển hòa giải"] == 1
    assert report.outcomes["Người dân không phản hồi"] == 0
    assert report.ratings == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert report.average_rating == pytest.approx(11 / 3)
    # by conversations that asked; not staff's, not February's, not answers like «Đồng ý»
    assert report.topics == [
        (PURCHASE, 2),
        ("Khiếu nại doanh nghiệp", 1),
    ]  # not staff's, not February's


async def test_an_empty_period(seeded: Database) -> None:
    report = await build_report(seeded, Period(date(2023, 1, 1), date(2023, 1, 31), ZONE))
    assert report.conversations == 0 and report.handoffs_total == 0
    assert report.median_wait_min is None and report.median_handling_min is None
    assert report.average_rating is None and report.topics == []


def test_the_period_defaults_to_the_last_30_days_in_vietnam() -> None:
    now = datetime(2024, 3, 31, 18, tzinfo=UTC)  # already 1 April in Vietnam
    assert parse_period("", "", ZONE, now) == (
        Period(date(2024, 3, 3), date(2024, 4, 1), ZONE),
        True,
    )
    swapped = Period(date(2024, 3, 1), date(2024, 3, 31), ZONE)
    assert parse_period("2024-03-31", "2024-03-01", ZONE, now) == (swapped, True)
    assert parse_period("hôm qua", "2024-03-01", ZONE, now)[1] is False
    assert MARCH.bounds() == (utc(29, 17, month=2), utc(31, 17))


@pytest.fixture
async def console(seeded: Database) -> AsyncIterator[str]:
    app = Starlette(routes=[Mount("/console", routes=ROUTES)])
    app.state.runtime = SimpleNamespace(
        database=seeded, settings=SimpleNamespace(timezone=ZONE.key)
    )
    accounts = Accounts(seeded)
    await accounts.add_user("lan", "Trần Thị Lan", "staff", PASSWORD)
    await accounts.add_user("bientap", "Phạm Biên Tập", "editor", PASSWORD)
    await accounts.add_user("quantri", "Nguyễn Quản Trị", "admin", PASSWORD)
    async with serving(app) as url:
        yield url


async def signed_in(url: str, username: str) -> Client:
    client = Client(url)
    assert (await client.login(username, PASSWORD)).status_code == 303
    return client


@pytest.mark.parametrize("path", ["/console/reports", "/console/reports.csv"])
async def test_reports_are_for_admins_only(console: str, path: str) -> None:
    anonymous = Client(console)
    try:
        response = await anonymous.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login"
    finally:
        await anonymous.aclose()
    for username in ("lan", "bientap"):
        client = await signed_in(console, username)
        try:
            assert (await client.get(path)).status_code == 403
            assert "Báo cáo" not in (await client.get("/console/")).text
        finally:
            await client.aclose()


async def test_the_reports_page(console: str) -> None:
    client = await signed_in(console, "quantri")
    try:
        assert 'href="/console/reports"' in (await client.get("/console/accounts")).text
        page = await client.get("/console/reports?from=2024-03-01&to=2024-03-31")
        assert page.status_code == 200
        text = page.text
        assert 'value="2024-03-01"' in text and 'value="2024-03-31"' in text
        assert "25 phút" in text and "1 giờ 0 phút" in text and "3.67" in text
        assert "Chuyển hòa giải" in text and PURCHASE in text and 'class="bar"' in text
        topics = text.split("Chủ đề được hỏi nhiều nhất")[1].split("</section>")[0]
        assert "Đồng ý" not in topics
        assert "/console/reports.csv?from=2024-03-01&amp;to=2024-03-31" in text
        default = await client.get("/console/reports")
        assert default.status_code == 200 and 'type="date"' in default.text
        invalid = await client.get("/console/reports?from=31/03/2024")
        assert "Ngày không hợp lệ" in invalid.text
    finally:
        await client.aclose()


async def test_the_csv_export(console: str) -> None:
    client = await signed_in(console, "quantri")
    try:
        response = await client.get("/console/reports.csv?from=2024-03-01&to=2024-03-31")
    finally:
        await client.aclose()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="bao-cao_2024-03-01_2024-03-31.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Mục,Chi tiết,Giá trị"
    for line in (
        "Kỳ báo cáo,Từ ngày,2024-03-01",
        "Cuộc trò chuyện,Tổng số,5",
        "Chuyển cán bộ,Gặp cán bộ,5",
        "Chuyển cán bộ,Khiếu nại,1",
        "Thời gian chờ trung vị (phút),,25.0",
        "Thời gian xử lý trung vị (phút),,60.0",
        "Kết quả,Đã giải quyết,2",
        "Đánh giá,5 sao,1",
        "Đánh giá,Điểm trung bình,3.67",
        f'Chủ đề,"{PURCHASE}",2',
    ):
        assert line in lines


async def test_figures_per_staff_member_and_per_business(database: Database) -> None:
    accounts = Accounts(database)
    lan = await accounts.add_user("lan", "Trần Thị Lan", "staff", PASSWORD)
    minh = await accounts.add_user("minh", "Lê Văn Minh", "staff", PASSWORD)
    names = {lan: "lan", minh: "minh"}
    complaints = [
        # (business as the citizen wrote it, holder, outcome, rating, first reply after minutes)
        ("Điện máy Xanh", lan, "resolved", 5, 4),
        ("điện máy  xanh", lan, "referred_authority", 3, 10),
        ("Dien may Xanh", minh, None, None, 30),
        ("Shop ABC", minh, "referred_mediation", 4, None),
    ]
    for day, (business, holder, outcome, rating, reply_after) in enumerate(complaints, 2):
        chat = await conversation(database)
        await case(
            database,
            chat,
            utc(day, 2),
            "complaint",
            claims=(utc(day, 2, 1),),
            resolved=utc(day, 5) if outcome else None,
            outcome=outcome,
            rating=rating,
        )
        async with database.sessions() as session, session.begin():
            found = await session.scalar(select(Case).where(Case.conversation_id == chat))
            assert found is not None
            found.fields, found.assigned_to = {"business": business}, holder
            if reply_after is not None:
                session.add(
                    Message(
                        conversation_id=chat,
                        direction="out",
                        text="…",
                        author=f"staff:{names[holder]}",
                        created_at=utc(day, 2, reply_after),
                    )
                )
    report = await build_report(database, MARCH)
    by_name = {person.name: person for person in report.staff}
    assert by_name["Trần Thị Lan"].handled == 2
    assert by_name["Trần Thị Lan"].median_first_response_min == 7.0  # 4 and 10
    assert by_name["Trần Thị Lan"].average_rating == 4.0
    assert by_name["Lê Văn Minh"].handled == 1
    assert by_name["Lê Văn Minh"].median_first_response_min == 30.0
    [xanh, abc] = report.businesses  # the same business however it was spelled
    assert (xanh.name, xanh.complaints, xanh.open) == ("Điện máy Xanh", 3, 1)
    assert xanh.outcomes == {"Đã giải quyết": 1, "Chuyển cơ quan chức năng": 1}
    assert (abc.name, abc.complaints, abc.outcomes) == ("Shop ABC", 1, {"Chuyển hòa giải": 1})
    lines = to_csv(report).splitlines()
    assert "Bên bán: Điện máy Xanh,Khiếu nại,3" in lines
    assert "Cán bộ: Trần Thị Lan,Hồ sơ đã kết thúc,2" in lines
