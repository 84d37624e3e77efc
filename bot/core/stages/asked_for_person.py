"""An explicit request for a person hands the conversation over, wherever it is in the message
(at the end of a long complaint too) and whatever the bot was in the middle of."""

from __future__ import annotations

import re

from bot.core.conversation import Expecting
from bot.core.turn import Handler, Turn
from knowledge_base.text import fold

_WHO = r"(?:toi|em|minh|chau|tui)"
_MEET = r"(?:gap|noi chuyen voi|lien he voi|trao doi voi)"
_PERSON = r"(?:can bo|nhan vien|nguoi that|nguoi phu trach|tu van vien|tong dai vien|nguoi)"
_REQUESTS = re.compile(
    "|".join(
        [
            rf"\b(?:cho|xin cho|de) {_WHO} (?:duoc )?{_MEET} {_PERSON}",
            rf"\b{_WHO} (?:muon|can|xin|yeu cau) (?:duoc )?{_MEET} {_PERSON}",
            rf"\b{_WHO} can (?:co )?{_PERSON} (?:xu ly|giai quyet|ho tro|giup)",
            rf"\bchuyen (?:{_WHO} )?(?:cho|sang|den|qua) {_PERSON}",
        ]
    )
)


def asks_for_person(text: str) -> bool:
    """«cho tôi gặp cán bộ», «tôi cần người phụ trách xử lý giúp»…; not a question about staff
    («cán bộ xử lý khiếu nại mất bao lâu»)."""
    return bool(_REQUESTS.search(fold(text)))


class AskedForPerson:
    def __init__(self, human: Handler, confidence_floor: float) -> None:
        self._human = human
        self._confidence_floor = confidence_floor

    async def __call__(self, turn: Turn) -> None:
        # In the complaint form the citizen writes free text (what happened, what they want),
        # which NLU may read as a request for staff: there only the explicit words count.
        in_form = turn.dialogue.expecting is Expecting.FORM
        sure = (
            not in_form
            and turn.intent.name == "ask_human"
            and turn.intent.confidence >= self._confidence_floor
        )
        if sure or asks_for_person(turn.text.text):
            turn.finish(await self._human(turn))
