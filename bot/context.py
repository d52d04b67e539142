"""The typed callback context: handlers reach services as ``context.services``."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services


class BotData:
    """Application-wide state; holds the services the composition root wires in."""

    services: Services


class CoachContext(
    CallbackContext[ExtBot[None], dict[object, object], dict[object, object], BotData]
):
    @property
    def services(self) -> Services:
        return self.bot_data.services


CoachApplication = Application[
    ExtBot[None], CoachContext, dict[object, object], dict[object, object], BotData, object
]
