"""Running against Telegram: the schema check, then long polling or a webhook."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.app import ALLOWED_UPDATES, build_application
from bot.services import Services, SystemClock
from bot.settings import Settings
from storage.db import make_engine
from storage.migrate import schema_state
from storage.uow import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookOptions:
    url: str
    listen: str
    port: int
    secret_token: str

    @property
    def path(self) -> str:
        """The local path to serve: the path part of the public URL."""
        return urlsplit(self.url).path.strip("/")


def webhook_options(
    settings: Settings,
    url: str | None,
    listen: str | None,
    port: int | None,
    fallback_secret: str,
) -> WebhookOptions | None:
    """Webhook settings from the command line over the config; ``None`` means long polling.

    Telegram's secret-token header is always required: without a configured secret, a random
    one is made for this run (the bot registers it itself with setWebhook).
    """
    cfg = settings.webhook
    url = url or cfg.url
    if not url:
        return None
    secret = cfg.secret_token.get_secret_value() if cfg.secret_token else fallback_secret
    return WebhookOptions(
        url=url,
        listen=listen or cfg.listen,
        port=port or cfg.port,
        secret_token=secret,
    )


class SchemaOutOfDate(RuntimeError):
    pass


def open_database(url: str) -> Database:
    """The database, after checking that its schema is the newest one."""
    engine = make_engine(url)
    state = schema_state(engine)
    if not state.up_to_date:
        engine.dispose()
        raise SchemaOutOfDate(
            f"the database schema is at {state.current or 'nothing'}, the code needs "
            f"{state.head}. Run: salescoach db upgrade"
        )
    return Database(engine)


def run_bot(settings: Settings, webhook: WebhookOptions | None) -> int:
    """Run until interrupted; returns the exit code."""
    try:
        database = open_database(settings.database.url)
    except SchemaOutOfDate as exc:
        print(f"salescoach: {exc}", file=sys.stderr)
        return 3
    services = Services(settings=settings, database=database, clock=SystemClock())
    application = build_application(services)
    try:
        if webhook is None:
            log.info("starting with long polling")
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
        else:
            log.info("starting webhook server on %s:%s", webhook.listen, webhook.port)
            application.run_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path=webhook.path,
                webhook_url=webhook.url,
                secret_token=webhook.secret_token,
                allowed_updates=ALLOWED_UPDATES,
            )
    finally:
        database.dispose()
    return 0
