"""The editors' library on a real database and real index generations: versions and the law in
force on a day, the regression gate, legal events, guidance review, the unanswered inbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core import catalogue
from bot.core.handlers import MatchFloors
from bot.editing import inbox
from bot.editing.library import HELD, Library, NotAllowed
from bot.editing.preview import answer_on, entry_preview
from bot.runtime import opened_library
from bot.settings import Settings
from bot.storage.models import Conversation, IndexGeneration, Message
from knowledge_base.embeddings import HashingEmbeddings
from knowledge_base.in_force import InForceSearcher
from tests.editing_support import (
    CONTRACT_QUESTION,
    MALFORMED_LINES,
    NEW_WORDING,
    amended_law_text,
    docx_bytes,
    truncated_law_text,
)

FLOORS = MatchFloors(0.3, 14.0)
DECREE = "55/2024/NĐ-CP"
DECREE_QUESTION = "đăng ký hợp đồng theo mẫu với cơ quan quản lý nhà nước về bảo vệ người tiêu dùng"


@pytest.fixture(scope="module")
async def library(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Library]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("editing"))
    async with opened_library(settings) as library:
        await library.open_active()
        yield library


async def test_an_amended_clause_is_quoted_from_its_effective_day(library: Library) -> None:
    first, _ = await library.open_active()
    draft = await library.import_file("luat.txt", amended_law_text().encode(), "staff:lan")
    outcome = await library.publish_draft(draft.id, "staff:minh")
    assert outcome.published and outcome.version == 2 and outcome.generation > first
    assert outcome.kb.last_sync.embedded == 1  # the amended clause; the rest was copied
    assert library.generation_dir(first).exists()  # the previous generation is untouched

    history = await library.history("19/2023/QH15")
    assert [(v.version, v.effective, v.by) for v in history] == [
        (1, date(2024, 7, 1), "corpus"),
        (2, date(2026, 1, 1), "staff:minh"),
    ]
    kb = outcome.kb
    now = await answer_on(kb, FLOORS, CONTRACT_QUESTION, date(2026, 6, 1))
    assert NEW_WORDING in now.answer.text
    before = await answer_on(kb, FLOORS, CONTRACT_QUESTION, date(2025, 6, 1))
    assert NEW_WORDING not in before.answer.text
    assert "thời gian hợp lý" in before.answer.text
    assert "nội dung sửa đổi" in before.answer.text and "01/01/2026" in before.answer.text

    articles = await library.version_articles("19/2023/QH15", 2)
    assert NEW_WORDING in next(a for a in articles if a.number == 26).full_text


async def test_an_incomplete_text_is_held_by_the_regression_gate(library: Library) -> None:
    active = await library.active_id()
    draft = await library.import_file("luat-cat.txt", truncated_law_text().encode(), "staff:lan")
    outcome = await library.publish_draft(draft.id, "staff:minh")
    assert not outcome.published
    gate = outcome.gate
    assert gate.held and gate.before - gate.after > gate.max_drop
    worse = gate.worse[0]
    assert worse.before is not None and worse.before <= 3
    assert worse.after is None or worse.after > 3
    assert worse.now_first  # what ranks above the answer now
    assert await library.active_id() == active  # the bot still answers from the same index
    assert (await library.draft(draft.id)).status == HELD
    assert [v.version for v in await library.history("19/2023/QH15")][-1] == 2


async def test_a_malformed_text_never_reaches_the_index(library: Library) -> None:
    active = await library.active_id()
    draft = await library.import_file("loi.docx", docx_bytes(MALFORMED_LINES), "staff:lan")
    with pytest.raises(NotAllowed, match="draft_has_problems"):
        await library.publish_draft(draft.id, "staff:minh")
    assert await library.active_id() == active
    kb = await library.open_generation(active)
    assert "88/2026/QH15" not in kb.corpus.documents
    assert all(h.doc != "88/2026/QH15" for h in kb.searcher.search("Điều hai lặp lại", 10))


async def test_a_repealed_document_is_cited_only_before_its_repeal(library: Library) -> None:
    repealed_on = date.today() - timedelta(days=30)
    outcome = await library.record_event(DECREE, "repealed", repealed_on, "", "staff:lan")
    assert outcome.published
    kb = outcome.kb

    def docs_on(day: date) -> set[str]:
        return {
            h.doc
            for h in InForceSearcher(kb.searcher, kb.corpus, lambda: day).search(DECREE_QUESTION, 5)
        }

    assert DECREE not in docs_on(date.today())
    assert DECREE in docs_on(repealed_on - timedelta(days=1))
    assert kb.corpus.as_of(date.today()).documents[DECREE].status == "repealed"
    events = await library.events(DECREE)
    assert [(e.kind, e.on, e.actor) for e in events] == [("repealed", repealed_on, "staff:lan")]


async def test_an_amendment_not_yet_taken_in_is_said(library: Library) -> None:
    outcome = await library.record_event(
        "122/2025/QH15", "amended", date(2026, 9, 1), "99/2026/QH15", "staff:lan"
    )
    document = outcome.kb.corpus.as_of(date(2026, 10, 1)).documents["122/2025/QH15"]
    assert document.status == "amended" and document.amended_by == "99/2026/QH15"
    assert outcome.kb.corpus.as_of(date(2026, 8, 1)).documents["122/2025/QH15"].status == (
        "in_force"
    )


GUIDANCE = {
    "title": "Thời gian đọc hợp đồng theo mẫu",
    "topic": "contracts",
    "answer": (
        "Người bán phải cho bạn ít nhất 05 ngày làm việc để đọc hợp đồng theo mẫu trước khi ký."
    ),
    "questions": ["được bao lâu để đọc hợp đồng mẫu", "hop dong mau doc trong bao lau"],
    "citations": ["19/2023/QH15#d26.k1"],
    "next_step": "Hãy đề nghị bên bán gửi trước hợp đồng để bạn đọc.",
    "body": "",
    "owner": "nhom-noi-dung",
}


async def test_guidance_is_published_by_another_editor(library: Library) -> None:
    revision = await library.save_revision(None, "doc-hop-dong-mau", GUIDANCE, "staff:lan")
    await library.submit(revision.id, "staff:lan")
    with pytest.raises(NotAllowed, match="own_draft"):
        await library.publish_revision(revision.id, "staff:lan", may_self_publish=False)
    outcome = await library.publish_revision(revision.id, "staff:minh", may_self_publish=False)
    assert outcome.published
    entry = next(e for e in outcome.kb.guidance if e.id == "doc-hop-dong-mau")
    preview = entry_preview(outcome.kb, entry, date(2026, 6, 1))
    assert preview.answer is not None and NEW_WORDING in preview.answer.text
    assert {p.name for p in preview.platforms} == {"Telegram", "Zalo", "Web chat"}
    assert preview.length == len(preview.answer.text)


async def test_the_inbox_groups_unanswered_questions_and_follows_them(library: Library) -> None:
    database = library._database
    asked = [
        ("vé máy bay bị hãng hủy chuyến có được hoàn tiền không", "clarify"),
        ("ve may bay bi huy chuyen thi co duoc hoan tien ko", "clarify"),
        ("hãng bay hủy chuyến, đòi hoàn tiền vé được không, sđt 0912345678", "out_of_scope"),
        ("thời tiết ngày mai thế nào", "out_of_scope"),
    ]
    async with database.sessions() as session, session.begin():
        for n, (text, action) in enumerate(asked):
            conversation = Conversation(platform="web", chat_id=f"inbox-{n}", user_id="u")
            session.add(conversation)
            await session.flush()
            session.add(Message(conversation_id=conversation.id, direction="in", text=text))
            session.add(
                Message(conversation_id=conversation.id, direction="out", text="…", action=action)
            )
    embedding = HashingEmbeddings()
    groups = inbox.group(await inbox.unanswered(database), embedding)
    flights = groups[0]
    assert flights.count == 3 and flights.reasons == {"clarify": 2, "out_of_scope": 1}
    assert not any("0912345678" in text for text in flights.examples)  # redacted
    revision = await library.turn_group(
        "hoan-tien-ve-may-bay",
        None,
        flights.examples,
        [q.message_id for q in flights.questions],
        "staff:lan",
    )
    assert revision.fields["questions"] == flights.examples
    remaining = inbox.group(await inbox.unanswered(database), embedding)
    assert [g.examples for g in remaining] == [["thời tiết ngày mai thế nào"]]
    assert catalogue.INBOX_REASONS.keys() >= flights.reasons.keys()


async def test_two_processes_starting_at_once_agree_on_one_generation(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    async with opened_library(settings) as first, opened_library(settings) as second:
        (one, _), (other, _) = await asyncio.gather(first.open_active(), second.open_active())
        assert one == other == await first.active_id()
        async with first._database.sessions() as session:
            statuses = list(await session.scalars(select(IndexGeneration.status)))
    assert statuses.count("active") == 1
