"""The importer's findings in the editor's words (the catalogue's)."""

from __future__ import annotations

from bot.core import catalogue
from knowledge_base.importing import Problem, UnreadableFile


def where(problem: Problem) -> str:
    if problem.article is None:
        return ""
    if problem.clause is None:
        return catalogue.WHERE_ARTICLE.format(article=problem.article)
    return catalogue.WHERE_CLAUSE.format(clause=problem.clause, article=problem.article)


def describe(problem: Problem) -> str:
    """«Điều 5: số điều bị lặp lại»."""
    values = dict(problem.values)
    if "field" in values:
        values["field"] = catalogue.METADATA_FIELDS.get(values["field"], values["field"])
    text = catalogue.IMPORT_PROBLEMS[problem.code].format(**values)
    place = where(problem)
    return f"{place}: {text}" if place else text


def unreadable(error: UnreadableFile) -> str:
    return catalogue.UNREADABLE_FILE[error.code].format(detail=error.detail)
