"""Command line: `python -m bot search|ask|chat|serve|index|train-nlu|eval`.

stdout carries only results; progress and errors go to stderr.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from bot.core import catalogue
from bot.core.messages import IncomingMessage, OutgoingMessage
from bot.editing.library import Library, NotAllowed
from bot.editing.words import describe, unreadable
from bot.logs import configure_logging
from bot.runtime import Runtime, local_now, open_knowledge_base, opened_library, running_bot
from bot.settings import Settings, get_settings
from knowledge_base.importing import UnreadableFile

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Consumer-rights chatbot.")
stderr = Console(stderr=True)

K = Annotated[int, typer.Option("-k", help="How many hits.", min=1, max=50)]


def progress(message: str) -> None:
    stderr.print(f"[dim]{message}[/dim]")


def write_json_line(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_jsonl() -> Iterator[tuple[str | None, str | None]]:
    """(id, text) per stdin line; text is None for a line that is not a valid request."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            yield None, None
            continue
        if not isinstance(request, dict):
            yield None, None
            continue
        request_id = str(request["id"]) if "id" in request else None
        text = request.get("text")
        yield request_id, text if isinstance(text, str) else None


@app.callback()
def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)


@app.command()
def search(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    k: K = 5,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Questions as JSON lines on stdin.")
    ] = False,
) -> None:
    """Search the knowledge base."""
    kb = open_knowledge_base(get_settings())
    if jsonl:
        for request_id, text in read_jsonl():
            hits = kb.searcher.search(text, k) if text else []
            write_json_line({"id": request_id, "hits": [h.to_json() for h in hits]})
        return
    if question is None:
        raise typer.BadParameter("give a question, or --jsonl to read them from stdin")
    hits = kb.searcher.search(question, k)
    if as_json:
        write_json_line({"hits": [h.to_json() for h in hits]})
        return
    for rank, hit in enumerate(hits, 1):
        typer.echo(f"{rank}. [{hit.id}] {hit.title} ({hit.score:.3f})\n   {hit.text[:200]}")


def reply_json(request_id: str | None, reply: OutgoingMessage) -> dict[str, Any]:
    return {
        "id": request_id,
        "action": reply.action.value,
        "text": reply.text,
        "citations": [c.to_json() for c in reply.citations],
        "intent": reply.intent.to_json() if reply.intent else None,
    }


@app.command()
def ask(
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Questions as JSON lines on stdin.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Answer as on this day (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Answer each stdin line as the first message of a fresh conversation."""
    clock = local_now
    if as_of is not None:
        day = _on_date(as_of)

        def clock() -> datetime:
            return datetime.combine(day, local_now().timetz())

    async def run() -> None:
        async with running_bot(get_settings(), progress, platforms=False, clock=clock) as runtime:
            batch = uuid.uuid4().hex[:12]
            for n, (request_id, text) in enumerate(read_jsonl()):
                chat_id = f"ask-{batch}-{n}"
                message = IncomingMessage("cli", chat_id, "cli", text or "", message_id=chat_id)
                reply = (await runtime.turns.answer_now(message)).reply
                if reply is not None:
                    write_json_line(reply_json(request_id, reply))

    asyncio.run(run())


@app.command()
def chat() -> None:
    """Chat with the bot in this terminal (Ctrl-D to leave)."""

    async def run(runtime: Runtime) -> None:
        chat_id = f"terminal-{uuid.uuid4().hex[:12]}"
        stderr.print("Gõ câu hỏi rồi nhấn Enter. Ctrl-D để thoát.")
        for n in itertools.count():
            try:
                text = await asyncio.to_thread(input, "Bạn: ")
            except EOFError:
                return
            message = IncomingMessage("cli", chat_id, "cli", text, message_id=f"{chat_id}-{n}")
            reply = (await runtime.turns.answer_now(message)).reply
            if reply is not None:
                typer.echo(f"Bot: {reply.text}\n")
            else:
                stderr.print("[dim](Tin nhắn đã được chuyển tới cán bộ tư vấn.)[/dim]")

    async def main() -> None:
        async with running_bot(get_settings(), progress, platforms=False) as runtime:
            await run(runtime)

    asyncio.run(main())


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default BOT_WORKERS).", min=1)
    ] = None,
) -> None:
    """Run the web app: web chat at /, liveness /healthz, readiness /readyz, /metrics."""
    import uvicorn

    from bot.app import create_app

    settings = get_settings()
    workers = workers or settings.bot_workers
    server_options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "loop": "uvloop",
        "http": "httptools",
        "proxy_headers": False,  # bot.app believes forwarded addresses of TRUSTED_PROXIES only
    }
    progress(f"Trang hỏi đáp: http://{host}:{port}/")
    if workers == 1:
        uvicorn.run(create_app(settings, progress), **server_options)
        return
    from bot.workers import shared_by_workers

    with shared_by_workers(settings, workers, progress):
        uvicorn.run("bot.app:worker_app", factory=True, workers=workers, **server_options)


@app.command()
def index() -> None:
    """Bring the search index up to date (only changed units are embedded)."""
    kb = open_knowledge_base(get_settings())
    for error in kb.corpus.errors:
        stderr.print(f"[red]Corpus error:[/red] {error}")
    report = kb.last_sync
    stderr.print(
        f"Index: {report.added} added, {report.updated} updated, {report.deleted} deleted, "
        f"{report.unchanged} unchanged ({kb.searcher.size} chunks)."
    )


@app.command("train-nlu")
def train_nlu() -> None:
    """Train the Rasa NLU model unless one for the current data already exists."""
    from bot.nlu.model import ensure_model

    settings = get_settings()
    path = ensure_model(settings.rasa_project_dir, settings.rasa_venv, progress)
    stderr.print(f"NLU model: {path}")


@app.command("eval")
def evaluate_retrieval(
    report: Annotated[
        str, typer.Option(help="Where to write the JSON report.")
    ] = "var/eval-report.json",
) -> None:
    """Recall@1, Recall@3 and MRR@10 of retrieval on the development set and on the sealed test
    set (its figures only: its questions and misses are never shown)."""
    from knowledge_base.evaluation import evaluate, load_devset, load_testset

    kb = open_knowledge_base(get_settings())

    def ranker(text: str) -> list[str]:
        return [h.article_id for h in kb.searcher.search(text, 10)]

    results = {
        "development": evaluate(ranker, load_devset()),
        "test": evaluate(ranker, load_testset()),
    }
    typer.echo(f"{'set':<13}{'subset':<16}{'n':>5}{'R@1':>8}{'R@3':>8}{'MRR@10':>9}")
    for name, result in results.items():
        for subset, scores in {"overall": result.overall, **result.by_style}.items():
            typer.echo(
                f"{name:<13}{subset:<16}{scores.questions:>5}{scores.recall_at_1:>8.3f}"
                f"{scores.recall_at_3:>8.3f}{scores.mrr_at_10:>9.3f}"
            )
    sealed = results["test"].to_json() | {"misses": "sealed: not shown"}
    path = Path(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"development": results["development"].to_json(), "test": sealed},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    stderr.print(f"Report: {path}")


@app.command()
def check() -> None:
    """Check the editors' content: every guidance citation exists and supports what it states."""
    from knowledge_base.guidance import load_guidance
    from knowledge_base.legal import load_corpus
    from knowledge_base.phrasings import load_phrasings
    from knowledge_base.validation import citation_problems, format_problems

    corpus = load_corpus(get_settings().corpus_dir)
    articles = {article.id for article in corpus.articles}
    problems = [str(error) for error in corpus.errors]
    for entry in load_guidance():
        problems += citation_problems(entry, corpus) + format_problems(entry)
    problems += [
        f"phrasings: {article_id} is not an article of the legal texts"
        for article_id in load_phrasings()
        if article_id not in articles
    ]
    for problem in problems:
        stderr.print(f"[red]✗[/red] {problem}")
    if problems:
        raise typer.Exit(1)
    stderr.print("[green]✓[/green] Nội dung hợp lệ: mọi trích dẫn đều có trong văn bản pháp luật.")


def run_on_database(settings: Settings, work: Any) -> Any:
    """``work(database)`` on the migrated database of ``settings``."""
    from bot.storage.database import Database, migrate

    async def run() -> Any:
        await migrate(settings.resolved_database_url)
        database = Database(settings.resolved_database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


def operator() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


maintenance_app = typer.Typer(
    no_args_is_help=True, help="Maintenance switch: citizens get a notice, staff keep working."
)
app.add_typer(maintenance_app, name="maintenance")


@maintenance_app.command("on")
def maintenance_on(
    message: Annotated[
        str, typer.Option("--message", "-m", help="What citizens are told (the hotline follows).")
    ] = "",
) -> None:
    """Answer every citizen with the notice and the hotline (every process, within seconds)."""
    from bot.storage.switches import Maintenance

    run_on_database(get_settings(), lambda db: Maintenance(db).switch(True, message, operator()))
    stderr.print("[yellow]Maintenance on:[/yellow] citizens get the notice; staff keep working.")


@maintenance_app.command("off")
def maintenance_off() -> None:
    """Answer citizens normally again."""
    from bot.storage.switches import Maintenance

    run_on_database(get_settings(), lambda db: Maintenance(db).switch(False, "", operator()))
    stderr.print("[green]Maintenance off.[/green]")


@maintenance_app.command("status")
def maintenance_status() -> None:
    """Print `{"maintenance": true|false, "message": …}`."""
    from bot.storage.switches import Maintenance

    notice = run_on_database(get_settings(), lambda db: Maintenance(db).current())
    write_json_line({"maintenance": notice is not None, "message": notice or ""})


retention_app = typer.Typer(no_args_is_help=True, help="Retention of conversations and cases.")
app.add_typer(retention_app, name="retention")


@retention_app.command("run")
def retention_run() -> None:
    """Anonymise or delete what is past its retention period now; prints what was done."""
    from dataclasses import asdict

    from bot.runtime import retention_policy
    from bot.storage.retention import apply_retention

    settings = get_settings()
    policy = retention_policy(settings)
    report = run_on_database(settings, lambda db: apply_retention(db, policy))
    write_json_line(asdict(report))


@app.command("backup")
def backup_database(
    target: Annotated[Path, typer.Argument(help="The backup file to write.")],
) -> None:
    """Back up the database (safe while the bot runs)."""
    from bot.storage.backup import BackupError, backup

    try:
        backup(get_settings().resolved_database_url, target)
    except BackupError as error:
        stderr.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    stderr.print(f"[green]✓[/green] Backup: {target}")


@app.command("restore")
def restore_database(
    source: Annotated[Path, typer.Argument(help="A file written by `backup`.")],
) -> None:
    """Replace the database's content with a backup (stop every bot process first)."""
    from bot.storage.backup import BackupError, restore
    from bot.storage.database import migrate

    settings = get_settings()
    try:
        restore(settings.resolved_database_url, source)
    except BackupError as error:
        stderr.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    asyncio.run(migrate(settings.resolved_database_url))  # a backup of an older version
    stderr.print(f"[green]✓[/green] Restored from {source}")


telegram_app = typer.Typer(no_args_is_help=True, help="Telegram: set the webhook.")
app.add_typer(telegram_app, name="telegram")


@telegram_app.command("set-webhook")
def telegram_set_webhook(
    url: Annotated[str, typer.Argument(help="Public HTTPS URL of /webhooks/telegram.")],
) -> None:
    """Point Telegram at URL, with TELEGRAM_WEBHOOK_SECRET as the secret token."""
    from rich.markup import escape
    from telegram.error import TelegramError

    from connectors.telegram import TelegramConnector

    settings = get_settings()
    if not settings.telegram_enabled:
        stderr.print("[red]Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first.[/red]")
        raise typer.Exit(1)

    connector = TelegramConnector(
        settings.telegram_bot_token, settings.telegram_webhook_secret, settings.telegram_api_base
    )

    async def run() -> bool:
        if not await connector.start():
            stderr.print(f"[red]Telegram is not reachable:[/red] {escape(connector.problem)}")
            raise typer.Exit(1)
        try:
            return await connector.set_webhook(url)
        finally:
            await connector.aclose()

    try:
        done = asyncio.run(run())
    except TelegramError as error:
        reason = escape(connector.describe(error))
        stderr.print(f"[red]Telegram refused the webhook:[/red] {reason}")
        raise typer.Exit(1) from error
    if not done:
        stderr.print("[red]Telegram did not confirm the webhook.[/red]")
        raise typer.Exit(1)
    stderr.print(f"[green]✓[/green] Webhook set: {escape(url)}")


users_app = typer.Typer(no_args_is_help=True, help="Staff console accounts.")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, staff or editor.")] = "staff",
    name: Annotated[str, typer.Option(help="Name shown to colleagues and citizens.")] = "",
    password: Annotated[
        str | None, typer.Option(help="Password; asked for when not given.")
    ] = None,
) -> None:
    """Create a console account (the first admin, for instance)."""
    from rich.markup import escape
    from sqlalchemy.exc import IntegrityError

    from bot.console.auth import ROLES, Accounts
    from bot.storage.database import Database, migrate

    if role not in ROLES:
        stderr.print(f"[red]Role must be one of: {', '.join(ROLES)}.[/red]")
        raise typer.Exit(2)
    if password is None:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        stderr.print("[red]The password needs at least 10 characters.[/red]")
        raise typer.Exit(2)
    settings = get_settings()

    async def run() -> int:
        await migrate(settings.resolved_database_url)
        database = Database(settings.resolved_database_url)
        try:
            return await Accounts(database).add_user(username, name or username, role, password)
        finally:
            await database.dispose()

    try:
        user_id = asyncio.run(run())
    except IntegrityError as error:
        stderr.print(f"[red]The username {escape(username)} exists already.[/red]")
        raise typer.Exit(1) from error
    stderr.print(f"[green]✓[/green] {escape(username)} ({role}) created, id {user_id}")


@users_app.command("demo-admin")
def users_demo_admin() -> None:
    """For local demos only: create the `demo-admin` account once, with a random password kept
    in DATA_DIR/demo-admin.txt (mode 0600), and print how to log in."""
    import secrets

    from bot.console.auth import Accounts
    from bot.storage.database import Database, migrate

    settings = get_settings()
    credentials = settings.data_dir / "demo-admin.txt"

    async def run() -> None:
        await migrate(settings.resolved_database_url)
        database = Database(settings.resolved_database_url)
        try:
            password = secrets.token_urlsafe(12)
            await Accounts(database).add_user("demo-admin", "Quản trị demo", "admin", password)
        finally:
            await database.dispose()
        credentials.write_text(password)
        credentials.chmod(0o600)

    if not credentials.exists():
        asyncio.run(run())
    stderr.print(
        f"Staff console: {settings.public_url}/console/login — user demo-admin, password "
        f"{credentials.read_text()} (local demo account; create real ones with `users add`)"
    )


kb_app = typer.Typer(no_args_is_help=True, help="Editors: legal texts, versions, events.")
app.add_typer(kb_app, name="kb")
AS_JSON = Annotated[bool, typer.Option("--json", help="One JSON line on stdout.")]
CLI_EDITOR = "cli"
HELD_EXIT = 3


def _on_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter("a date like 2026-07-01") from error


def _run_library(action: Callable[[Library], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        async with opened_library(get_settings()) as library:
            return await action(library)

    try:
        return asyncio.run(run())
    except NotAllowed as error:
        stderr.print(f"[red]{catalogue.EDITOR_NOT_ALLOWED[str(error)].format(unit='')}[/red]")
        raise typer.Exit(1) from error


@kb_app.command("import")
def kb_import(
    file: Annotated[Path, typer.Argument(help=".txt, .docx, .html or .pdf", exists=True)],
    as_json: AS_JSON = False,
) -> None:
    """Parse a legal text, keep it as a draft and print the preview."""
    try:
        draft = _run_library(
            lambda library: library.import_file(file.name, file.read_bytes(), CLI_EDITOR)
        )
    except UnreadableFile as error:
        stderr.print(f"[red]{unreadable(error)}[/red]")
        raise typer.Exit(1) from error
    parsed = Library.parsed(draft)
    warnings = [describe(p) for p in parsed.problems]
    if as_json:
        write_json_line(
            {
                "draft": draft.id,
                "doc": draft.doc,
                "articles": len(parsed.articles),
                "warnings": warnings,
            }
        )
        return
    meta = parsed.metadata
    typer.echo(f"Bản nháp {draft.id}: {meta.get('doc', '?')} — {meta.get('title', '?')}")
    typer.echo(f"Hiệu lực: {meta.get('effective', '?')}; {len(parsed.articles)} điều")
    for article in parsed.articles:
        typer.echo(f"  Điều {article.number}. {article.title} ({len(article.clauses)} khoản)")
    for warning in warnings:
        typer.echo(f"! {warning}")


@kb_app.command("publish")
def kb_publish(
    draft_id: Annotated[int, typer.Argument(help="The draft's number (from kb import).")],
    as_json: AS_JSON = False,
) -> None:
    """Run the regression gate and publish the draft (exit 3 when the gate holds it)."""
    outcome = _run_library(lambda library: library.publish_draft(draft_id, CLI_EDITOR))
    if outcome.published:
        result: dict[str, Any] = {"published": True, "doc": outcome.doc, "version": outcome.version}
    else:
        gate = outcome.gate
        assert gate is not None
        held = catalogue.PUBLISH_HELD.format(
            before=gate.before, after=gate.after, margin=gate.max_drop
        )
        result = {"published": False, "held": held, "worse": [w.to_json() for w in gate.worse]}
    if as_json:
        write_json_line(result)
    elif outcome.published:
        typer.echo(catalogue.PUBLISHED_VERSION.format(doc=outcome.doc, version=outcome.version))
    else:
        typer.echo(result["held"])
        for worse in result["worse"]:
            typer.echo(f"  - {worse['question']} ({worse['before']} → {worse['after']})")
    if not outcome.published:
        raise typer.Exit(HELD_EXIT)


@kb_app.command("history")
def kb_history(
    doc: Annotated[str, typer.Argument(help="The document's number, e.g. 19/2023/QH15.")],
    as_json: AS_JSON = False,
) -> None:
    """The document's versions and the events recorded for it."""
    versions = _run_library(lambda library: library.history(doc))
    if not versions:
        stderr.print(f"[red]{catalogue.EDITOR_NOT_ALLOWED['unknown_document']}[/red]")
        raise typer.Exit(1)
    rows = [
        {
            "version": v.version,
            "effective": v.effective.isoformat(),
            "published_at": v.published_at.isoformat() if v.published_at else None,
            "by": v.by,
        }
        for v in versions
    ]
    if as_json:
        write_json_line({"doc": doc, "versions": rows})
        return
    for row in rows:
        published = row["published_at"] or ""
        typer.echo(f"v{row['version']}  hiệu lực {row['effective']}  {published}  {row['by']}")


def _record(doc: str, kind: str, on: date, by: str) -> None:
    outcome = _run_library(lambda library: library.record_event(doc, kind, on, by, CLI_EDITOR))
    what = catalogue.EVENT_WORDS[kind]
    stderr.print(catalogue.EVENT_RECORDED.format(doc=outcome.doc, what=what, date=on))


@kb_app.command("repeal")
def kb_repeal(
    doc: Annotated[str, typer.Argument(help="The repealed document's number.")],
    on: Annotated[str, typer.Option("--date", help="From this day (YYYY-MM-DD).")],
    by: Annotated[str, typer.Option("--by", help="The document replacing it, if any.")] = "",
) -> None:
    """Record that a document is repealed from a day: it is no longer cited from then on."""
    _record(doc, "repealed", _on_date(on), by)


@kb_app.command("amend")
def kb_amend(
    doc: Annotated[str, typer.Argument(help="The amended document's number.")],
    by: Annotated[str, typer.Option("--by", help="The amending document's number.")],
    on: Annotated[str, typer.Option("--date", help="From this day (YYYY-MM-DD).")],
) -> None:
    """Record that a document is amended by another from a day (until its new text is
    imported and published, answers quoting it say so)."""
    _record(doc, "amended", _on_date(on), by)
