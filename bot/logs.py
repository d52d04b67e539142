"""Logging set-up: quiet HTTP client logs, and the token scrubbed from anything that slips by."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

REDACTED = "[token]"


class RedactSecrets(logging.Filter):
    """Replaces every secret in a record's final text (message and arguments) by a marker."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        text = record.getMessage()
        if any(secret in text for secret in self._secrets):
            for secret in self._secrets:
                text = text.replace(secret, REDACTED)
            record.msg, record.args = text, None
        return True


class HideBotApiPayloads(logging.Filter):
    """Keeps PTB's debug lines about Bot API calls but drops their payloads.

    Those lines carry message texts both ways (what a rep wrote, what the bot echoed back);
    only the endpoint stays.
    """

    TEMPLATES = frozenset(
        {
            "Calling Bot API endpoint `%s` with parameters `%s`",
            "Call to Bot API endpoint `%s` finished with return value `%s`",
        }
    )

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in self.TEMPLATES and isinstance(record.args, tuple) and record.args:
            record.args = (record.args[0], "…")
        return True


def configure_logging(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> None:
    """Log to stderr at ``level``; httpx request lines (which carry the token in the URL) off."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(HideBotApiPayloads())
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
