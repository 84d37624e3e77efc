"""Request budgets per session and per client address (moving windows, in this process)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request


def client_address(request: Request) -> str:
    """The client's address; a forwarded one only from ``TRUSTED_PROXIES`` (bot.app)."""
    return request.client.host if request.client else ""


class RequestLimits:
    """Named budgets such as ``{"message_per_session": "20/minute"}``."""

    def __init__(self, budgets: Mapping[str, str]) -> None:
        self._items: dict[str, RateLimitItem] = {name: parse(b) for name, b in budgets.items()}
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def wait_s(self, budget: str, key: str) -> float:
        """0 when the request fits ``budget`` for ``key`` (and counts it); otherwise the seconds
        until it would fit."""
        item = self._items[budget]
        if self._limiter.hit(item, budget, key):
            return 0.0
        reset = self._limiter.get_window_stats(item, budget, key).reset_time
        return max(1.0, reset - time.time())
