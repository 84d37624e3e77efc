"""Lay phrasings: how citizens ask about each article, kept by editors in ``phrasings/*.yml``."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import yaml

PHRASINGS_DIR = Path(__file__).parent / "phrasings"


class PhrasingsError(Exception):
    """A phrasings file that cannot be used; names the file."""


def load_phrasings(directory: Path = PHRASINGS_DIR) -> dict[str, list[str]]:
    """Article ID -> lay phrasings, merged over every file in ``directory``."""
    phrasings: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yml")):
        try:
            data = yaml.safe_load(unicodedata.normalize("NFC", path.read_text(encoding="utf-8")))
        except yaml.YAMLError as error:
            raise PhrasingsError(f"{path.name}: malformed YAML ({error})") from error
        if not isinstance(data, dict):
            raise PhrasingsError(f"{path.name}: expected a mapping of article ID to phrasings")
        for article_id, items in data.items():
            if not isinstance(items, list):
                raise PhrasingsError(f"{path.name}: {article_id} must list its phrasings")
            phrasings.setdefault(str(article_id), []).extend(str(item) for item in items)
    return phrasings
