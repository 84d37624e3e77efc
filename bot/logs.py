"""Logging for every command: plain text or one JSON object per line (``LOG_FORMAT``), personal
data redacted in everything written, messages, extra fields and tracebacks alike."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from bot.core.safety import install_log_redaction, redact

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"


class RedactedText(logging.Formatter):
    """The message is redacted by the filter; tracebacks here."""

    def formatException(self, ei: object) -> str:
        return redact(super().formatException(ei))  # type: ignore[arg-type]


class RedactedJson(JsonFormatter):
    """Every text field redacted (the message, extra fields, the traceback), not the time."""

    def process_log_record(self, log_record: dict[str, object]) -> dict[str, object]:
        return {
            key: redact(value) if isinstance(value, str) and key != "time" else value
            for key, value in log_record.items()
        }


def configure_logging(log_format: str, level: str) -> None:
    """One handler on stderr for the whole process (uvicorn's loggers included)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level.upper())
    if log_format == "json":
        handler.setFormatter(
            RedactedJson(
                JSON_FIELDS,
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                json_ensure_ascii=False,
            )
        )
    else:
        handler.setFormatter(RedactedText(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    install_log_redaction()
