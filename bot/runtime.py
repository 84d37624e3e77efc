"""The composition root: settings in, a running bot out. Everything is built here (database,
knowledge base, Rasa, the turn's stages, connectors, the turn and conversation services, the
web chat); the rest of the code receives what it needs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core import catalogue
from bot.core.compose import Composer, ExtractiveComposer
from bot.core.handlers import (
    AnswerFloors,
    CaseStatus,
    FixedReply,
    HumanRequest,
    LawQuestion,
    MatchFloors,
    OutOfScope,
)
from bot.core.handoff import Handoff, WorkingHours
from bot.core.intake import OPTIONS_GUIDANCE, ComplaintIntake
from bot.core.llm import LlmComposer
from bot.core.messages import Action
from bot.core.pipeline import TurnPipeline
from bot.core.ports import Clock, IntentParser, MaintenanceSwitch
from bot.core.router import Router
from bot.core.stages.asked_for_person import AskedForPerson
from bot.core.stages.dialogue import ContinueDialogue
from bot.core.stages.maintenance import UnderMaintenance
from bot.core.stages.normalise import Normalise
from bot.core.stages.nothing_to_read import NothingToRead
from bot.core.stages.offer_staff import OfferStaffWhenStuck
from bot.core.stages.record import Record
from bot.core.stages.route import Route
from bot.core.stages.safety import Safety
from bot.core.stages.self_harm import SelfHarm
from bot.core.stages.staff_hold import WhileStaffHold
from bot.core.stages.understand import Understand
from bot.core.turn import Handler
from bot.delivery.conversations import ConversationService
from bot.delivery.pacing import Limits, LocalPacing, Pacing, SharedPacing
from bot.delivery.store import DeliveryStore
from bot.delivery.turns import Turns
from bot.editing.library import Library, LibraryConfig
from bot.metrics import TimedSearcher
from bot.nlu.client import RasaClient
from bot.nlu.server import RasaServer, resolve_rasa_token
from bot.settings import Settings
from bot.storage.conversations import ConversationRecords
from bot.storage.database import Database, migrate, sqlite_path
from bot.storage.photos import PhotoStore
from bot.storage.retention import RetentionMode, RetentionPolicy
from bot.storage.secrets import private_dir, stored_secret
from bot.storage.switches import Maintenance
from bot.storage.tokens import TokenStore
from bot.web.chat import WebChat
from bot.web.ratelimit import RequestLimits
from bot.web.sessions import WebSessions
from connectors.base import Connector, TokenPair
from connectors.webchat import WebChatConnector
from knowledge_base.content import Sources
from knowledge_base.evaluation import load_devset, spread
from knowledge_base.in_force import InForceSearcher
from knowledge_base.service import KnowledgeBase

Progress = Callable[[str], None]
PHOTOS_DIR = "attachments"
"""Photos from the web chat, under the data directory."""
log = logging.getLogger(__name__)


def local_now() -> datetime:
    return datetime.now().astimezone()


def build_library(settings: Settings, database: Database) -> Library:
    config = LibraryConfig(
        sources=Sources(settings.corpus_dir),
        index_root=settings.resolved_chroma_dir,
        embedding_model_path=settings.embedding_model_path,
        gate_max_drop=settings.kb_gate_max_drop,
        chroma_url=settings.chroma_url,
    )
    return Library(database, config, spread(load_devset(), settings.kb_gate_questions))


@asynccontextmanager
async def opened_library(settings: Settings) -> AsyncIterator[Library]:
    """The editors' library on a migrated database (for the command line)."""
    private_dir(settings.data_dir)
    await migrate(settings.resolved_database_url)
    database = Database(settings.resolved_database_url, settings.database_busy_timeout_s)
    try:
        yield build_library(settings, database)
    finally:
        await database.dispose()


def open_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The knowledge base the bot answers from: the active index generation (built, or brought
    up to date with the corpus folder and the repository's guidance, when needed)."""

    async def run() -> KnowledgeBase:
        async with opened_library(settings) as library:
            _, kb = await library.open_active()
            return kb

    return asyncio.run(run())


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


def answer_floors(settings: Settings) -> AnswerFloors:
    confidence = settings.retrieval_confidence_floor
    return AnswerFloors(
        alone=MatchFloors(
            settings.retrieval_similarity_floor, settings.retrieval_lexical_floor, confidence
        ),
        on_topic=MatchFloors(
            settings.retrieval_topic_similarity_floor,
            settings.retrieval_topic_lexical_floor,
            confidence,
        ),
        topic_intents=catalogue.LAW_TOPIC_INTENTS,
    )


def build_pipeline(
    settings: Settings,
    kb: KnowledgeBase,
    parser: IntentParser,
    maintenance: MaintenanceSwitch,
    clock: Clock = local_now,
) -> TurnPipeline:
    """The turn as a literal list of stages, and the handlers they route to."""
    composer = build_composer(settings, kb)
    options = ExtractiveComposer(kb.corpus, kb.guidance)

    def today() -> date:
        return clock().date()

    searcher = TimedSearcher(InForceSearcher(kb.searcher, kb.corpus, today))
    law = LawQuestion(searcher, composer, answer_floors(settings), today=today)
    hours = WorkingHours.parse(settings.working_hours, settings.working_days, settings.timezone)
    handoff = Handoff(hours, settings.staff_expected_wait_min, clock)
    intake = ComplaintIntake(
        lambda: options.compose_guidance(OPTIONS_GUIDANCE, today()), law, handoff
    )
    human = HumanRequest(handoff)
    case_status = CaseStatus()
    handlers: dict[str, Handler] = {
        "greet": FixedReply(catalogue.GREET, Action.SMALLTALK),
        "thanks": FixedReply(catalogue.THANKS, Action.SMALLTALK),
        "goodbye": FixedReply(catalogue.GOODBYE, Action.SMALLTALK),
        "bot_identity": FixedReply(catalogue.BOT_IDENTITY, Action.SMALLTALK),
        "affirm": FixedReply(catalogue.NOTHING_TO_CONFIRM, Action.SMALLTALK),
        "deny": FixedReply(catalogue.NOTHING_TO_CONFIRM, Action.SMALLTALK),
        "cancel": FixedReply(catalogue.NOTHING_TO_CANCEL, Action.SMALLTALK),
        "back_to_bot": FixedReply(catalogue.ALREADY_WITH_BOT, Action.SMALLTALK),
        "attachment": FixedReply(catalogue.ATTACHMENT_RECEIVED, Action.CLARIFY),
        "out_of_scope": OutOfScope(law),
        "help": FixedReply(catalogue.HELP, Action.SMALLTALK),
        "sticker": FixedReply(catalogue.STICKER, Action.CLARIFY),
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
    understand = Understand(parser)
    return TurnPipeline(
        [
            Normalise(settings.max_message_chars),
            Record(),
            WhileStaffHold(understand, case_status, settings.intent_confidence_floor),
            UnderMaintenance(maintenance),
            NothingToRead(),
            Safety(),
            understand,
            SelfHarm(human),
            AskedForPerson(human, settings.intent_confidence_floor),
            ContinueDialogue(intake, human),
            Route(router),
            OfferStaffWhenStuck(),
        ]
    )


async def build_connectors(settings: Settings, database: Database) -> dict[str, Connector]:
    """The platforms whose settings are present, started if they are reachable (if not, the
    delivery service keeps trying in the background)."""
    connectors: dict[str, Connector] = {}
    if settings.telegram_bot_token:
        from connectors.telegram import TelegramConnector

        telegram = TelegramConnector(
            settings.telegram_bot_token,
            settings.telegram_webhook_secret,
            settings.telegram_api_base,
        )
        telegram.overall_per_second = settings.telegram_messages_per_s
        await telegram.start()
        connectors[telegram.platform] = telegram
    if settings.zalo_enabled:
        from connectors.zalo import ZaloConnector

        initial = TokenPair(settings.zalo_access_token, settings.zalo_refresh_token)
        zalo = ZaloConnector(
            app_id=settings.zalo_app_id,
            app_secret=settings.zalo_app_secret,
            oa_secret_key=settings.zalo_oa_secret_key,
            tokens=TokenStore(database, "zalo"),
            initial_tokens=initial,
            api_base=settings.zalo_api_base,
            oauth_base=settings.zalo_oauth_base,
            replay_window=timedelta(seconds=settings.zalo_replay_window_s),
        )
        connectors[zalo.platform] = zalo
    return connectors


def build_web_chat(settings: Settings, connector: WebChatConnector) -> WebChat:
    limits = RequestLimits(
        {
            "session_per_address": settings.web_new_sessions_per_address,
            "message_per_address": settings.web_messages_per_address,
            "message_per_session": settings.web_messages_per_session,
            "updates_per_session": settings.web_updates_per_session,
        }
    )
    secret = settings.web_session_secret or stored_secret(settings.data_dir, "web-session-secret")
    photos = PhotoStore(settings.data_dir / PHOTOS_DIR)
    return WebChat(connector, WebSessions(secret), limits, photos, settings.web_photo_max_bytes)


def retention_policy(settings: Settings) -> RetentionPolicy:
    return RetentionPolicy(
        settings.conversation_retention_days,
        settings.case_retention_days,
        RetentionMode(settings.retention_mode),
    )


def build_pacing(database: Database, processes: int) -> Callable[[Connector], Pacing]:
    """Each platform's rate limits: in this process's memory when it is the only one (one
    process on SQLite), through the database otherwise, so that every process together keeps
    within them."""

    def pacing(connector: Connector) -> Pacing:
        limits = Limits(connector.overall_per_second, connector.per_chat_per_second)
        if processes == 1 and sqlite_path(database.url) is not None:
            return LocalPacing(limits)
        return SharedPacing(database, connector.platform, limits)

    return pacing


@dataclass
class Runtime:
    settings: Settings
    database: Database
    kb: KnowledgeBase
    rasa: RasaClient
    pipeline: TurnPipeline
    connectors: dict[str, Connector]
    store: DeliveryStore
    turns: Turns
    conversations: ConversationService
    web: WebChat
    maintenance: Maintenance
    pacing: Callable[[Connector], Pacing]
    library: Library
    generation: int
    clock: Clock = local_now

    def use(self, generation: int, kb: KnowledgeBase) -> None:
        """Answer from ``generation`` from the next turn on (one assignment: a turn uses
        either the old pipeline or the new one, never a mix)."""
        if generation == self.generation:
            return
        self.pipeline = build_pipeline(self.settings, kb, self.rasa, self.maintenance, self.clock)
        self.kb, self.generation = kb, generation
        self.turns.use(self.pipeline)

    async def follow_generations(self, progress: Progress) -> None:
        """Pick up a generation another process published (checked every ``KB_RELOAD_S``)."""
        while True:
            await asyncio.sleep(self.settings.kb_reload_s)
            try:
                active = await self.library.active_id()
                if active is not None and active != self.generation:
                    self.use(active, await self.library.open_generation(active))
                    progress(f"Chỉ mục tri thức: chuyển sang thế hệ {active}.")
            except Exception as error:  # keep answering from the current one
                log.warning("index generation not picked up: %s", type(error).__name__)


@asynccontextmanager
async def running_bot(
    settings: Settings, progress: Progress, platforms: bool = True, clock: Clock = local_now
) -> AsyncIterator[Runtime]:
    """Start what the bot needs (Rasa only if none answers; the platforms' connectors unless
    ``platforms`` is False); stop what was started on exit. ``clock``: the moment answers are
    given for (the law in force then is quoted)."""
    private_dir(settings.data_dir)
    token = resolve_rasa_token(settings)
    server = RasaServer.from_settings(settings, token, log=progress)
    replicated = len(settings.rasa_urls) > 1
    progress("Đang chuẩn bị cơ sở dữ liệu và chỉ mục tri thức…")
    await migrate(settings.resolved_database_url)
    database = Database(settings.resolved_database_url, settings.database_busy_timeout_s)
    library = build_library(settings, database)
    generation, kb = await library.open_active()
    for error in kb.corpus.errors:
        progress(f"Lỗi văn bản pháp luật: {error}")
    if settings.rasa_autostart and not replicated:
        progress("Đang khởi động máy chủ Rasa (có thể mất khoảng 30 giây)…")
        try:
            await server.start()
        except Exception as error:
            progress(f"Không khởi động được Rasa: {error}. Bot vẫn trả lời từ chỉ mục.")
    rasa = RasaClient(settings.rasa_urls, token, settings.rasa_timeout_s)
    web = WebChatConnector()
    connectors: dict[str, Connector] = {web.platform: web}
    tasks: list[asyncio.Task[None]] = []
    try:
        if platforms:
            connectors |= await build_connectors(settings, database)
        maintenance = Maintenance(database)
        tasks.append(asyncio.create_task(maintenance.keep_fresh()))
        pipeline = build_pipeline(settings, kb, rasa, maintenance, clock)
        records = ConversationRecords(database)
        store = DeliveryStore(database)
        runtime = Runtime(
            settings=settings,
            database=database,
            kb=kb,
            rasa=rasa,
            pipeline=pipeline,
            connectors=connectors,
            store=store,
            turns=Turns(records, pipeline, store, connectors),
            conversations=ConversationService(records, store, connectors),
            web=build_web_chat(settings, web),
            maintenance=maintenance,
            pacing=build_pacing(database, settings.bot_workers),
            library=library,
            generation=generation,
            clock=clock,
        )
        tasks.append(asyncio.create_task(runtime.follow_generations(progress)))
        yield runtime
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for connector in connectors.values():
            await connector.aclose()
        await rasa.aclose()
        await database.dispose()
        await server.stop()
