"""Checks an editor's guidance entry against the legal texts it cites."""

from __future__ import annotations

import re

from knowledge_base.guidance import GuidanceEntry
from knowledge_base.legal import Corpus

# Numbers a body may state without them being in the cited text: years of the laws, and the
# national hotline (practical information, marked as such in the entry).
FREE_NUMBERS = frozenset({"2007", "2023", "2024", "2025", "2026", "2027", "1800", "6838"})
_NUMBER = re.compile(r"\d+")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")


def citation_problems(entry: GuidanceEntry, corpus: Corpus) -> list[str]:
    """What is wrong with an entry's citations: units that do not exist, and numbers (deadlines,
    amounts) the answer, body or next step states that none of its cited units contains. Dates
    are left out: they are effective dates, checked against the documents' front matter by the
    reviewers."""
    problems = [
        f"{entry.path.name}: cites {uid}, which is not in the legal texts"
        for uid in entry.citations
        if corpus.unit_text(uid) is None
    ]
    cited = set(_NUMBER.findall("\n".join(corpus.unit_text(u) or "" for u in entry.citations)))
    written = "\n".join((entry.answer, entry.body, entry.next_step))
    stated = set(_NUMBER.findall(_DATE.sub(" ", written)))
    problems += [
        f"{entry.path.name}: states «{number}», which none of its cited units contains"
        for number in sorted(stated - cited - FREE_NUMBERS)
    ]
    return problems


# The first message of a law answer fits one phone screen: the direct answer, the quoted unit
# and the next step together stay near this length (docs/design: about 600 characters).
ANSWER_MAX_CHARS = 300
ANSWER_MAX_SENTENCES = 3
NEXT_STEP_MAX_CHARS = 220
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def format_problems(entry: GuidanceEntry) -> list[str]:
    """What keeps an entry from giving a short, direct answer: a missing or long direct answer,
    a long next step."""
    name = entry.path.name
    problems = []
    if not entry.answer:
        problems.append(f"{name}: no direct answer (front matter `answer`)")
    elif len(entry.answer) > ANSWER_MAX_CHARS:
        problems.append(
            f"{name}: the direct answer has {len(entry.answer)} characters "
            f"(at most {ANSWER_MAX_CHARS})"
        )
    elif len(_SENTENCE_END.findall(entry.answer)) > ANSWER_MAX_SENTENCES:
        problems.append(f"{name}: the direct answer has more than {ANSWER_MAX_SENTENCES} sentences")
    if len(entry.next_step) > NEXT_STEP_MAX_CHARS:
        problems.append(
            f"{name}: the next step has {len(entry.next_step)} characters "
            f"(at most {NEXT_STEP_MAX_CHARS})"
        )
    return problems
