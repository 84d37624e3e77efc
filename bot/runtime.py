"""Wiring: settings in, a running bot out (database, knowledge base, Rasa, pipeline)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from bot.core import replies
from bot.core.compose import Composer, ExtractiveComposer
from bot.core.handlers import (
    CaseStatus,
    FixedReply,
    Handler,
    HumanRequest,
    LawQuestion,
    MatchFloors,
)
from bot.core.handoff import Clock, Handoff, WorkingHours
from bot.core.intake import OPTIONS_GUIDANCE, ComplaintIntake
from bot.core.llm import LlmComposer
from bot.core.messages import Action
from bot.core.pipeline import TurnPipeline, Understand
from bot.core.router import Router
from bot.nlu.client import RasaClient
from bot.nlu.server import RasaServer, resolve_rasa_token
from bot.settings import Settings
from bot.storage.conversations import ConversationStore
from bot.storage.database import Database, migrate
from bot.storage.secrets import private_dir
from knowledge_base.service import KnowledgeBase

Progress = Callable[[str], None]


def local_now() -> datetime:
    return datetime.now().astimezone()


def open_knowledge_base(settings: Settings) -> KnowledgeBase:
    return KnowledgeBase.open(
        settings.corpus_dir, settings.resolved_chroma_dir, settings.embedding_model_path
    )


def build_composer(settings: Settings, kb: KnowledgeBase) -> Composer:
    """Extractive by default; a language model composes when an endpoint is configured."""
    extractive = ExtractiveComposer(kb.corpus, kb.guidance)
    if not settings.llm_base_url:
        return extractive
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        temperature=0,
        max_retries=0,
    )
    return LlmComposer(model, extractive, kb.corpus.documents, settings.llm_timeout_s)


def build_pipeline(
    settings: Settings,
    kb: KnowledgeBase,
    store: ConversationStore,
    nlu: RasaClient,
    clock: Clock = local_now,
) -> TurnPipeline:
    composer = build_composer(settings, kb)
    options = ExtractiveComposer(kb.corpus, kb.guidance)
    floors = MatchFloors(settings.retrieval_similarity_floor, settings.retrieval_lexical_floor)
    law = LawQuestion(kb.searcher, composer, floors)
    hours = WorkingHours.parse(settings.working_hours, settings.working_days, settings.timezone)
    handoff = Handoff(store, hours, settings.staff_expected_wait_min, clock)
    intake = ComplaintIntake(
        lambda: options.compose_guidance(OPTIONS_GUIDANCE, clock().date()), law, handoff
    )
    human = HumanRequest(handoff)
    case_status = CaseStatus(store)
    handlers: dict[str, Handler] = {
        "greet": FixedReply(replies.GREET, Action.SMALLTALK),
        "thanks": FixedReply(replies.THANKS, Action.SMALLTALK),
        "goodbye": FixedReply(replies.GOODBYE, Action.SMALLTALK),
        "bot_identity": FixedReply(replies.BOT_IDENTITY, Action.SMALLTALK),
        "affirm": FixedReply(replies.NOTHING_TO_CONFIRM, Action.SMALLTALK),
        "deny": FixedReply(replies.NOTHING_TO_CONFIRM, Action.SMALLTALK),
        "cancel": FixedReply(replies.NOTHING_TO_CANCEL, Action.SMALLTALK),
        "back_to_bot": FixedReply(replies.ALREADY_WITH_BOT, Action.SMALLTALK),
        "attachment": FixedReply(replies.ATTACHMENT_RECEIVED, Action.CLARIFY),
        "out_of_scope": FixedReply(replies.OUT_OF_SCOPE, Action.OUT_OF_SCOPE),
        "help": FixedReply(replies.HELP, Action.SMALLTALK),
        "sticker": FixedReply(replies.STICKER, Action.CLARIFY),
        "ask_human": human,
        "complain_business": intake.offer,
        "check_case_status": case_status,
    }
    router = Router(
        handlers,
        default=law,
        confidence_floor=settings.intent_confidence_floor,
        by_entity={"case_number": case_status},
    )
    return TurnPipeline(store, Understand(nlu), router, intake, human, settings.max_message_chars)


@dataclass
class Runtime:
    settings: Settings
    database: Database
    kb: KnowledgeBase
    rasa: RasaClient
    pipeline: TurnPipeline


@asynccontextmanager
async def running_bot(settings: Settings, progress: Progress) -> AsyncIterator[Runtime]:
    """Start what the bot needs (Rasa only if none answers); stop what was started on exit."""
    private_dir(settings.data_dir)
    token = resolve_rasa_token(settings)
    server = RasaServer.from_settings(settings, token, log=progress)
    progress("Đang chuẩn bị cơ sở dữ liệu và chỉ mục tri thức…")
    await migrate(settings.resolved_database_url)
    kb = await asyncio.to_thread(open_knowledge_base, settings)
    for error in kb.corpus.errors:
        progress(f"Lỗi văn bản pháp luật: {error}")
    if settings.rasa_autostart:
        progress("Đang khởi động máy chủ Rasa (có thể mất khoảng 30 giây)…")
        try:
            await server.start()
        except Exception as error:
            progress(f"Không khởi động được Rasa: {error}. Bot vẫn trả lời từ chỉ mục.")
    database = Database(settings.resolved_database_url, settings.database_busy_timeout_s)
    rasa = RasaClient(settings.rasa_url, token, settings.rasa_timeout_s)
    try:
        pipeline = build_pipeline(settings, kb, ConversationStore(database), rasa)
        yield Runtime(settings, database, kb, rasa, pipeline)
    finally:
        await rasa.aclose()
        await database.dispose()
        await server.stop()
