"""Conversation transcripts (tests/transcripts/*.yml) played through the whole pipeline: SQLite,
Chroma, the real Rasa server. Each file lists scenarios; see tests/transcripts/README.md."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.console.auth import Accounts, Staff
from bot.core.messages import Action, Attachment, IncomingMessage, OutgoingMessage
from bot.nlu.client import RasaClient
from bot.nlu.server import RasaServer
from bot.storage.conversations import ConversationRecords
from bot.storage.database import Database, migrate
from knowledge_base.service import KnowledgeBase
from tests.conftest import BotUnderTest, fresh_database_url

pytestmark = pytest.mark.rasa

TRANSCRIPTS = Path(__file__).parent / "transcripts"
WORKING_HOURS_MONDAY = "2026-11-23T10:00:00+07:00"


def _scenarios() -> list[Any]:
    params = []
    for path in sorted(TRANSCRIPTS.glob("*.yml")):
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8")):
            params.append(pytest.param(scenario, id=f"{path.stem}: {scenario['name']}"))
    return params


@dataclass
class Conversation:
    """One citizen's chat with a bot that may be restarted, on a fixed clock; staff act on it
    through the same service as the console."""

    knowledge_base: KnowledgeBase
    rasa: RasaServer
    database_url: str
    now: datetime
    chat_id: str
    database: Database | None = None
    client: RasaClient | None = None
    bot: BotUnderTest | None = None
    staff: Staff | None = None
    sent: int = 0

    async def start(self) -> None:
        self.database = Database(self.database_url)
        self.client = RasaClient(self.rasa.url, self.rasa.token, timeout_s=5.0)
        self.bot = BotUnderTest(
            self.database, self.knowledge_base, self.client, clock=lambda: self.now
        )

    async def stop(self) -> None:
        assert self.client and self.database
        await self.client.aclose()
        await self.database.dispose()

    @property
    def records(self) -> ConversationRecords:
        assert self.bot
        return self.bot.records

    async def say(self, text: str, attachments: int = 0) -> OutgoingMessage | None:
        assert self.bot
        self.sent += 1
        files = tuple(
            Attachment("photo", f"https://files.example/{self.chat_id}/{self.sent}-{n}.jpg")
            for n in range(attachments)
        )
        message = IncomingMessage("test", self.chat_id, "citizen", text, str(self.sent), files)
        return await self.bot.say(message)

    async def conversation_id(self) -> int:
        messages = await self.records.transcript("test", self.chat_id)
        return messages[0].conversation_id


@pytest.fixture
async def conversation(
    tmp_path: Path, knowledge_base: KnowledgeBase, rasa_server: RasaServer, request: Any
) -> AsyncIterator[Conversation]:
    url = fresh_database_url(tmp_path)
    await migrate(url)
    database = Database(url)
    staff_id = await Accounts(database).add_user("lan", "Trần Thị Lan", "staff", "mat-khau-1234")
    await database.dispose()
    chat = Conversation(
        knowledge_base,
        rasa_server,
        url,
        datetime.fromisoformat(WORKING_HOURS_MONDAY),
        chat_id=re.sub(r"\W+", "-", request.node.name)[:60],
    )
    chat.staff = Staff(staff_id, "lan", "Trần Thị Lan", "staff", csrf_token="")
    await chat.start()
    yield chat
    await chat.stop()


@pytest.mark.parametrize("scenario", _scenarios())
async def test_transcript(conversation: Conversation, scenario: dict[str, Any]) -> None:
    if "clock" in scenario:
        conversation.now = datetime.fromisoformat(scenario["clock"])
    for number, step in enumerate(scenario["turns"], 1):
        where = f"turn {number}: {step}"
        if step.get("restart"):
            await conversation.stop()
            await conversation.start()
            continue
        if "staff" in step:
            await _staff_action(conversation, step["staff"])
            continue
        reply = await conversation.say(step["citizen"], step.get("attachments", 0))
        _check_reply(reply, step.get("bot", {}), where)
    await _check_records(conversation, scenario.get("records", {}))


async def _staff_action(conversation: Conversation, action: str) -> None:
    """What staff do in the console, through the console's own service: ``claim``,
    ``release``, ``return``, ``resolve [outcome]`` (default ``resolved``)."""
    assert conversation.bot and conversation.staff
    conversation_id = await conversation.conversation_id()
    service, staff = conversation.bot.conversations, conversation.staff
    name, _, outcome = action.partition(" ")
    actions = {
        "claim": lambda: service.claim(conversation_id, staff),
        "release": lambda: service.release(conversation_id, staff),
        "return": lambda: service.return_to_bot(conversation_id, staff),
        "resolve": lambda: service.resolve(conversation_id, staff, outcome or "resolved"),
    }
    await actions[name]()


def _check_reply(reply: OutgoingMessage | None, expected: dict[str, Any] | str, where: str) -> None:
    if expected == "silent":
        assert reply is None, f"{where}: the bot spoke while staff hold the chat: {reply}"
        return
    assert reply is not None and reply.text.strip(), f"{where}: no reply"
    assert isinstance(expected, dict)
    if "action" in expected:
        assert reply.action.value == expected["action"], f"{where}: {reply.action} {reply.text}"
    if reply.action is Action.OUT_OF_SCOPE:
        assert not reply.citations, f"{where}: a declined question cites {reply.citations}"
    if "intent" in expected:
        assert reply.intent and reply.intent.name.startswith(expected["intent"]), where
    for part in expected.get("says", []):
        assert part.lower() in reply.text.lower(), f"{where}: «{part}» missing in:\n{reply.text}"
    for part in expected.get("never_says", []):
        assert part.lower() not in reply.text.lower(), f"{where}: «{part}» in:\n{reply.text}"
    if "cites" in expected:
        cited = {f"{c.doc} Điều {c.article}" for c in reply.citations}
        docs = {c.doc for c in reply.citations}
        for wanted in expected["cites"]:
            assert wanted in cited or wanted in docs, f"{where}: {wanted} not in {cited}"
        assert f"Điều {reply.citations[0].article}" in reply.text, where
    if expected.get("case_number"):
        assert re.search(r"KN-\d{4}-\d{6}", reply.text), f"{where}: no case number"
    for choice in expected.get("offers", []):
        assert choice in reply.quick_replies, f"{where}: {reply.quick_replies}"


async def _check_records(conversation: Conversation, expected: dict[str, Any]) -> None:
    if not expected:
        return
    conversation_id = await conversation.conversation_id()
    store = conversation.records
    if "state" in expected or "transitions" in expected:
        transitions = await store.transitions(conversation_id)
        moves = [f"{t.from_state} -> {t.to_state}" for t in transitions]
        assert moves == expected.get("transitions", moves)
        if "state" in expected:
            assert (moves[-1].split(" -> ")[1] if moves else "bot") == expected["state"]
    cases = await store.cases(conversation_id)
    if "cases" in expected:
        assert len(cases) == expected["cases"]
    if "case" in expected:
        case = cases[-1]
        wanted = expected["case"]
        assert case.kind == wanted["kind"]
        for key, value in wanted.get("fields", {}).items():
            assert case.fields.get(key) == value, f"case field {key}: {case.fields}"
        if "rating" in wanted:
            assert case.rating == wanted["rating"]
        if "attachments" in wanted:
            assert len(await store.case_attachments(case.number)) == wanted["attachments"]
    log_text = "\n".join(m.text for m in await store.transcript("test", conversation.chat_id))
    for secret in expected.get("log_never_contains", []):
        assert secret not in log_text, f"personal data «{secret}» stored in clear"
    for part in expected.get("log_contains", []):
        assert part in log_text
