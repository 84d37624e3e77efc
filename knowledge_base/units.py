"""Citable units of law by their stable IDs: ``19/2023/QH15#d26`` (article),
``19/2023/QH15#d26.k1`` (clause), ``19/2023/QH15#d26.k1.a`` (point)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT_ID = re.compile(
    r"^(?P<doc>[^#\s]+)#d(?P<article>\d+)(?:\.k(?P<clause>\d+)(?:\.(?P<point>[a-zđ]))?)?$"
)


@dataclass(frozen=True, order=True)
class UnitId:
    doc: str
    article: int
    clause: int | None = None
    point: str | None = None

    @classmethod
    def parse(cls, text: str) -> UnitId:
        """``"19/2023/QH15#d26.k1.a"`` → ``UnitId("19/2023/QH15", 26, 1, "a")``; ValueError for
        anything else."""
        match = _UNIT_ID.match(text.strip())
        if match is None:
            raise ValueError(f"not a unit ID: {text!r}")
        clause = match.group("clause")
        return cls(
            match.group("doc"),
            int(match.group("article")),
            int(clause) if clause else None,
            match.group("point"),
        )

    def __str__(self) -> str:
        uid = f"{self.doc}#d{self.article}"
        if self.clause is not None:
            uid += f".k{self.clause}"
            if self.point is not None:
                uid += f".{self.point}"
        return uid

    @property
    def article_id(self) -> UnitId:
        return UnitId(self.doc, self.article)

    @property
    def clause_id(self) -> UnitId:
        """The clause of a point (the unit itself otherwise)."""
        return UnitId(self.doc, self.article, self.clause)
