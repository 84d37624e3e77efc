"""While the service is under maintenance, every citizen gets the operator's notice and the
hotline; conversations staff hold go on (the stage before this one keeps the bot silent there)."""

from __future__ import annotations

from bot.core import catalogue
from bot.core.messages import Action
from bot.core.ports import MaintenanceSwitch
from bot.core.turn import Turn


class UnderMaintenance:
    def __init__(self, switch: MaintenanceSwitch) -> None:
        self._switch = switch

    async def __call__(self, turn: Turn) -> None:
        notice = await self._switch.notice()
        if notice is None:
            return
        text = catalogue.MAINTENANCE.format(
            notice=notice or catalogue.MAINTENANCE_DEFAULT_NOTICE, hotline=catalogue.HOTLINE
        )
        turn.finish(turn.say(text, Action.MAINTENANCE))
