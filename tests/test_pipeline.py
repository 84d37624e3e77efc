"""One turn through every real layer: SQLite, Chroma, the real Rasa server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.core import catalogue
from bot.core.messages import Action, IncomingMessage
from bot.nlu.client import RasaClient
from bot.nlu.server import RasaServer
from bot.settings import Settings
from bot.storage.database import Database, migrate
from bot.storage.models import Message
from knowledge_base.service import KnowledgeBase
from tests.conftest import BotUnderTest, fresh_database_url, unused_port

pytestmark = pytest.mark.rasa

LAW_QUESTION = "mua hàng online bị lỗi có được đổi trả không"


@pytest.fixture(scope="module")
async def database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Database]:
    url = fresh_database_url(tmp_path_factory.mktemp("db"))
    await migrate(url)
    database = Database(url)
    yield database
    await database.dispose()


async def _bot(
    knowledge_base: KnowledgeBase, database: Database, rasa_url: str, token: str
) -> AsyncIterator[BotUnderTest]:
    client = RasaClient(rasa_url, token, timeout_s=5.0)
    yield BotUnderTest(database, knowledge_base, client)
    await client.aclose()


@pytest.fixture(scope="module")
async def bot(
    knowledge_base: KnowledgeBase, database: Database, rasa_server: RasaServer
) -> AsyncIterator[BotUnderTest]:
    async for bot in _bot(knowledge_base, database, rasa_server.url, rasa_server.token):
        yield bot


@pytest.fixture(scope="module")
async def bot_without_rasa(
    knowledge_base: KnowledgeBase, database: Database
) -> AsyncIterator[BotUnderTest]:
    async for bot in _bot(knowledge_base, database, f"http://127.0.0.1:{unused_port()}", "x"):
        yield bot


def message(text: str, chat: str, message_id: str | None = None) -> IncomingMessage:
    return IncomingMessage("test", chat, "citizen", text, message_id=message_id)


async def test_law_question_is_answered_with_a_cited_article(bot: BotUnderTest) -> None:
    reply = await bot.say(message(LAW_QUESTION, "law"))
    assert reply is not None
    assert reply.action is Action.ANSWER
    assert reply.intent is not None and reply.intent.name.startswith("ask_law")
    assert reply.citations
    citation = reply.citations[0]
    assert citation.doc in {"19/2023/QH15", "55/2024/NĐ-CP", "122/2025/QH15", "248/2026/NĐ-CP"}
    assert f"Điều {citation.article}" in reply.text


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("Xin chào", Action.SMALLTALK),
        ("chao ban", Action.SMALLTALK),
        ("cho mình nói chuyện với nhân viên tư vấn", Action.HANDOFF),
        ("cho minh gap nguoi that dc ko", Action.HANDOFF),
        ("hôm nay thời tiết Hà Nội thế nào", Action.OUT_OF_SCOPE),
        ("ket qua bong da toi qua", Action.OUT_OF_SCOPE),
    ],
)
async def test_intents_are_routed(bot: BotUnderTest, text: str, action: Action) -> None:
    reply = await bot.say(message(text, f"route-{text}"))
    assert reply is not None and reply.action is action
    assert not reply.citations


@pytest.mark.parametrize("text", ["", "   \n\t ", "😀😀😀", "\x00\x01\x02", "👍", "?!…"], ids=repr)
async def test_messages_without_words_get_a_polite_request(bot: BotUnderTest, text: str) -> None:
    reply = await bot.say(message(text, f"empty-{text!r}"))
    assert reply is not None and reply.action is Action.CLARIFY
    assert "vui lòng" in reply.text


async def test_a_huge_message_is_cut_and_still_answered(bot: BotUnderTest) -> None:
    huge = (LAW_QUESTION + " ") * 250
    assert len(huge) > 10_000
    reply = await bot.say(message(huge, "huge"))
    assert reply is not None
    assert reply.text.startswith("Tin nhắn của bạn khá dài")
    assert reply.citations


async def test_control_characters_do_not_break_a_question(bot: BotUnderTest) -> None:
    reply = await bot.say(
        message("mua hàng\x00 online\x1b bị lỗi\u200b có được đổi trả không", "ctrl")
    )
    assert reply is not None and reply.action is Action.ANSWER


async def test_duplicate_delivery_is_answered_once_and_everything_is_stored(
    bot: BotUnderTest, database: Database
) -> None:
    first = await bot.say(message(LAW_QUESTION, "dup", message_id="m-1"))
    again = await bot.turns.answer_now(message(LAW_QUESTION, "dup", message_id="m-1"))
    assert first is not None and again.reply is None
    async with database.sessions() as session:
        rows = (await session.scalars(select(Message).order_by(Message.id))).all()
    stored = [(m.direction, m.text) for m in rows if m.text == LAW_QUESTION or m.text == first.text]
    assert stored.count(("in", LAW_QUESTION)) >= 1
    transcript = await bot.records.transcript("test", "dup")
    assert [m.direction for m in transcript] == ["in", "out"]
    assert transcript[1].citations == [c.to_json() for c in first.citations]


async def test_rasa_down_still_answers_law_questions(bot_without_rasa: BotUnderTest) -> None:
    reply = await bot_without_rasa.say(message(LAW_QUESTION, "no-rasa"))
    assert reply is not None and reply.action is Action.ANSWER
    assert reply.citations
    assert reply.intent is not None and reply.intent.name == "nlu_unavailable"


async def test_unrelated_text_does_not_quote_an_article(
    bot_without_rasa: BotUnderTest,
) -> None:
    reply = await bot_without_rasa.say(message("xyzzy qwerty asdf", "nonsense"))
    assert reply is not None and reply.action is Action.CLARIFY
    assert not reply.citations


async def test_a_first_article_the_ranker_doubts_is_not_quoted(
    knowledge_base: KnowledgeBase, database: Database
) -> None:
    """The same question that is answered above gets a clarifying question, and no citation,
    when the ranker's confidence in its first article is below RETRIEVAL_CONFIDENCE_FLOOR."""
    client = RasaClient(f"http://127.0.0.1:{unused_port()}", "x", timeout_s=5.0)
    doubtful = BotUnderTest(
        database, knowledge_base, client, Settings(retrieval_confidence_floor=1.0)
    )
    reply = await doubtful.say(message(LAW_QUESTION, "doubtful"))
    await client.aclose()
    assert reply is not None and reply.action is Action.CLARIFY
    assert not reply.citations
    assert reply.text == catalogue.NOT_SURE
