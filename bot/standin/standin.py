"""``StandIn``: the local Telegram Bot API server plus the API tests and the sandbox use."""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from bot.standin.actors import FakeGroup, FakeUser
from bot.standin.calls import CallLog, CallPredicate
from bot.standin.errors import ApiError, PlayerError, not_found
from bot.standin.faults import Faults
from bot.standin.jsondata import clone
from bot.standin.methods import implemented_methods, lookup
from bot.standin.params import Params, decode_params, recordable
from bot.standin.records import (
    ApiCall,
    BotCommand,
    CallbackAnswer,
    SentMessage,
    StandInEvent,
    WebhookDelivery,
)
from bot.standin.registry import Reply
from bot.standin.server import build_app
from bot.standin.state import GROUP, PRESENT_STATUSES, SUPERGROUP, ChatState, UserState
from bot.standin.webhook import WebhookDeliverer
from bot.standin.world import Clock, World, bot_id_from_token

logger = logging.getLogger(__name__)

T = TypeVar("T")
_SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendPoll"})


class StandIn:
    """A fake Telegram Bot API server on loopback, with simulated users and groups."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "SalesCoachBot",
        bot_first_name: str = "Sales Coach",
        auto_deliver: bool = True,
        clock: Clock | None = None,
        *,
        privacy_mode: bool = True,
        strict_html: bool = True,
        webhook_max_attempts: int = 5,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self._token = token
        self.world = World(
            bot_id=bot_id_from_token(token),
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            clock=clock,
            auto_deliver=auto_deliver,
            privacy_mode=privacy_mode,
            strict_html=strict_html,
        )
        self.faults = Faults()
        self._log = CallLog(self.world.notifier)
        self._webhook = WebhookDeliverer(
            self.world, max_attempts=webhook_max_attempts, retry_delay=webhook_retry_delay
        )
        self._runner: web.AppRunner | None = None
        self._origin: str | None = None
        self.internal_errors: list[BaseException] = []

    def __repr__(self) -> str:
        return f"StandIn(bot=@{self.bot_username}, origin={self._origin!r})"

    # ------------------------------------------------------------ lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on ``host:port`` (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("the stand-in is already running")
        app = build_app(
            self._token, self.invoke, self.world.files_by_path.get, self.internal_errors.append
        )
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        self._runner = runner
        self._origin = f"http://{bound_host}:{bound_port}"
        self.world.updates.closing = False
        self._webhook.start()
        logger.info("stand-in Bot API listening on %s", self._origin)

    async def stop(self) -> None:
        """Wake waiting long polls, stop webhook delivery and close the server."""
        self.world.updates.closing = True
        self.world.notifier.notify()
        await self._webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logger.info("stand-in Bot API stopped")

    async def __aenter__(self) -> StandIn:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def origin(self) -> str:
        """Return ``http://host:port`` of the running server."""
        if self._origin is None:
            raise RuntimeError("the stand-in is not running; await start() first")
        return self._origin

    @property
    def base_url(self) -> str:
        """Return the value for ``ApplicationBuilder().base_url(...)`` (PTB appends the token)."""
        return f"{self.origin}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the value for ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.origin}/file/bot"

    @property
    def token(self) -> str:
        """Return the bot token the server accepts."""
        return self._token

    @property
    def bot_id(self) -> int:
        """Return the bot's user id."""
        return self.world.bot_id

    @property
    def bot_username(self) -> str:
        """Return the bot's username (without @)."""
        return self.world.bot.username or ""

    @property
    def callback_query_ttl(self) -> float | None:
        """Return after how many (clock) seconds a press can no longer be answered (None: never)."""
        return self.world.callback_query_ttl

    @callback_query_ttl.setter
    def callback_query_ttl(self, seconds: float | None) -> None:
        self.world.callback_query_ttl = seconds

    @staticmethod
    def implemented_methods() -> list[str]:
        """Return the Bot API methods the stand-in implements."""
        return implemented_methods()

    # ------------------------------------------------------------- dispatch
    async def invoke(self, method: str, raw: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Run one Bot API call; return (HTTP status, Telegram JSON body). Used by the server."""
        values = decode_params(raw)
        recorded = recordable(values)
        at = self.world.now()
        spec = lookup(method)
        if spec is None:
            return self._failed(method, recorded, at, not_found())
        injected = self.faults.take(spec.name)
        if injected is not None:
            logger.debug("injected %s for %s", injected.error_code, spec.name)
            return self._failed(spec.name, recorded, at, injected)
        try:
            outcome = spec.handler(self.world, Params(values))
            if inspect.isawaitable(outcome):
                outcome = await outcome
        except ApiError as error:
            return self._failed(spec.name, recorded, at, error)
        except Exception as error:
            logger.exception("stand-in bug while handling %s", spec.name)
            self.internal_errors.append(error)
            return self._failed(spec.name, recorded, at, ApiError(500, "Internal Server Error"))
        description = None
        if isinstance(outcome, Reply):
            outcome, description = outcome.result, outcome.description
        self._log.record(spec.name, recorded, at, result=clone(outcome))
        logger.debug("call %s ok", spec.name)
        payload: dict[str, Any] = {"ok": True, "result": outcome}
        if description:
            payload["description"] = description
        return 200, payload

    def _failed(
        self, method: str, recorded: dict[str, Any], at: Any, error: ApiError
    ) -> tuple[int, dict[str, Any]]:
        self._log.record(method, recorded, at, error=(error.error_code, error.description))
        logger.debug("call %s failed: %s %s", method, error.error_code, error.description)
        return error.error_code, error.payload()

    async def call(self, method: str, **params: Any) -> Any:
        """Call a method in-process (no HTTP); return the result or raise ApiError."""
        status, payload = await self.invoke(method, params)
        if status != 200:
            raise ApiError(status, payload["description"], payload.get("parameters"))
        return payload["result"]

    # -------------------------------------------------------------- players
    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """Create a simulated user with the next deterministic positive id."""
        user_id = self.world.next_number("user", start=10_000_001)
        self.world.users[user_id] = UserState(
            user_id, first_name, last_name=last_name, username=username,
            language_code=language_code,
        )  # fmt: skip
        return FakeUser(self.world, user_id)

    def add_group(
        self,
        title: str,
        members: Mapping[FakeUser, str] | None = None,
        supergroup: bool = False,
    ) -> FakeGroup:
        """Create a group (negative id; -100... for supergroups) without the bot in it."""
        if supergroup:
            chat_id = -(1_000_000_000_000 + self.world.next_number("supergroup", 2_000_000_001))
        else:
            chat_id = -(4_000_000_000 + self.world.next_number("group", 1))
        self.world.chats[chat_id] = ChatState(
            id=chat_id, type=SUPERGROUP if supergroup else GROUP, title=title
        )
        group = FakeGroup(self.world, chat_id)
        for user, status in (members or {}).items():
            group.set_status(user, status)
        return group

    def user(self, user_id: int) -> FakeUser:
        """Return the FakeUser with this id."""
        if user_id not in self.world.users:
            raise PlayerError(f"no user {user_id}")
        return FakeUser(self.world, user_id)

    def group(self, chat_id: int) -> FakeGroup:
        """Return the FakeGroup with this id."""
        chat = self.world.chats.get(chat_id)
        if chat is None or not chat.is_group:
            raise PlayerError(f"no group {chat_id}")
        return FakeGroup(self.world, chat_id)

    # ---------------------------------------------------------- observation
    @property
    def calls(self) -> list[ApiCall]:
        """Return every Bot API call so far (including failed ones)."""
        return list(self._log.calls)

    @property
    def last_seq(self) -> int:
        """Return the seq of the latest call (0 if none): pass it as ``after_seq`` later."""
        return self._log.last_seq

    def calls_since(self, seq: int) -> list[ApiCall]:
        """Return the calls with seq greater than ``seq``."""
        return self._log.since(seq)

    async def wait_for(
        self,
        predicate: CallPredicate,
        timeout: float = 5.0,  # noqa: ASYNC109 - public API takes a timeout
        after_seq: int = 0,
    ) -> ApiCall:
        """Return the first call after ``after_seq`` matching ``predicate`` (past or future)."""
        return await self._log.wait_for(predicate, timeout, after_seq)

    async def wait_for_message(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        chat_id: int | None = None,
        after_seq: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - public API takes a timeout
    ) -> SentMessage:
        """Wait until the bot successfully sends a matching message; return its current state.

        Messages that were already deleted again are skipped.
        """

        def match(call: ApiCall) -> bool:
            if not call.ok or call.method not in _SEND_METHODS:
                return False
            sent = self._sent_from_result(call.result)
            if sent is None or (chat_id is not None and sent.chat_id != chat_id):
                return False
            return predicate is None or predicate(sent)

        call = await self.wait_for(match, timeout, after_seq)
        sent = self._sent_from_result(call.result)
        assert sent is not None
        return sent

    def _sent_from_result(self, result: Any) -> SentMessage | None:
        chat = self.world.chats.get(result["chat"]["id"])
        msg = chat.messages.get(result["message_id"]) if chat else None
        return self.world.snapshot(msg) if msg is not None else None

    async def wait_until(self, condition: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109 - public API takes a timeout
        """Wait until ``condition()`` is truthy (re-checked on every stand-in state change)."""
        return await self.world.notifier.wait_until(condition, timeout)

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Return the bot's messages currently in chats (edits applied, deletions removed)."""
        return self.world.bot_messages(chat_id)

    def subscribe(self, callback: Callable[[StandInEvent], None]) -> Callable[[], None]:
        """Call ``callback`` for every bot message sent/edited/deleted, chat action, answer."""
        return self.world.subscribe(callback)

    def commands(self, scope: Any = None, language_code: str | None = None) -> list[BotCommand]:
        """Return the commands registered for exactly this scope and language."""
        if isinstance(scope, str):
            scope = {"type": scope}
        elif scope is not None and hasattr(scope, "to_dict"):
            scope = scope.to_dict()
        key = (self.world.scope_key(scope), language_code or "")
        return list(self.world.commands.get(key, []))

    def menu_commands(self, user: FakeUser, chat: FakeGroup | None = None) -> list[BotCommand]:
        """Return the commands Telegram would show ``user`` (scope/language fallback rules)."""
        state = self.world.chats.get(chat.id) if chat is not None else None
        if state is None:
            scopes: list[dict[str, Any]] = [
                {"type": "chat", "chat_id": user.id},
                {"type": "all_private_chats"},
            ]
        else:
            admin = state.members.get(user.id) in ("creator", "administrator")
            scopes = [{"type": "chat_member", "chat_id": state.id, "user_id": user.id}]
            if admin:
                scopes.append({"type": "chat_administrators", "chat_id": state.id})
            scopes.append({"type": "chat", "chat_id": state.id})
            if admin:
                scopes.append({"type": "all_chat_administrators"})
            scopes.append({"type": "all_group_chats"})
        scopes.append({"type": "default"})
        # Clients send IETF tags ("zh-hans", "en-US"); commands are stored per ISO 639-1 code.
        language = (user.language_code or "").split("-")[0].lower()
        languages = [language, ""] if language else [""]
        for scope in scopes:
            key = json.dumps(scope, sort_keys=True)
            for language in languages:
                found = self.world.commands.get((key, language))
                if found:
                    return list(found)
        return []

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Return every update produced so far (delivered or not), oldest first."""
        return clone(self.world.updates.produced)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Return the updates waiting for getUpdates/webhook confirmation."""
        return clone(self.world.updates.pending)

    @property
    def polls_waiting(self) -> int:
        """Return how many getUpdates long polls are currently waiting."""
        return self.world.updates.waiting_polls

    def update_acknowledged(self, update_id: int) -> bool:
        """Return True once the bot confirmed the update (getUpdates offset or webhook 2xx)."""
        return update_id in self.world.updates.acknowledged

    async def wait_acknowledged(self, update_id: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - public API takes a timeout
        """Wait until ``update_acknowledged(update_id)``; raise TimeoutError otherwise."""
        try:
            await self.wait_until(lambda: self.update_acknowledged(update_id), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"update {update_id} was not acknowledged within {timeout}s"
            ) from None

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Return every webhook POST attempt with its HTTP status (None: connection error)."""
        return list(self._webhook.deliveries)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Return every answerCallbackQuery the bot made."""
        return list(self.world.callback_answers)

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        """Return every (chat_id, action) the bot sent with sendChatAction."""
        return list(self.world.chat_actions)

    def bot_status_in(self, group: FakeGroup) -> str:
        """Return the bot's status in a group."""
        return self.world.chats[group.id].bot_status

    def bot_is_member(self, group: FakeGroup) -> bool:
        """Return whether the bot is currently in the group."""
        return self.bot_status_in(group) in PRESENT_STATUSES
