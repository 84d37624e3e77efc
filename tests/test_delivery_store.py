"""The inbox and outbox on a real SQLite database: each message stored once, each call made in
order, nothing lost across a restart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.core.messages import Attachment, Event, IncomingMessage
from bot.core.safety import redact
from bot.delivery.store import DeliveryStore, Reply
from bot.delivery.workers import Backoff
from bot.storage.conversations import ConversationRecords
from bot.storage.database import Database, migrate
from bot.storage.models import InboxItem, OutboxItem
from tests.conftest import fresh_database_url


def message(message_id: str, text: str = "xin chào", chat: str = "c1") -> IncomingMessage:
    return IncomingMessage("zalo", chat, "u1", text, message_id)


async def test_a_redelivered_message_is_stored_once(database: Database) -> None:
    store = DeliveryStore(database)
    assert await store.accept(message("m1"))
    assert not await store.accept(message("m1"))
    assert len(await store.claim_inbound()) == 1


async def test_a_message_round_trips_with_attachments_and_event(database: Database) -> None:
    store = DeliveryStore(database)
    sent = IncomingMessage(
        "telegram", "c9", "u9", "ảnh hóa đơn", "m9", (Attachment("photo", "x://1", "a.jpg"),)
    )
    await store.accept(sent)
    await store.accept(IncomingMessage("telegram", "c9", "u9", "", "m10", event=Event.FOLLOW))
    claimed = [item.message for item in await store.claim_inbound()]
    assert claimed[0] == sent and claimed[1] and claimed[1].event is Event.FOLLOW


async def test_a_claimed_message_is_not_claimed_again_until_its_lease_ends(
    database: Database,
) -> None:
    store = DeliveryStore(database)
    await store.accept(message("m1"))
    assert len(await store.claim_inbound()) == 1
    assert await store.claim_inbound() == []


async def test_processing_keeps_redacted_text_and_queues_the_reply(database: Database) -> None:
    store = DeliveryStore(database)
    await store.accept(message("m1", "sđt của tôi 0912345678"))
    [item] = await store.claim_inbound()
    assert item.message is not None
    async with ConversationRecords(database).for_message(item.message) as conversation:
        stored = redact(item.message.text)
        reply = Reply(conversation.id, [{"n": 1}, {"n": 2}])
        await store.complete_inbound(conversation.session, item.id, item.message, stored, reply)
    counts = await store.counts()
    assert counts == {"outbox_pending": 2, "inbox_pending": 0, "inbox_dead": 0}
    async with database.sessions() as session:
        stored = await session.get(InboxItem, item.id)
        assert stored is not None and "0912345678" not in stored.message["text"]


async def test_chunks_of_one_chat_go_in_order_and_a_retry_holds_the_rest(
    database: Database,
) -> None:
    store = DeliveryStore(database)
    await store.enqueue("zalo", "c1", [{"chunk": 1}, {"chunk": 2}])
    await store.enqueue("zalo", "c2", [{"chunk": 1}])
    first = await store.claim_outbound("zalo")
    assert sorted((i.chat_id, i.payload["chunk"]) for i in first) == [("c1", 1), ("c2", 1)]
    head = next(i for i in first if i.chat_id == "c1")
    await store.retry(head.id, "429", timedelta(seconds=0))
    again = await store.claim_outbound("zalo")
    assert [(i.chat_id, i.payload["chunk"]) for i in again] == [("c1", 1)]
    await store.sent(again[0], "p1")
    assert [i.payload["chunk"] for i in await store.claim_outbound("zalo")] == [2]


async def test_a_sent_call_keeps_only_a_redacted_copy_of_its_text(database: Database) -> None:
    """Staff replies carry personal data (a phone number to call back): once delivered, the
    outbox keeps none of it."""
    store = DeliveryStore(database)
    await store.enqueue("zalo", "c1", [{"message": {"text": "Gọi tôi: 0912 345 678 nhé"}}])
    await store.enqueue("telegram", "c1", [{"method": "sendMessage", "text": "STK 0071001234567"}])
    for platform in ("zalo", "telegram"):
        [item] = await store.claim_outbound(platform)
        await store.sent(item, "p1")
    async with database.sessions() as session:
        kept = [str(i.payload) for i in await session.scalars(select(OutboxItem))]
    assert kept and not any(digits in text for text in kept for digits in ("345", "0071001"))


async def test_the_web_mailbox_marks_what_the_page_has_fetched(database: Database) -> None:
    store = DeliveryStore(database)
    await store.enqueue("web", "s1", [{"text": "Số hotline riêng của tôi: 0912345678"}])
    [item] = await store.mailbox("web", "s1", 0)
    assert "0912345678" in item.payload["text"]  # the page shows it to its citizen
    assert await store.mailbox("web", "s1", item.id) == []
    async with database.sessions() as session:
        fetched = await session.get(OutboxItem, item.id)
    assert fetched is not None and fetched.status == "sent"
    assert "0912345678" not in fetched.payload["text"]


async def test_pending_work_survives_a_restart(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path)
    await migrate(url)
    first = Database(url)
    await DeliveryStore(first).accept(message("m1"))
    await DeliveryStore(first).enqueue("zalo", "c1", [{"chunk": 1}])
    await first.dispose()
    second = Database(url)
    store = DeliveryStore(second)
    assert len(await store.claim_inbound()) == 1
    assert len(await store.claim_outbound("zalo")) == 1
    await second.dispose()


def test_backoff_grows_and_honours_retry_after() -> None:
    backoff = Backoff(base_s=1.0, cap_s=60.0)
    assert backoff.delay(1, retry_after=7) == timedelta(seconds=7)
    assert timedelta(seconds=0.5) <= backoff.delay(1, None) <= timedelta(seconds=1)
    assert timedelta(seconds=8) <= backoff.delay(5, None) <= timedelta(seconds=16)
    assert backoff.delay(30, None) <= timedelta(seconds=60)
