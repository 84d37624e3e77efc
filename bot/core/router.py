"""Router: which handler answers an intent."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.messages import OutgoingMessage
from bot.core.turn import Handler, Turn


class Router:
    def __init__(
        self,
        handlers: Mapping[str, Handler],
        default: Handler,
        confidence_floor: float,
        by_entity: Mapping[str, Handler] | None = None,
    ) -> None:
        """``by_entity``: handlers for messages carrying an entity (e.g. a case number),
        whatever their intent."""
        self._handlers = handlers
        self._default = default
        self._confidence_floor = confidence_floor
        self._by_entity = by_entity or {}

    def handler_for(self, turn: Turn) -> Handler:
        """Unclear or unknown intents go to the default handler (retrieval decides there)."""
        for entity in turn.entities:
            if entity.entity in self._by_entity:
                return self._by_entity[entity.entity]
        if turn.intent.confidence < self._confidence_floor:
            return self._default
        return self._handlers.get(turn.intent.name, self._default)

    async def route(self, turn: Turn) -> OutgoingMessage:
        return await self.handler_for(turn)(turn)
