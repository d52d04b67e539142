"""The built-in content packs, imported when the bot starts if they are newer than stored."""

from __future__ import annotations

import logging
from functools import cache
from importlib.resources import files

from sqlalchemy.exc import IntegrityError

from bot.services import Services
from coach.content_upload import seed_builtin

log = logging.getLogger(__name__)

BUNDLED = ("default.zh.yaml", "default.en.yaml")


@cache
def bundled_packs() -> tuple[tuple[str, bytes], ...]:
    """``(file name, bytes)`` of each pack that ships in ``coach/packs``."""
    folder = files("coach") / "packs"
    return tuple((name, (folder / name).read_bytes()) for name in BUNDLED)


async def seed_builtin_packs(services: Services) -> None:
    """Import the bundled packs whose stored version is older or missing; log what changed."""
    try:
        seeded = await services.run(seed_builtin, services.clock.now(), bundled_packs())
    except IntegrityError:
        # Another process (a second webhook worker) seeded the same packs at the same moment;
        # the retry finds them stored and leaves them be.
        log.info("built-in packs were being seeded elsewhere; checking again")
        seeded = await services.run(seed_builtin, services.clock.now(), bundled_packs())
    for pack in seeded:
        if pack.report is None:
            log.debug("built-in pack %s is current (version %s)", pack.name, pack.version)
        else:
            log.info(
                "built-in pack %s: version %s imported (was %s): %s added, %s changed, %s retired",
                pack.name,
                pack.version,
                pack.report.previous,
                pack.report.added,
                pack.report.changed,
                pack.report.retired,
            )
