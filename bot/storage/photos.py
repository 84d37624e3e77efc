"""Photos citizens send from the web chat, kept in the data directory (owner-only): checked by
content (a JPEG, PNG or WebP image Pillow can decode, not too many pixels), stored without their
metadata (a phone's photo carries where it was taken), and read back for staff."""

from __future__ import annotations

import io
import os
import re
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.storage.secrets import private_dir

STORED = "stored:"
"""How an attachment's URL names a file of this store."""
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000
"""Larger images are refused before they are decoded (a small file can unpack to gigabytes)."""
FILE_MODE = 0o600
_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


class NotAPhoto(Exception):
    """The bytes are not an image we accept."""


@dataclass(frozen=True)
class PhotoStore:
    directory: Path

    def save(self, content: bytes) -> str:
        """Check and store a photo; returns the attachment URL (``stored:<name>``). Raises
        NotAPhoto. CPU-bound: call it in a worker thread."""
        image, kind = _decode(content)
        cleaned = io.BytesIO()
        # exif_transpose turns the picture upright; saving without ``exif=`` drops the metadata.
        ImageOps.exif_transpose(image).save(cleaned, format=kind)
        name = f"{uuid.uuid4().hex}.{EXTENSIONS[kind]}"
        path = private_dir(self.directory) / name
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(handle, "wb") as file:
            file.write(cleaned.getvalue())
        return STORED + name

    def read(self, url: str) -> tuple[bytes, str]:
        """(the stored photo, its media type); FileNotFoundError for anything else."""
        name = url.removeprefix(STORED)
        if not url.startswith(STORED) or not _NAME.match(name):
            raise FileNotFoundError(url)
        kind = next(k for k, extension in EXTENSIONS.items() if name.endswith(extension))
        return (self.directory / name).read_bytes(), MEDIA_TYPES[kind]


def _decode(content: bytes) -> tuple[Image.Image, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(content))
            kind = probe.format or ""
            if kind not in MEDIA_TYPES:
                raise NotAPhoto(kind or "unknown format")
            if probe.width * probe.height > MAX_PIXELS:
                raise NotAPhoto(f"{probe.width}x{probe.height} pixels")
            probe.verify()
            image = Image.open(io.BytesIO(content))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise NotAPhoto(str(error)) from error
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise NotAPhoto(str(error)) from error
    return image, kind
