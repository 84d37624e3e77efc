"""A platform's OAuth token pair, shared by every process through the database.

Zalo refresh tokens are single-use: whoever refreshes must store the new pair, and a process that
refreshed with a token someone else already replaced must drop its own result. ``replace`` is a
compare-and-swap on the refresh token, so at most one new pair ever follows a given one.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.database import Database
from bot.storage.models import PlatformToken, utcnow
from connectors.base import TokenPair


class TokenStore:
    """The connectors' ``TokenVault``, in the database."""

    def __init__(self, database: Database, platform: str) -> None:
        self._sessions = database.sessions
        self.platform = platform

    async def load(self) -> TokenPair | None:
        async with self._sessions() as session:
            row = await session.get(PlatformToken, self.platform, populate_existing=True)
            if row is None:
                return None
            return TokenPair(row.access_token, row.refresh_token, row.expires_at)

    async def seed(self, pair: TokenPair) -> bool:
        """Store ``pair`` (the one from the settings) unless a pair is stored already."""
        try:
            async with self._sessions() as session, session.begin():
                if await session.get(PlatformToken, self.platform) is not None:
                    return False
                session.add(self._row(pair))
        except IntegrityError:  # another process seeded at the same moment
            return False
        return True

    async def replace(self, old_refresh_token: str, new_pair: TokenPair) -> bool:
        """Store ``new_pair`` only if the stored refresh token is still ``old_refresh_token``
        (or nothing is stored); False when another process replaced it first."""
        try:
            async with self._sessions() as session, session.begin():
                result = await session.execute(
                    update(PlatformToken)
                    .where(
                        PlatformToken.platform == self.platform,
                        PlatformToken.refresh_token == old_refresh_token,
                    )
                    .values(
                        access_token=new_pair.access_token,
                        refresh_token=new_pair.refresh_token,
                        expires_at=new_pair.expires_at,
                        updated_at=utcnow(),
                    )
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    return True
                stored = await session.scalar(
                    select(PlatformToken.platform).where(PlatformToken.platform == self.platform)
                )
                if stored is not None:
                    return False
                session.add(self._row(new_pair))
        except IntegrityError:  # another process inserted first
            return False
        return True

    def _row(self, pair: TokenPair) -> PlatformToken:
        return PlatformToken(
            platform=self.platform,
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_at=pair.expires_at,
        )
