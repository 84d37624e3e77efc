"""The guidance layer: plain-language answers written by editors, one Markdown file per topic."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

GUIDANCE_DIR = Path(__file__).parent / "guidance"
COVERAGE_PATH = Path(__file__).parent / "coverage.yml"
"""The articles citizens can act on, each of which needs an entry that explains it."""


class GuidanceError(Exception):
    """A guidance file that cannot be used; names the file."""


@dataclass(frozen=True)
class GuidanceEntry:
    id: str
    title: str
    topic: str
    questions: tuple[str, ...]
    citations: tuple[str, ...]
    body: str
    reviewed_on: date
    owner: str
    path: Path
    answer: str = ""
    """The direct answer in one to three plain sentences: the first thing the citizen reads."""
    next_step: str = ""
    """What to do next, for this topic (empty: the general next step)."""


def load_guidance(directory: Path = GUIDANCE_DIR) -> list[GuidanceEntry]:
    """Every entry in ``directory``, sorted by ID; raises GuidanceError naming a bad file."""
    return sorted((parse_entry(path) for path in directory.glob("*.md")), key=lambda e: e.id)


def parse_entry(path: Path) -> GuidanceEntry:
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    if not text.startswith("---\n") or (end := text.find("\n---\n", 4)) < 0:
        raise GuidanceError(f"{path.name}: the file must start with a '---' front-matter block")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as error:
        raise GuidanceError(f"{path.name}: malformed front matter ({error})") from error
    missing = [
        k for k in ("id", "title", "questions", "citations", "reviewed_on") if not meta.get(k)
    ]
    if missing:
        raise GuidanceError(f"{path.name}: front matter lacks {', '.join(missing)}")
    reviewed_on = meta["reviewed_on"]
    if not isinstance(reviewed_on, date):
        raise GuidanceError(f"{path.name}: reviewed_on must be a date like 2026-11-23")
    return GuidanceEntry(
        id=str(meta["id"]),
        title=str(meta["title"]),
        topic=str(meta.get("topic", "")),
        questions=tuple(str(q) for q in meta["questions"]),
        citations=tuple(str(c) for c in meta["citations"]),
        body=text[end + 5 :].strip(),
        reviewed_on=reviewed_on,
        owner=str(meta.get("owner", "")),
        path=path,
        answer=" ".join(str(meta.get("answer", "")).split()),
        next_step=" ".join(str(meta.get("next_step", "")).split()),
    )
