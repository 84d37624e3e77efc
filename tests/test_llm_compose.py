"""Answer composition by a language model: used only when every citation checks out."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest
import uvicorn
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.core.compose import ExtractiveComposer
from bot.core.llm import LlmComposer
from bot.runtime import build_composer
from bot.settings import Settings
from knowledge_base.service import KnowledgeBase
from tests.conftest import unused_port

QUESTION = "hợp đồng theo mẫu có phải công khai không"
TODAY = date(2026, 11, 23)


def composer_with(kb: KnowledgeBase, *answers: str) -> LlmComposer:
    extractive = ExtractiveComposer(kb.corpus, kb.guidance)
    model = FakeListChatModel(responses=list(answers))
    return LlmComposer(model, extractive, kb.corpus.documents, timeout_s=5)


async def test_a_well_cited_model_answer_is_used(knowledge_base: KnowledgeBase) -> None:
    hits = knowledge_base.searcher.search(QUESTION, 3)
    answer_text = f"Có, bên bán phải niêm yết hợp đồng mẫu ở nơi dễ thấy [{hits[0].id}]."
    answer = await composer_with(knowledge_base, answer_text).compose(QUESTION, hits, TODAY)
    assert answer.text.startswith("Có, bên bán phải niêm yết hợp đồng mẫu")
    assert f"(khoản {hits[0].clause} Điều {hits[0].article}" in answer.text
    assert [(c.doc, c.article, c.clause) for c in answer.citations] == [
        (hits[0].doc, hits[0].article, hits[0].clause)
    ]


@pytest.mark.parametrize(
    "model_answer",
    [
        "Có, theo quy định [19/2023/QH15#d99.k1].",  # a unit it was not given
        "Có, bên bán phải công khai hợp đồng.",  # no citation at all
        "Có, theo Điều 77 của luật [{id}].",  # names an article outside the passages
    ],
)
async def test_an_unverifiable_model_answer_falls_back_to_the_extractive_one(
    knowledge_base: KnowledgeBase, model_answer: str
) -> None:
    hits = knowledge_base.searcher.search(QUESTION, 3)
    composer = composer_with(knowledge_base, model_answer.format(id=hits[0].id))
    answer = await composer.compose(QUESTION, hits, TODAY)
    expected = await ExtractiveComposer(knowledge_base.corpus, []).compose(QUESTION, hits, TODAY)
    assert "Căn cứ:" in answer.text
    assert answer.citations[0] == expected.citations[0]
    assert "99" not in answer.text.split("Căn cứ:")[0]


class FakeOpenAI:
    """A loopback server speaking OpenAI's chat-completions protocol; records what it was sent."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.requests: list[dict] = []
        self.port = unused_port()
        app = Starlette(routes=[Route("/v1/chat/completions", self.complete, methods=["POST"])])
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error")
        )

    async def complete(self, request: Request) -> JSONResponse:
        self.requests.append(json.loads(await request.body()))
        return JSONResponse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": "fake-model",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    def __enter__(self) -> FakeOpenAI:
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def fake_openai(knowledge_base: KnowledgeBase) -> Iterator[FakeOpenAI]:
    hit = knowledge_base.searcher.search(QUESTION, 1)[0]
    with FakeOpenAI(f"Có. Hợp đồng mẫu phải được công khai [{hit.id}].") as server:
        yield server


async def test_an_openai_compatible_endpoint_composes_from_the_passages_only(
    knowledge_base: KnowledgeBase, fake_openai: FakeOpenAI
) -> None:
    settings = Settings(
        llm_base_url=f"http://127.0.0.1:{fake_openai.port}/v1", llm_model="fake-model"
    )
    composer = build_composer(settings, knowledge_base)
    hits = knowledge_base.searcher.search(QUESTION, 3)
    answer = await composer.compose(QUESTION, hits, TODAY)
    assert answer.text.startswith("Có. Hợp đồng mẫu phải được công khai (khoản")
    (request,) = fake_openai.requests
    prompt = "\n".join(m["content"] for m in request["messages"])
    assert QUESTION in prompt
    assert all(f"[{h.id}]" in prompt for h in hits)


async def test_without_an_endpoint_the_bot_is_extractive(knowledge_base: KnowledgeBase) -> None:
    assert isinstance(build_composer(Settings(llm_base_url=""), knowledge_base), ExtractiveComposer)


async def test_a_model_endpoint_that_is_down_falls_back(knowledge_base: KnowledgeBase) -> None:
    settings = Settings(llm_base_url=f"http://127.0.0.1:{unused_port()}/v1", llm_model="m")
    hits = knowledge_base.searcher.search(QUESTION, 3)
    answer = await build_composer(settings, knowledge_base).compose(QUESTION, hits, TODAY)
    assert "Căn cứ:" in answer.text and answer.citations
