"""Async client of the Rasa HTTP API: intent and entities of one message."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from cachetools import TTLCache

from bot.core.ports import NluUnavailable
from bot.metrics import NLU_SECONDS

CACHE_SIZE = 4096
CACHE_TTL_S = 600.0
"""Parses of the same (redacted) text are reused for this long: the short answers citizens
send again and again ("có", "đồng ý", "xin chào", a phone number redacted to its placeholder)
cost Rasa nothing after the first; a new model is used for every text within this time."""


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class NluResult:
    intent: str
    confidence: float
    entities: tuple[Entity, ...] = ()


class RasaClient:
    """Calls `POST /model/parse` of a Rasa server started with `--enable-api --auth-token`.

    Given several replicas, it takes them in turn and, when one fails, asks the next (each
    replica at most once per message). Results are kept for ``CACHE_TTL_S``."""

    def __init__(
        self,
        base_url: str | Sequence[str],
        token: str,
        timeout_s: float,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self._base_urls = [url.rstrip("/") for url in urls]
        self._turn = itertools.cycle(range(len(self._base_urls)))
        self._params = {"token": token}
        self._timeout = timeout_s
        self._owns_client = client is None
        self._http = client or httpx.AsyncClient(timeout=timeout_s)
        self._cache: TTLCache[str, NluResult] = TTLCache(CACHE_SIZE, CACHE_TTL_S)

    @property
    def base_urls(self) -> list[str]:
        return list(self._base_urls)

    async def parse(self, text: str) -> NluResult:
        if (known := self._cache.get(text)) is not None:
            NLU_SECONDS.labels("cached").observe(0.0)
            return known
        started = time.perf_counter()
        first = next(self._turn)
        problems = []
        for n in range(len(self._base_urls)):
            base_url = self._base_urls[(first + n) % len(self._base_urls)]
            try:
                result = await self._parse_at(base_url, text)
            except NluUnavailable as problem:
                problems.append(str(problem))
                continue
            NLU_SECONDS.labels("ok").observe(time.perf_counter() - started)
            self._cache[text] = result
            return result
        NLU_SECONDS.labels("unavailable").observe(time.perf_counter() - started)
        raise NluUnavailable("; ".join(problems))

    async def _parse_at(self, base_url: str, text: str) -> NluResult:
        try:
            response = await self._http.post(
                f"{base_url}/model/parse",
                params=self._params,
                json={"text": text},
                timeout=self._timeout,
            )
        except httpx.HTTPError as error:
            raise NluUnavailable(f"Rasa at {base_url} did not answer: {error!r}") from error
        if response.status_code != httpx.codes.OK:
            raise NluUnavailable(f"Rasa at {base_url} answered HTTP {response.status_code}")
        try:
            return _nlu_result(response.json())
        except (ValueError, KeyError, TypeError) as error:
            raise NluUnavailable(f"Rasa sent a malformed parse result: {error!r}") from error

    async def replicas_up(self) -> dict[str, bool]:
        """Each replica: True when it answers, accepts our token and has a model loaded."""
        return {url: await self._is_up_at(url) for url in self._base_urls}

    async def is_up(self) -> bool:
        """True when at least one replica can parse."""
        return any((await self.replicas_up()).values())

    async def _is_up_at(self, base_url: str) -> bool:
        # GET /status needs the token and answers 409 until a model is loaded; GET / needs neither.
        try:
            response = await self._http.get(
                f"{base_url}/status", params=self._params, timeout=self._timeout
            )
        except httpx.HTTPError:
            return False
        return response.status_code == httpx.codes.OK

    async def aclose(self) -> None:
        if self._owns_client:
            await self._http.aclose()


def _nlu_result(payload: Any) -> NluResult:
    intent = payload["intent"]
    # Rasa leaves the intent name null when its classifier predicts nothing for the message.
    name = intent["name"] or ""
    confidence = intent["confidence"]
    if not isinstance(name, str) or not isinstance(confidence, int | float):
        raise TypeError(f"unexpected intent {intent!r}")
    entities: dict[tuple[str, int, int], Entity] = {}
    for item in payload.get("entities") or ():
        entity = Entity(
            str(item["entity"]), str(item["value"]), int(item["start"]), int(item["end"])
        )
        # The regex extractor and DIET can both find one span: keep the first.
        entities.setdefault((entity.entity, entity.start, entity.end), entity)
    return NluResult(name, float(confidence), tuple(entities.values()))
