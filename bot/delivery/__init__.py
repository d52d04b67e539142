"""Delivery: the outbox sender and the rate limits it shares with the rest of the bot.

- ``OutboxSender(bot, unit_of_work, clock, settings)`` drains the durable outbox
  (``coach.outbox``) to Telegram: ``start()`` / ``await stop()`` / ``wake()``, or
  ``await run(stop=...)``, or ``await drain()`` for one pass (tests). See ``sender``.
- ``rate_limiter(settings.delivery)`` is the Application's ``AIORateLimiter``;
  ``attach_sender(application, services)`` runs a sender while the application runs;
  ``sender_of(application)`` finds it. See ``wiring``.
- ``outcomes`` maps Telegram's answers to what the outbox records.
- ``journal`` (``SendJournal``) tells a restarted sender which messages the killed one marked
  but never began to write; ``wiring.journal_for(settings.delivery, engine.url)`` finds it.
"""

from bot.delivery.outcomes import Outcome, RetryPolicy, Verdict, judge
from bot.delivery.sender import OutboxSender, SenderStats
from bot.delivery.wiring import attach_sender, rate_limiter, sender_of

__all__ = [
    "OutboxSender",
    "Outcome",
    "RetryPolicy",
    "SenderStats",
    "Verdict",
    "attach_sender",
    "judge",
    "rate_limiter",
    "sender_of",
]
