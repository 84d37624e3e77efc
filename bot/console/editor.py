"""The editors' pages under /console/editor: import a legal text and check its preview, correct
its metadata, publish it behind the regression gate; documents, their versions, events and
diffs; guidance entries with review; the unanswered-questions inbox; a question tried on a day."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.console.auth import Staff
from bot.console.web import back, page, render, uploaded
from bot.console.web import form as read_form
from bot.core import catalogue
from bot.editing import inbox
from bot.editing.library import (
    DRAFT,
    HELD,
    REJECTED,
    REVIEW,
    Library,
    NotAllowed,
    Outcome,
    entry_from_fields,
    revision_entry,
)
from bot.editing.preview import PHONE_SCREEN_CHARS, answer_on, entry_preview
from bot.editing.words import describe, unreadable
from bot.runtime import Runtime, answer_floors
from bot.storage.models import GuidanceRevision
from knowledge_base.embeddings import load_embeddings
from knowledge_base.guidance import GuidanceEntry
from knowledge_base.importing import METADATA_KEYS, STATUSES, UnreadableFile
from knowledge_base.legal import Article
from knowledge_base.units import UnitId
from knowledge_base.validation import citation_problems, format_problems

HOME = "/console/editor"
ENTRY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEXT_FIELDS = ("title", "topic", "answer", "next_step", "body", "owner")
LIST_FIELDS = ("questions", "citations")
ANSWER_MAX_CHARS = 300
NEXT_STEP_MAX_CHARS = 220


def document_url(doc: str) -> str:
    return f"{HOME}/document?doc={quote(doc, safe='')}"


def runtime(request: Request) -> Runtime:
    found: Runtime = request.app.state.runtime
    return found


def library(request: Request) -> Library:
    return runtime(request).library


def refused(error: NotAllowed, **values: str) -> str:
    return catalogue.EDITOR_NOT_ALLOWED[str(error)].format(**values)


def adopt(request: Request, outcome: Outcome) -> None:
    """This process answers from the new generation at once (the others within KB_RELOAD_S)."""
    if outcome.published and outcome.kb is not None and outcome.generation is not None:
        runtime(request).use(outcome.generation, outcome.kb)


# Home and import


@page("editor")
async def editor_page(request: Request, staff: Staff) -> Response:
    kb = runtime(request).kb
    today = date.today()
    current = kb.corpus.as_of(today).documents
    documents = sorted(current.values(), key=lambda d: d.doc)
    revisions = await library(request).revisions((DRAFT, REVIEW, REJECTED, HELD))
    return render(
        request,
        "editor.html",
        staff,
        documents=documents,
        drafts=await library(request).drafts(),
        in_review=[r for r in revisions if r.status == REVIEW],
        statuses=catalogue.DOCUMENT_STATUSES,
        generation=runtime(request).generation,
    )


@page("editor")
async def import_text(request: Request, staff: Staff) -> Response:
    sent = await uploaded(request, "file")
    if sent is None or not sent[1]:
        return back(HOME, catalogue.UNREADABLE_FILE["empty_file"])
    name, data = sent
    try:
        draft = await library(request).import_file(name, data, staff.actor)
    except UnreadableFile as error:
        return back(HOME, unreadable(error))
    return back(f"{HOME}/drafts/{draft.id}")


@dataclass(frozen=True)
class TreeNode:
    heading: str
    articles: list[Article]


def tree(articles: list[Article]) -> list[TreeNode]:
    """Articles under their chapter (and section) headings, in order."""
    nodes: list[TreeNode] = []
    for article in articles:
        heading = " · ".join(article.headings[:-1])
        if not nodes or nodes[-1].heading != heading:
            nodes.append(TreeNode(heading, []))
        nodes[-1].articles.append(article)
    return nodes


@page("editor")
async def draft_page(request: Request, staff: Staff) -> Response:
    draft = await library(request).draft(int(request.path_params["draft_id"]))
    if draft is None:
        return render(request, "error.html", staff, 404, message=catalogue.NOT_FOUND)
    parsed = Library.parsed(draft)
    clauses = sum(len(a.clauses) for a in parsed.articles)
    points = sum(len(c.points) for a in parsed.articles for c in a.clauses)
    chapters = len({a.headings[0] for a in parsed.articles if len(a.headings) > 1})
    history = await library(request).history(draft.doc) if draft.doc else []
    return render(
        request,
        "editor_draft.html",
        staff,
        draft=draft,
        meta=parsed.metadata,
        counts={
            "chapters": chapters,
            "articles": len(parsed.articles),
            "clauses": clauses,
            "points": points,
        },
        problems=[(describe(p), p.blocking) for p in parsed.problems],
        blocking=bool(parsed.blocking),
        tree=tree(parsed.articles),
        fields=[(key, catalogue.METADATA_FIELDS[key]) for key in METADATA_KEYS],
        statuses=[(s, catalogue.DOCUMENT_STATUSES[s]) for s in STATUSES],
        new_version=len(history) + 1 if history else None,
        gate=draft.gate,
        editable=draft.status in (DRAFT, HELD),
    )


@page("editor")
async def draft_action(request: Request, staff: Staff) -> Response:
    draft_id = int(request.path_params["draft_id"])
    action = request.path_params["action"]
    form = await read_form(request)
    url = f"{HOME}/drafts/{draft_id}"
    try:
        if action == "metadata":
            meta = {key: form.get(key) for key in METADATA_KEYS}
            await library(request).update_metadata(draft_id, meta, staff.actor)
            return back(url, catalogue.METADATA_SAVED)
        if action == "discard":
            await library(request).discard(draft_id, staff.actor)
            return back(HOME, catalogue.DRAFT_DISCARDED)
        if action == "publish":
            outcome = await library(request).publish_draft(draft_id, staff.actor)
            adopt(request, outcome)
            if not outcome.published:
                return back(url)
            done = catalogue.PUBLISHED_VERSION.format(doc=outcome.doc, version=outcome.version)
            return back(document_url(outcome.doc), done)
    except NotAllowed as error:
        return back(url, refused(error))
    return render(request, "error.html", staff, 404, message=catalogue.NO_SUCH_ACTION)


# Documents: versions, events, differences


@page("editor")
async def document_page(request: Request, staff: Staff) -> Response:
    doc = request.query_params.get("doc", "")
    versions = await library(request).history(doc)
    if not versions:
        return render(request, "error.html", staff, 404, message=catalogue.NOT_FOUND)
    today = date.today()
    kb = runtime(request).kb
    return render(
        request,
        "editor_document.html",
        staff,
        doc=doc,
        document=kb.corpus.as_of(today).documents.get(doc),
        versions=versions,
        events=await library(request).events(doc),
        event_words=catalogue.EVENT_WORDS,
        statuses=catalogue.DOCUMENT_STATUSES,
        stale=stale_guidance(kb.guidance, doc, len(versions)),
    )


def stale_guidance(guidance: list[GuidanceEntry], doc: str, versions: int) -> list[GuidanceEntry]:
    """Guidance entries citing the document, to be reviewed once it has a new version."""
    if versions < 2:
        return []
    return [e for e in guidance if any(UnitId.parse(c).doc == doc for c in e.citations)]


@dataclass(frozen=True)
class ArticleChange:
    number: int
    title: str
    kind: str  # "added", "removed" or "changed"
    lines: list[tuple[str, str]]
    """(mark, text): "-" removed, "+" added, " " unchanged paragraphs."""


def article_changes(before: list[Article], after: list[Article]) -> list[ArticleChange]:
    """Article by article, what changed between two versions (paragraph by paragraph)."""
    old = {a.number: a for a in before}
    new = {a.number: a for a in after}
    changes = []
    for number in sorted(old.keys() | new.keys()):
        a, b = old.get(number), new.get(number)
        if a is None and b is not None:
            changes.append(ArticleChange(number, b.title, "added", _marked("+", b)))
        elif b is None and a is not None:
            changes.append(ArticleChange(number, a.title, "removed", _marked("-", a)))
        elif a is not None and b is not None and (a.full_text, a.title) != (b.full_text, b.title):
            lines = [
                (line[0], line[2:])
                for line in difflib.ndiff(_paragraphs(a), _paragraphs(b))
                if line[0] in "+- "
            ]
            changes.append(ArticleChange(number, b.title, "changed", lines))
    return changes


def _paragraphs(article: Article) -> list[str]:
    return [f"Điều {article.number}. {article.title}", *article.full_text.split("\n")]


def _marked(mark: str, article: Article) -> list[tuple[str, str]]:
    return [(mark, line) for line in _paragraphs(article)]


@page("editor")
async def diff_page(request: Request, staff: Staff) -> Response:
    params = request.query_params
    doc = params.get("doc", "")
    try:
        first, second = int(params.get("a", "1")), int(params.get("b", "2"))
    except ValueError:
        return back(document_url(doc), catalogue.BAD_FORM)
    before = await library(request).version_articles(doc, first)
    after = await library(request).version_articles(doc, second)
    return render(
        request,
        "editor_diff.html",
        staff,
        doc=doc,
        first=first,
        second=second,
        changes=article_changes(before, after),
    )


@page("editor")
async def record_event(request: Request, staff: Staff) -> Response:
    form = await read_form(request)
    doc, kind = form.get("doc"), form.get("kind")
    url = document_url(doc)
    try:
        on = date.fromisoformat(form.get("on"))
    except ValueError:
        return back(url, catalogue.BAD_FORM)
    try:
        outcome = await library(request).record_event(
            doc, kind, on, form.get("by").strip(), staff.actor
        )
    except NotAllowed as error:
        return back(url, refused(error))
    adopt(request, outcome)
    what = catalogue.EVENT_WORDS[kind]
    return back(url, catalogue.EVENT_RECORDED.format(doc=doc, what=what, date=on))


# Guidance


@page("editor")
async def guidance_page(request: Request, staff: Staff) -> Response:
    query = request.query_params.get("q", "").strip().lower()
    entries = runtime(request).kb.guidance
    if query:
        entries = [e for e in entries if query in e.id or query in e.title.lower()]
    revisions = await library(request).revisions()
    return render(
        request,
        "editor_guidance.html",
        staff,
        entries=entries,
        query=query,
        working=[r for r in revisions if r.status in (DRAFT, REVIEW, REJECTED, HELD)],
        labels=catalogue.GUIDANCE_STATUSES,
    )


def _entry_of(runtime_: Runtime, entry_id: str) -> GuidanceEntry | None:
    return next((e for e in runtime_.kb.guidance if e.id == entry_id), None)


@page("editor")
async def guidance_edit(request: Request, staff: Staff) -> Response:
    entry_id = request.query_params.get("entry", "")
    revision_id = request.query_params.get("revision", "")
    revision = await library(request).revision(int(revision_id)) if revision_id.isdigit() else None
    if revision is None and entry_id:
        revision = await library(request).open_revision(entry_id)
    published = _entry_of(runtime(request), revision.entry_id if revision else entry_id)
    if revision is not None:
        entry = revision_entry(revision)
    elif published is not None:
        entry = published
    else:
        entry = entry_from_fields(entry_id, {}, date.today())
    return _edit_form(request, staff, entry, revision, [], new=revision is None and not published)


def _edit_form(
    request: Request,
    staff: Staff,
    entry: GuidanceEntry,
    revision: GuidanceRevision | None,
    errors: list[str],
    new: bool,
    status_code: int = 200,
) -> Response:
    kb = runtime(request).kb
    settings = runtime(request).settings
    preview = entry_preview(kb, entry, date.today()) if entry.citations else None
    checks = citation_problems(entry, kb.corpus) + format_problems(entry) if entry.title else []
    may_publish = bool(
        revision is not None
        and revision.status in (REVIEW, HELD)
        and (revision.created_by != staff.actor or settings.editor_self_publish)
    )
    return render(
        request,
        "editor_guidance_edit.html",
        staff,
        status_code=status_code,
        entry=entry,
        revision=revision,
        errors=errors,
        checks=checks,
        preview=preview,
        new=new,
        documents=sorted(kb.corpus.documents),
        quoted=[(c, kb.corpus.unit_text(c) or "") for c in entry.citations],
        may_publish=may_publish,
        labels=catalogue.GUIDANCE_STATUSES,
        screen=PHONE_SCREEN_CHARS,
        answer_max=ANSWER_MAX_CHARS,
        next_step_max=NEXT_STEP_MAX_CHARS,
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@page("editor")
async def guidance_save(request: Request, staff: Staff) -> Response:
    form = await read_form(request)
    entry_id = form.get("entry_id").strip()
    revision_id = int(form.get("revision_id") or 0) or None
    fields: dict[str, object] = {key: form.get(key).strip() for key in TEXT_FIELDS}
    fields |= {key: _lines(form.get(key)) for key in LIST_FIELDS}
    entry = entry_from_fields(entry_id, fields, date.today())
    kb = runtime(request).kb
    errors = []
    if not ENTRY_ID.match(entry_id):
        errors.append(catalogue.EDITOR_NOT_ALLOWED["bad_entry_id"])
    is_new = revision_id is None and _entry_of(runtime(request), entry_id) is None
    if form.get("new") and not is_new:
        errors.append(catalogue.EDITOR_NOT_ALLOWED["entry_exists"])
    if not (entry.title and entry.answer and entry.questions):
        errors.append(catalogue.EDITOR_NOT_ALLOWED["missing_fields"])
    if not entry.citations:
        errors.append(catalogue.EDITOR_NOT_ALLOWED["no_citation"])
    units = kb.corpus.unit_ids()
    errors += [
        catalogue.EDITOR_NOT_ALLOWED["bad_citation"].format(unit=c)
        for c in entry.citations
        if c not in units
    ]
    revision = await library(request).revision(revision_id) if revision_id else None
    if errors:
        return _edit_form(request, staff, entry, revision, errors, bool(form.get("new")), 422)
    try:
        saved = await library(request).save_revision(revision_id, entry_id, fields, staff.actor)
    except NotAllowed as error:
        return back(f"{HOME}/guidance/edit?entry={entry_id}", refused(error))
    return back(f"{HOME}/guidance/edit?revision={saved.id}", catalogue.DRAFT_SAVED)


@page("editor")
async def guidance_action(request: Request, staff: Staff) -> Response:
    revision_id = int(request.path_params["revision_id"])
    action = request.path_params["action"]
    url = f"{HOME}/guidance/edit?revision={revision_id}"
    form = await read_form(request)
    try:
        if action == "submit":
            await library(request).submit(revision_id, staff.actor)
            return back(url, catalogue.SUBMITTED)
        if action == "reject":
            await library(request).reject(revision_id, form.get("note").strip(), staff.actor)
            return back(url, catalogue.SENT_BACK)
        if action == "publish":
            allowed = runtime(request).settings.editor_self_publish
            outcome = await library(request).publish_revision(revision_id, staff.actor, allowed)
            adopt(request, outcome)
            revision = await library(request).revision(revision_id)
            entry = revision.entry_id if revision else ""
            if outcome.published:
                return back(url, catalogue.GUIDANCE_PUBLISHED.format(entry=entry))
            return back(url)
    except NotAllowed as error:
        return back(url, refused(error))
    return render(request, "error.html", staff, 404, message=catalogue.NO_SUCH_ACTION)


@page("editor")
async def units(request: Request, staff: Staff) -> Response:
    """For the citation picker: a document's articles, an article's clauses and points."""
    kb = runtime(request).kb
    doc = request.query_params.get("doc", "")
    options = []
    for article in kb.corpus.articles:
        if article.document.doc != doc:
            continue
        options.append({"id": article.id, "label": f"Điều {article.number}. {article.title}"})
        for clause in article.clauses:
            clause_id = str(UnitId(doc, article.number, clause.number))
            options.append({"id": clause_id, "label": f"  {clause.text[:90]}"})
            options.extend(
                {"id": f"{clause_id}.{p.letter}", "label": f"    {p.text[:90]}"}
                for p in clause.points
            )
    return JSONResponse({"doc": doc, "units": options})


# The unanswered-questions inbox


@page("editor")
async def inbox_page(request: Request, staff: Staff) -> Response:
    rt = runtime(request)
    embedding = load_embeddings(rt.settings.embedding_model_path)
    groups = inbox.group(await inbox.unanswered(rt.database), embedding)
    resolutions = await library(request).resolutions()
    followed = [(r, await inbox.later_questions(rt.database, r, embedding)) for r in resolutions]
    return render(
        request,
        "editor_inbox.html",
        staff,
        groups=groups,
        followed=followed,
        reasons=catalogue.INBOX_REASONS,
        entries=sorted(e.id for e in rt.kb.guidance),
    )


@page("editor")
async def inbox_action(request: Request, staff: Staff) -> Response:
    rt = runtime(request)
    form = await read_form(request)
    questions = await inbox.unanswered(rt.database)
    groups = inbox.group(questions, load_embeddings(rt.settings.embedding_model_path))
    chosen = next((g for g in groups if g.key == form.get("group")), None)
    if chosen is None:
        return back(f"{HOME}/inbox", catalogue.BAD_FORM)
    action = request.path_params["action"]
    entry_id = form.get("entry_id").strip()
    if not ENTRY_ID.match(entry_id):
        return back(f"{HOME}/inbox", catalogue.EDITOR_NOT_ALLOWED["bad_entry_id"])
    existing = _entry_of(rt, entry_id)
    if action == "entry" and existing is not None:
        return back(f"{HOME}/inbox", catalogue.EDITOR_NOT_ALLOWED["entry_exists"])
    if action == "phrasings" and existing is None:
        return back(f"{HOME}/inbox", catalogue.NOT_FOUND)
    revision = await library(request).turn_group(
        entry_id, existing, chosen.examples, [q.message_id for q in chosen.questions], staff.actor
    )
    done = catalogue.INBOX_TURNED if action == "entry" else catalogue.INBOX_PHRASINGS
    return back(f"{HOME}/guidance/edit?revision={revision.id}", done.format(entry=entry_id))


# Trying a question on a day


@page("editor")
async def try_page(request: Request, staff: Staff) -> Response:
    rt = runtime(request)
    question = request.query_params.get("q", "").strip()
    try:
        day = date.fromisoformat(request.query_params.get("date", ""))
    except ValueError:
        day = date.today()
    preview = None
    if question:
        preview = await answer_on(rt.kb, answer_floors(rt.settings).alone, question, day)
    return render(request, "editor_try.html", staff, question=question, day=day, preview=preview)
