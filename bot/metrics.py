"""Prometheus metrics, served at ``/metrics``.

Counters and histograms are kept by the process that observes them; with several worker
processes (``serve --workers``) ``PROMETHEUS_MULTIPROC_DIR`` is set before they start and
``/metrics`` adds up every worker's files. What lives in the database (inbox and outbox backlog,
dead letters, failed deliveries) is read from it at each scrape, so every worker reports the
same figures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.core.messages import Action
from bot.core.pipeline import TurnResult
from knowledge_base.in_force import Searcher
from knowledge_base.search import Found, Hit

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS_S = (
    0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0,
)  # fmt: skip

TURNS = Counter(
    "bot_turns_total", "Turns answered, by platform and action.", ["platform", "action"]
)
TURN_SECONDS = Histogram(
    "bot_turn_seconds",
    "One turn in its transaction: stages, commit, reply queued.",
    ["platform"],
    buckets=LATENCY_BUCKETS_S,
)
STAGE_SECONDS = Histogram(
    "bot_stage_seconds", "Time in each stage of a turn.", ["stage"], buckets=LATENCY_BUCKETS_S
)
NLU_SECONDS = Histogram(
    "bot_nlu_seconds",
    "Rasa parse calls (all replicas tried), by outcome.",
    ["outcome"],
    buckets=LATENCY_BUCKETS_S,
)
RETRIEVAL_SECONDS = Histogram(
    "bot_retrieval_seconds", "Knowledge-base searches.", buckets=LATENCY_BUCKETS_S
)
INTENTS = Counter("bot_intents_total", "Intents of the messages answered.", ["intent"])
HANDOFFS = Counter(
    "bot_handoffs_total", "Conversations handed to staff, by platform.", ["platform"]
)
DELIVERIES = Counter(
    "bot_deliveries_total",
    "Platform API calls made, by outcome (sent, retry, failed).",
    ["platform", "outcome"],
)
PLATFORM_ERRORS = Counter(
    "bot_platform_errors_total",
    "Platform API calls that failed, by kind (rate_limited, temporary, permanent).",
    ["platform", "kind"],
)
WEBHOOKS = Counter(
    "bot_webhooks_total", "Webhook requests, by platform and HTTP status.", ["platform", "status"]
)


class TimedSearcher:
    """A searcher whose searches are timed in ``bot_retrieval_seconds``."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.find(query, k).hits

    def find(self, query: str, k: int = 5) -> Found:
        with RETRIEVAL_SECONDS.time():
            return self._searcher.find(query, k)


def observe_turn(
    platform: str, result: TurnResult, seconds: float, transaction: Mapping[str, float]
) -> None:
    """``transaction``: seconds to open the turn's transaction and to complete and commit it,
    counted as stages ``Open`` and ``Commit``."""
    TURN_SECONDS.labels(platform).observe(seconds)
    for stage, stage_seconds in (result.timings | dict(transaction)).items():
        STAGE_SECONDS.labels(stage).observe(stage_seconds)
    reply = result.reply
    if reply is None:
        TURNS.labels(platform, "silent").inc()
        return
    TURNS.labels(platform, reply.action.value).inc()
    if reply.intent is not None and reply.intent.name:
        INTENTS.labels(reply.intent.name).inc()
    if reply.action is Action.HANDOFF:
        HANDOFFS.labels(platform).inc()


def exposition(delivery_counts: Mapping[str, int]) -> tuple[bytes, str]:
    """The text format for one scrape: this process's (or every worker's) counters and
    histograms, and the database's inbox and outbox figures."""
    if os.environ.get(MULTIPROCESS_DIR_VARIABLE):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    from_database = CollectorRegistry()
    from_database.register(DeliveryCounts(delivery_counts))
    return generate_latest(registry) + generate_latest(from_database), CONTENT_TYPE_LATEST


class DeliveryCounts(Collector):
    """Inbox messages and outbox calls by status, as read from the database for one scrape."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self._counts = counts

    def collect(self) -> Iterator[Metric]:
        inbox = GaugeMetricFamily(
            "bot_inbox_messages", "Inbox messages by status (pending, dead).", labels=["status"]
        )
        outbox = GaugeMetricFamily(
            "bot_outbox_calls", "Outbox API calls by status.", labels=["status"]
        )
        for key, value in sorted(self._counts.items()):
            family, _, status = key.partition("_")
            (inbox if family == "inbox" else outbox).add_metric([status], value)
        yield inbox
        yield outbox
