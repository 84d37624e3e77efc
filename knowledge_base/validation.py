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
    amounts) the answer states that none of its cited units contains. Dates are left out: they
    are effective dates, checked against the documents' front matter by the reviewers."""
    problems = [
        f"{entry.path.name}: cites {uid}, which is not in the legal texts"
        for uid in entry.citations
        if corpus.unit_text(uid) is None
    ]
    cited = set(_NUMBER.findall("\n".join(corpus.unit_text(u) or "" for u in entry.citations)))
    stated = set(_NUMBER.findall(_DATE.sub(" ", entry.body)))
    problems += [
        f"{entry.path.name}: states «{number}», which none of its cited units contains"
        for number in sorted(stated - cited - FREE_NUMBERS)
    ]
    return problems
