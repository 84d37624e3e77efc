"""The console's URL map, mounted at ``/console`` by bot.app."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Route

from bot.console import admin, attachments, editor, pages

STATIC_DIR = Path(__file__).parent / "static"

ROUTES: list[BaseRoute] = [
    Route("/", pages.home),
    Route("/login", pages.login_page, methods=["GET", "POST"]),
    Route("/logout", pages.logout, methods=["POST"]),
    Route("/events", pages.events),
    Route("/search", pages.search_page),
    Route("/next", pages.claim_next, methods=["POST"]),
    Route("/conversations/{conversation_id:int}", pages.conversation_page),
    Route("/conversations/{conversation_id:int}/events", pages.conversation_events),
    Route(
        "/conversations/{conversation_id:int}/{action}",
        pages.conversation_action,
        methods=["POST"],
    ),
    Route("/attachments/{attachment_id:int}", attachments.attachment),
    Route("/editor", editor.editor_page),
    Route("/editor/import", editor.import_text, methods=["POST"]),
    Route("/editor/drafts/{draft_id:int}", editor.draft_page),
    Route("/editor/drafts/{draft_id:int}/{action}", editor.draft_action, methods=["POST"]),
    Route("/editor/document", editor.document_page),
    Route("/editor/diff", editor.diff_page),
    Route("/editor/events", editor.record_event, methods=["POST"]),
    Route("/editor/guidance", editor.guidance_page),
    Route("/editor/guidance/edit", editor.guidance_edit),
    Route("/editor/guidance/save", editor.guidance_save, methods=["POST"]),
    Route("/editor/guidance/{revision_id:int}/{action}", editor.guidance_action, methods=["POST"]),
    Route("/editor/units", editor.units),
    Route("/editor/inbox", editor.inbox_page),
    Route("/editor/inbox/{action}", editor.inbox_action, methods=["POST"]),
    Route("/editor/try", editor.try_page),
    Route("/audit", admin.audit_page),
    Route("/audit.csv", admin.audit_csv),
    Route("/dead-letters/{item_id:int}/retry", pages.retry_dead_letter, methods=["POST"]),
    Route("/sessions", pages.sessions_page),
    Route("/sessions/revoke", pages.revoke_session, methods=["POST"]),
    Route("/accounts", admin.accounts_page),
    Route("/accounts/add", admin.add_account, methods=["POST"]),
    Route("/accounts/{user_id:int}/toggle", admin.toggle_account, methods=["POST"]),
    Route("/accounts/{user_id:int}/password", admin.password_page, methods=["GET", "POST"]),
    Route("/reports", admin.reports_page),
    Route("/reports.csv", admin.reports_csv),
]
