"""Citizens' photos and files, fetched by the server for signed-in staff: the staff browser never
loads a citizen-supplied address itself (no tracking pixels, one content policy)."""

from __future__ import annotations

import httpx
from starlette.requests import Request
from starlette.responses import Response

from bot.console.auth import Staff
from bot.console.pages import conversations
from bot.console.web import page, render
from bot.core import catalogue
from bot.delivery.conversations import NotAllowed
from bot.storage.models import Attachment
from bot.storage.photos import STORED
from connectors.base import DeliveryFailed

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT_S = 10.0
INLINE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
"""Shown in the page; anything else (SVG included, it can carry script) is downloaded."""
TELEGRAM_FILE = "telegram-file:"


class AttachmentUnavailable(Exception):
    """The file cannot be fetched now (gone, too large, the platform unreachable)."""


@page("staff")
async def attachment(request: Request, staff: Staff) -> Response:
    try:
        found = await conversations(request).attachment(
            int(request.path_params["attachment_id"]), staff
        )
    except NotAllowed as error:
        return render(request, "error.html", staff, 404, message=str(error))
    try:
        content, media_type = await fetch(request, found)
    except AttachmentUnavailable:
        return render(request, "error.html", staff, 502, message=catalogue.ATTACHMENT_UNAVAILABLE)
    inline = media_type in INLINE_TYPES
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="tep-{found.id}"'}
    return Response(
        content, media_type=media_type if inline else "application/octet-stream", headers=headers
    )


async def fetch(request: Request, found: Attachment) -> tuple[bytes, str]:
    """(the file's bytes, its media type) from where it is kept: our data directory (web chat
    photos) or the platform."""
    if found.url.startswith(STORED):
        try:
            return request.app.state.runtime.web.photos.read(found.url)
        except OSError as error:
            raise AttachmentUnavailable(repr(error)) from error
    if found.url.startswith(TELEGRAM_FILE):
        telegram = request.app.state.delivery.connectors.get("telegram")
        if telegram is None:
            raise AttachmentUnavailable("Telegram is not configured")
        try:
            return await telegram.download(found.url.removeprefix(TELEGRAM_FILE))
        except DeliveryFailed as error:
            raise AttachmentUnavailable(error.reason) from error
    if not found.url.startswith(("https://", "http://")):
        raise AttachmentUnavailable("not a web address")
    return await _download(found.url)


async def _download(url: str) -> tuple[bytes, str]:
    try:
        async with (
            httpx.AsyncClient(timeout=FETCH_TIMEOUT_S, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise AttachmentUnavailable(f"HTTP {response.status_code}")
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > MAX_ATTACHMENT_BYTES:
                    raise AttachmentUnavailable("too large")
            media_type = response.headers.get("content-type", "").split(";")[0].strip()
    except httpx.HTTPError as error:
        raise AttachmentUnavailable(repr(error)) from error
    return bytes(content), media_type
