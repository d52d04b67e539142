"""The Sales Coach domain: teams, people, invites and (later) the daily rhythm and practice.

Nothing here imports Telegram, SQLAlchemy, Jinja2 or APScheduler. Use cases take a unit of
work (``coach.ports.UnitOfWork``), plain values and an aware ``now``; they return dataclasses
or raise ``coach.errors.CoachError`` subclasses that the adapter turns into messages.
"""
