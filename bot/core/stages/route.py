"""The handler for the message's intent answers it, unless the dialogue already did."""

from __future__ import annotations

from bot.core.router import Router
from bot.core.turn import Turn


class Route:
    def __init__(self, router: Router) -> None:
        self._router = router

    async def __call__(self, turn: Turn) -> None:
        if turn.reply is None:
            turn.reply = await self._router.route(turn)
