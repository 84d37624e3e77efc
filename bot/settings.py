"""The one settings object. Every field is an environment variable, documented in the README."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Runtime configuration, read from the environment (and an optional `.env` file)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Field(PROJECT_ROOT / "var", description="Writable state: database, index.")
    corpus_dir: Path = Field(
        PROJECT_ROOT.parent / "shared" / "corpus", description="Official legal texts to index."
    )
    database_url: str = Field("", description="SQLAlchemy async URL; empty = SQLite in data_dir.")
    database_busy_timeout_s: float = Field(
        30.0, description="How long a SQLite write waits for another; then 503, retried later."
    )
    chroma_dir: Path | None = Field(None, description="Chroma directory; empty = data_dir/chroma.")
    chroma_url: str = Field(
        "",
        description="A Chroma server (`chroma run`), e.g. http://chroma:8000; empty = chroma_dir.",
    )
    embedding_model_path: Path | None = Field(
        None, description="Local sentence-transformers model; empty = offline hashing embedding."
    )

    rasa_url: str = Field(
        "http://127.0.0.1:5005", description="Rasa HTTP API; several replicas comma-separated."
    )
    rasa_token: str = Field("", description="Rasa auth token; empty = generated in data_dir.")
    rasa_autostart: bool = Field(True, description="Start a Rasa server when none answers.")
    rasa_venv: Path = Field(PROJECT_ROOT / ".venv-rasa", description="Rasa's virtualenv.")
    rasa_project_dir: Path = Field(PROJECT_ROOT / "rasa_project", description="Rasa project.")
    rasa_timeout_s: float = Field(3.0, description="Timeout of one Rasa parse call.")
    rasa_startup_timeout_s: float = Field(180.0, description="How long to wait for Rasa to start.")

    llm_base_url: str = Field(
        "",
        description="OpenAI-compatible endpoint (Ollama: http://127.0.0.1:11434/v1); empty = none.",
    )
    llm_model: str = Field("", description="Model name at that endpoint.")
    llm_api_key: str = Field("not-needed", description="API key for that endpoint.")
    llm_timeout_s: float = Field(
        20.0, description="Longer than this, the extractive answer is used."
    )

    max_message_chars: int = Field(1000, description="Longer messages are cut to this length.")
    max_request_bytes: int = Field(
        256 * 1024, description="Larger request bodies are refused (413) before they are read."
    )
    trusted_proxies: str = Field(
        "", description="Addresses of reverse proxies whose X-Forwarded-For is believed."
    )
    web_session_secret: str = Field(
        "", description="Signs web chat session cookies; empty = generated in data_dir."
    )
    web_messages_per_session: str = Field("20/minute", description="Web chat messages a session.")
    web_messages_per_address: str = Field(
        "300/minute", description="Web chat messages from one client address."
    )
    web_new_sessions_per_address: str = Field(
        "60/minute", description="New web chat sessions from one client address."
    )
    web_updates_per_session: str = Field(
        "60/minute", description="Mailbox polls of one web chat session."
    )
    web_photo_max_bytes: int = Field(
        5 * 1024 * 1024, description="Largest photo a citizen may send from the web chat."
    )
    inbox_max_attempts: int = Field(
        5, description="A message that fails this often is set aside (dead letter) for staff."
    )
    delivery_give_up_h: float = Field(
        24.0, description="A reply not delivered within this many hours is marked failed."
    )
    delivery_backoff_cap_s: float = Field(
        1800.0, description="Longest wait between two delivery attempts."
    )
    intent_confidence_floor: float = Field(0.5, description="Below this, the intent is unclear.")
    retrieval_similarity_floor: float = Field(
        0.3, description="Dense similarity at which the law is quoted whatever NLU said."
    )
    retrieval_lexical_floor: float = Field(
        14.0, description="BM25 score at which the law is quoted whatever NLU said."
    )
    retrieval_topic_similarity_floor: float = Field(
        0.25, description="Dense similarity enough to quote the law when NLU names a law topic."
    )
    retrieval_topic_lexical_floor: float = Field(
        10.0, description="BM25 score enough to quote the law when NLU names a law topic."
    )
    retrieval_confidence_floor: float = Field(
        0.958, description="Ranker probability the first article needs before it is quoted."
    )

    working_hours: str = Field("08:00-17:00", description="Staff working hours, local time.")
    working_days: str = Field("0-4", description="Staff working days, 0 = Monday … 6 = Sunday.")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="Time zone of the working hours.")
    staff_expected_wait_min: int = Field(
        15, description="Expected wait for staff in working hours, told to the citizen."
    )

    telegram_bot_token: str = Field("", description="Telegram bot token; empty = no Telegram.")
    telegram_webhook_secret: str = Field(
        "", description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token."
    )
    telegram_api_base: str = Field(
        "https://api.telegram.org/bot", description="Bot API base URL (PTB's base_url)."
    )
    zalo_app_id: str = Field("", description="Zalo app ID; empty = no Zalo.")
    zalo_app_secret: str = Field("", description="Zalo app secret (token refresh).")
    zalo_oa_secret_key: str = Field("", description="Zalo OA secret key (webhook signature).")
    zalo_access_token: str = Field("", description="Initial Zalo OA access token.")
    zalo_refresh_token: str = Field("", description="Initial Zalo OA refresh token.")
    zalo_api_base: str = Field("https://openapi.zalo.me", description="Zalo OpenAPI base URL.")
    zalo_oauth_base: str = Field("https://oauth.zaloapp.com", description="Zalo OAuth base URL.")
    zalo_replay_window_s: float = Field(
        300.0, description="Signed Zalo events older than this are refused."
    )

    kb_gate_max_drop: float = Field(
        0.02, description="A publish that lowers Recall@3 on the dev set by more is held."
    )
    kb_gate_questions: int = Field(
        300, ge=0, description="Development questions the gate asks, evenly spread; 0 = all."
    )
    editor_self_publish: bool = Field(
        False, description="Editors may publish their own guidance drafts (one-person office)."
    )
    kb_reload_s: float = Field(
        5.0, description="How often each process checks for a newly published index generation."
    )
    editor_upload_max_bytes: int = Field(
        10 * 1024 * 1024, description="Largest file an editor may import from the console."
    )
    telegram_messages_per_s: float = Field(
        30.0, description="Telegram messages per second for the whole bot (all processes)."
    )

    bot_workers: int = Field(1, ge=1, description="Worker processes `serve` runs behind its port.")
    log_format: str = Field("text", pattern="^(text|json)$", description="text or json logs.")
    log_level: str = Field("WARNING", description="Level of the bot's logs.")
    metrics_token: str = Field(
        "", description="Bearer token /metrics asks for; empty = open (keep it off the internet)."
    )
    ready_max_backlog: int = Field(
        500, description="/readyz reports `backlog` past this many messages waiting for a turn."
    )
    conversation_retention_days: int = Field(
        365, ge=1, description="Conversations inactive longer than this are anonymised or deleted."
    )
    case_retention_days: int = Field(
        3650, ge=1, description="Conversations with a case (and the case file) are kept this long."
    )
    retention_mode: str = Field(
        "anonymise", pattern="^(anonymise|delete)$", description="anonymise or delete old texts."
    )
    retention_interval_h: float = Field(
        24.0, ge=0, description="How often `serve` runs the retention job; 0 = never."
    )

    public_url: str = Field(
        "http://127.0.0.1:8000", description="Where staff reach this app (links in notifications)."
    )
    console_sla_min: int = Field(10, description="A citizen waiting longer is flagged to staff.")
    telegram_staff_chat_id: str = Field(
        "", description="Telegram group told of each new handoff; empty = no notifications."
    )

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token and self.telegram_webhook_secret)

    @property
    def zalo_enabled(self) -> bool:
        has_token = bool(self.zalo_access_token or self.zalo_refresh_token)
        return bool(self.zalo_app_id and self.zalo_oa_secret_key and has_token)

    @property
    def rasa_urls(self) -> list[str]:
        return [url.strip() for url in self.rasa_url.split(",") if url.strip()]

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'bot.db'}"

    @property
    def resolved_chroma_dir(self) -> Path:
        return self.chroma_dir or self.data_dir / "chroma"


@lru_cache
def get_settings() -> Settings:
    return Settings()
