"""Console accounts: password hashing, sessions, CSRF tokens, login throttling, roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.storage.database import Database
from bot.storage.models import LoginAttempt, StaffSession, StaffUser, utcnow

ROLES = ("staff", "editor", "admin")
SESSION_TTL = timedelta(hours=12)
SEEN_EVERY = timedelta(minutes=1)
"""How often a session's last-seen time is written (not on every request)."""
THROTTLE_WINDOW = timedelta(minutes=15)
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


@cache
def _unknown_user_hash() -> str:
    """Checked against when the name is unknown, so that an unknown name takes as long to
    refuse as a wrong password (no telling which names exist)."""
    return hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins tolerated within the window, then a wait since the last failure that
    doubles with every further failure up to a ceiling (never a lockout: the right password
    works again after the wait)."""

    free_failures: int
    first_wait: timedelta
    longest_wait: timedelta

    def wait(self, failures: int, last_failure: datetime | None, now: datetime) -> timedelta:
        if failures < self.free_failures or last_failure is None:
            return timedelta(0)
        doublings = min(failures - self.free_failures, 20)
        needed = min(self.longest_wait, self.first_wait * 2**doublings)
        return max(timedelta(0), last_failure + needed - now)


PER_ACCOUNT = Throttle(5, first_wait=timedelta(seconds=30), longest_wait=timedelta(minutes=5))
"""Guessing one account's password: bounded waits, so its owner is never kept out for long."""
PER_ADDRESS = Throttle(10, first_wait=timedelta(seconds=30), longest_wait=timedelta(hours=1))
"""Guessing from one address, across any names."""


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
    session_hash: str = ""
    """The hash of this browser's session token (names it among the user's sessions)."""

    def may(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"


class LoginThrottled(Exception):
    """Too many recent failures for this account or from this address: try again later."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"wait {wait.total_seconds():.0f} s")
        self.wait_s = max(1, round(wait.total_seconds()))


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

    async def login(
        self, username: str, password: str, ip: str, user_agent: str = ""
    ) -> str | None:
        """A new session token, or None for a wrong name or password. Raises LoginThrottled
        while the account or the address must wait (the password is not checked then)."""
        username = username.strip().lower()
        now = utcnow()
        async with self._sessions() as session, session.begin():
            wait = max(
                PER_ACCOUNT.wait(
                    *await self._failures(session, LoginAttempt.username, username), now
                ),
                PER_ADDRESS.wait(*await self._failures(session, LoginAttempt.ip, ip), now),
            )
            if wait:
                raise LoginThrottled(wait)
            user = await session.scalar(select(StaffUser).where(StaffUser.username == username))
            known = user is not None and user.active
            stored_hash = user.password_hash if user is not None and known else _unknown_user_hash()
            ok = verify_password(stored_hash, password) and known
            session.add(LoginAttempt(username=username[:64], ip=ip, at=now, ok=ok))
            if not ok or user is None:
                return None
            token = secrets.token_urlsafe(32)
            session.add(
                StaffSession(
                    token_hash=token_hash(token),
                    user_id=user.id,
                    csrf_token=secrets.token_urlsafe(24),
                    expires_at=now + SESSION_TTL,
                    created_at=now,
                    last_seen_at=now,
                    ip=ip,
                    user_agent=user_agent[:255],
                )
            )
            return token

    @staticmethod
    async def _failures(
        session: AsyncSession, column: InstrumentedAttribute[str], value: str
    ) -> tuple[int, datetime | None]:
        """(failed sign-ins within the window, the last one's time) for a name or an address."""
        row = (
            await session.execute(
                select(func.count(), func.max(LoginAttempt.at))
                .where(column == value, LoginAttempt.ok.is_(False))
                .where(LoginAttempt.at > utcnow() - THROTTLE_WINDOW)
            )
        ).one()
        last = row[1]
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        return int(row[0]), last

    async def sessions_of(self, user_id: int) -> list[StaffSession]:
        """A user's signed-in browsers, most recently seen first."""
        async with self._sessions() as session:
            return list(
                await session.scalars(
                    select(StaffSession)
                    .where(StaffSession.user_id == user_id, StaffSession.expires_at > utcnow())
                    .order_by(StaffSession.last_seen_at.desc())
                )
            )

    async def revoke(self, user_id: int, session_hash: str) -> bool:
        """Sign out one of a user's browsers."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(StaffSession).where(
                    StaffSession.user_id == user_id, StaffSession.token_hash == session_hash
                )
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

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
        now = utcnow()
        if not user.active or stored.expires_at < now:
            return None
        if stored.last_seen_at is None or now - stored.last_seen_at > SEEN_EVERY:
            async with self._sessions() as session, session.begin():
                await session.execute(
                    update(StaffSession)
                    .where(StaffSession.token_hash == stored.token_hash)
                    .values(last_seen_at=now)
                )
        return Staff(
            user.id,
            user.username,
            user.display_name,
            user.role,
            stored.csrf_token,
            stored.token_hash,
        )

    async def logout(self, token: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(StaffSession).where(StaffSession.token_hash == token_hash(token))
            )
