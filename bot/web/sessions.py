"""Web chat sessions: issued by the server in a signed, HttpOnly cookie, never chosen by the page.

The session ID is random and is the web chat's ID; the signature (itsdangerous, keyed by a secret
in the data directory) means a client can only present a session the server gave out.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from itsdangerous import BadSignature, Signer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "chat_session"
MAX_AGE = timedelta(days=90)
_SESSION_ID_BYTES = 24


class WebSessions:
    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, salt="web-chat-session")

    def new(self) -> tuple[str, str]:
        """(a fresh session ID, its cookie value)."""
        session = secrets.token_urlsafe(_SESSION_ID_BYTES)
        return session, self._signer.sign(session).decode()

    def of(self, request: Request) -> str | None:
        """The session of a request's cookie; None without a cookie or with a forged one."""
        cookie = request.cookies.get(COOKIE, "")
        try:
            return self._signer.unsign(cookie).decode() if cookie else None
        except BadSignature:
            return None

    @staticmethod
    def set_cookie(response: Response, cookie: str) -> None:
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=int(MAX_AGE.total_seconds()),
            path="/",
            secure=True,
            httponly=True,
            samesite="strict",
        )
