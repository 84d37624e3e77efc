"""The console's URL map, mounted at ``/console`` by bot.app."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Route

from bot.console import admin, attachments, pages

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
    Route("/editor", pages.editor_page),
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
