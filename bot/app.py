"""The composition root: settings and services in, a ready PTB Application out."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bot.commands import publish_default_menus
from bot.content_seed import seed_builtin_packs
from bot.context import BotData, CoachApplication, CoachContext
from bot.delivery import attach_sender, rate_limiter
from bot.delivery.http import AiohttpRequest
from bot.delivery.wire import WireRequest
from bot.handlers import (
    battle,
    board,
    checkins,
    content,
    drill,
    errors,
    general,
    groups,
    language,
    manager,
    onboarding,
    quiz,
    sharing,
)
from bot.handlers.common import GROUPS, PRIVATE
from bot.intake import IntakeApplication
from bot.keyboards import (
    BackToWork,
    BadCallbackData,
    BoardButton,
    CallbackData,
    ChooseLanguage,
    ConfirmMove,
    DrillButton,
    FieldButton,
    KeepLesson,
    KudosButton,
    PlanButton,
    ReviewButton,
    ShareKind,
    SkipDays,
    SkipRegion,
    StartFlow,
    StartQuiz,
    TickTask,
)
from bot.scheduler import schedule_ticks
from bot.services import Services

log = logging.getLogger(__name__)

# The updates the bot asks Telegram for; anything else is never fetched.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
    Update.POLL_ANSWER,
]


def build_application(services: Services) -> CoachApplication:
    """Build the bot: HTML by default, typed context, handlers in the order they must match."""
    tg = services.settings.telegram
    if tg.token is None:
        raise ValueError("a token is needed to build the application")
    builder = (
        ApplicationBuilder()
        .token(tg.token.get_secret_value())
        .base_url(tg.api_base_url)
        .base_file_url(tg.api_base_file_url)
        .context_types(ContextTypes(context=CoachContext, bot_data=BotData))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(_post_init)
        # Updates come in through bot.intake (confirmed only once handled), never PTB's Updater,
        # which confirms them before the handlers run.
        .application_class(IntakeApplication)
        .updater(None)
        # Telegram's caps hold for the bot as a whole: replies and outbox pushes share them.
        .rate_limiter(rate_limiter(services.settings.delivery))
        # h11 on asyncio instead of PTB's default httpx: a fraction of the CPU per Bot API call
        # (bench/README.md), and a gate that lets the outbox commit a push's SENDING mark with
        # its requests ready to write (bot.delivery.wire).
        .request(WireRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
    )
    application: CoachApplication = builder.build()  # type: ignore[assignment]
    application.bot_data.services = services
    register_handlers(application)
    schedule_ticks(application)
    attach_sender(application, services)  # drains the outbox while the application runs
    return application


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Register every handler; within group 0 the first match wins, so order matters."""
    private_commands = {
        "start": onboarding.start,
        "newteam": onboarding.new_team,
        "invite": onboarding.invite,
        "lang": language.ask_language,
        "help": general.help_command,
        "cancel": general.cancel,
        "bindgroup": groups.bind_group_in_private,
        "plan": checkins.plan,
        "review": checkins.review,
        "skip": checkins.skip,
        "week": checkins.week,
        "packs": content.packs,
        "drill": drill.drill,
        "me": drill.me,
        "objections": drill.objections,
        "quiz": quiz.quiz,
        "gaps": quiz.gaps,
        "board": board.board,
        "share": sharing.share,
        "tips": sharing.tips,
        "team": manager.team,
        "report": manager.report,
        "targets": manager.targets,
        "schedule": manager.schedule,
        "export": manager.export_command,
    }
    for name, callback in private_commands.items():
        app.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    app.add_handler(CommandHandler("bindgroup", groups.bind_group, filters=GROUPS))
    app.add_handler(CommandHandler("help", general.help_in_group, filters=GROUPS))
    app.add_handler(CommandHandler("battle", battle.battle, filters=GROUPS))
    app.add_handler(CommandHandler("share", sharing.share_in_group_command, filters=GROUPS))
    app.add_handler(CommandHandler("board", board.board_in_group, filters=GROUPS))
    # Votes in quiz polls: private quizzes and group battles (they come without a chat).
    app.add_handler(PollAnswerHandler(quiz.poll_answer))

    buttons: list[tuple[type[CallbackData], object]] = [
        (ChooseLanguage, language.language_chosen),
        (ConfirmMove, onboarding.confirm_move),
        (SkipRegion, onboarding.skip_region),
        (PlanButton, checkins.plan_button),
        (TickTask, checkins.tick_task),
        (ReviewButton, checkins.review_button),
        (StartFlow, checkins.start_flow),
        (SkipDays, checkins.skip_button),
        (BackToWork, checkins.back_to_work),
        (DrillButton, drill.drill_button),
        (FieldButton, drill.field_button),
        (StartQuiz, quiz.start_quiz_button),
        (BoardButton, board.board_button),
        (ShareKind, sharing.kind_button),
        (KudosButton, sharing.kudos_button),
        (KeepLesson, sharing.keep_button),
    ]
    for family, callback in buttons:
        app.add_handler(CallbackQueryHandler(callback, pattern=family.pattern()))  # type: ignore[arg-type]
    # Any other button is stale (an older version's) or forged: say it expired.
    app.add_handler(CallbackQueryHandler(_stale_button))

    app.add_handler(ChatMemberHandler(groups.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.group_migrated))

    # Edits first: an edited text would otherwise look like a new answer.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED & PRIVATE, general.edited))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, general.unknown_command))
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT, onboarding.free_text))
    app.add_handler(MessageHandler(PRIVATE & filters.Document.ALL, content.document))
    app.add_handler(MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, general.not_text))
    # A text reply to the bot in a group is a share while the evening sharing is open (the
    # handler falls back to the pointer below otherwise); it must come before that pointer.
    app.add_handler(
        MessageHandler(
            GROUPS & filters.UpdateType.MESSAGE & filters.REPLY & filters.TEXT & ~filters.COMMAND,
            sharing.group_reply,
        )
    )
    # In groups the bot sees commands and replies to it (privacy mode); plain chatter is left alone.
    app.add_handler(
        MessageHandler(
            GROUPS & filters.UpdateType.MESSAGE & (filters.COMMAND | filters.REPLY),
            general.unknown_in_group,
        )
    )
    app.add_error_handler(errors.on_error)  # type: ignore[arg-type]


async def _stale_button(update: Update, context: CoachContext) -> None:
    query = update.callback_query
    raise BadCallbackData(query.data if query else None)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data.services  # type: ignore[attr-defined]
    await publish_default_menus(application.bot, services.default_language)
    await seed_builtin_packs(services)
    log.info("bot @%s ready", application.bot.username)
