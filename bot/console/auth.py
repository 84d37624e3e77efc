"""Console accounts: password hashing, sessions, CSRF tokens, login throttling, roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from bot.storage.database import Database
from bot.storage.models import LoginAttempt, StaffSession, StaffUser, utcnow

ROLES = ("staff", "editor", "admin")
SESSION_TTL = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FAILURES = 5
COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class Staff:
    """The signed-in user of a request."""

    id: int
    username: str
    display_name: str
    role: str
    csrf_token: str

    def may(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"


class LoginThrottled(Exception):
    """Too many failed attempts for this username from this address."""


class Accounts:
    """Users, sessions and login attempts in the database."""

    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def add_user(self, username: str, display_name: str, role: str, password: str) -> int:
        if role not in ROLES:
            raise ValueError(f"unknown role: {role}")
        async with self._sessions() as session, session.begin():
            user = StaffUser(
                username=username.strip().lower(),
                display_name=display_name.strip(),
                role=role,
                password_hash=hash_password(password),
                active=True,
            )
            session.add(user)
            await session.flush()
            return user.id

    async def users(self) -> list[StaffUser]:
        async with self._sessions() as session:
            return list(await session.scalars(select(StaffUser).order_by(StaffUser.username)))

    async def user(self, user_id: int) -> StaffUser | None:
        async with self._sessions() as session:
            return await session.get(StaffUser, user_id)

    async def set_active(self, user_id: int, active: bool) -> None:
        async with self._sessions() as session, session.begin():
            user = await session.get(StaffUser, user_id)
            if user is not None:
                user.active = active
                if not active:
                    await session.execute(
                        delete(StaffSession).where(StaffSession.user_id == user_id)
                    )

    async def set_password(self, user_id: int, password: str) -> None:
        async with self._sessions() as session, session.begin():
            user = await session.get(StaffUser, user_id)
            if user is not None:
                user.password_hash = hash_password(password)
                await session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))

    async def login(self, username: str, password: str, ip: str) -> str | None:
        """A new session token, or None for a wrong name or password.
        Raises LoginThrottled after too many recent failures (the password is not checked)."""
        username = username.strip().lower()
        now = utcnow()
        async with self._sessions() as session, session.begin():
            failures = await session.scalar(
                select(func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.username == username, LoginAttempt.ip == ip)
                .where(LoginAttempt.ok.is_(False), LoginAttempt.at > now - THROTTLE_WINDOW)
            )
            if (failures or 0) >= THROTTLE_FAILURES:
                raise LoginThrottled
            user = await session.scalar(select(StaffUser).where(StaffUser.username == username))
            ok = bool(user and user.active and verify_password(user.password_hash, password))
            session.add(LoginAttempt(username=username, ip=ip, at=now, ok=ok))
            if not ok or user is None:
                return None
            token = secrets.token_urlsafe(32)
            session.add(
                StaffSession(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    csrf_token=secrets.token_urlsafe(24),
                    expires_at=now + SESSION_TTL,
                )
            )
            return token

    async def staff(self, token: str) -> Staff | None:
        """The active user whose unexpired session this token opens."""
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(StaffSession, StaffUser)
                    .join(StaffUser, StaffUser.id == StaffSession.user_id)
                    .where(StaffSession.token_hash == token_hash(token))
                )
            ).first()
        if row is None:
            return None
        stored, user = row
        if not user.active or stored.expires_at < utcnow():
            return None
        return Staff(user.id, user.username, user.display_name, user.role, stored.csrf_token)

    async def logout(self, token: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(StaffSession).where(StaffSession.token_hash == token_hash(token))
            )
