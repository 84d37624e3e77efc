"""Serving an ASGI app on a free loopback port inside the test's event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Literal, TypeVar

import uvicorn
from starlette.types import ASGIApp

T = TypeVar("T")


@asynccontextmanager
async def serving(
    app: ASGIApp, lifespan: Literal["on", "off"] = "off", port: int = 0
) -> AsyncIterator[str]:
    """The app's base URL while the block runs; with ``lifespan="on"`` its start-up and
    shutdown run too. ``port`` 0: any free port."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan=lifespan,
        proxy_headers=False,  # as `python -m bot serve` runs
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the server stopped before it started")
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextmanager
def in_thread(make: Callable[[], AbstractAsyncContextManager[T]]) -> Iterator[T]:
    """Enter an async context manager in an event loop of its own thread, so that synchronous
    code (Hypothesis tests) can use what it serves while the test's own loop is idle."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    manager = make()
    try:
        value = asyncio.run_coroutine_threadsafe(manager.__aenter__(), loop).result(timeout=300)
        try:
            yield value
        finally:
            exit_ = manager.__aexit__(None, None, None)
            asyncio.run_coroutine_threadsafe(exit_, loop).result(timeout=60)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
