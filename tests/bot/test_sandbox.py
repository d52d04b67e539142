"""The sandbox terminal: numbered buttons, and files the bot sends saved to disk."""

from __future__ import annotations

import io
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import Terminal
from bot.standin import StandIn
from tests.bot.conftest import TOKEN


async def test_files_are_saved_and_buttons_numbered(standin: StandIn, tmp_path: Path):
    user = standin.add_user(first_name="Li", username="li", language_code="zh")
    user.send("/start")  # the bot may write to people who started it
    async with Bot(TOKEN, base_url=standin.base_url, base_file_url=standin.base_file_url) as bot:
        await bot.send_document(user.id, b"week,visits\n47,10\n", filename="report.csv")
        await bot.send_photo(user.id, standin_png(), caption="board")
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("中文", callback_data="lang:zh"),
                    InlineKeyboardButton("English", callback_data="lang:en"),
                ]
            ]
        )
        await bot.send_message(user.id, "pick", reply_markup=keyboard)

    out = io.StringIO()
    terminal = Terminal(out=out, files=tmp_path / "files")
    for message in standin.sent_messages(user.id):
        terminal.show(message, {user.id: "li"})

    saved = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert len(saved) == 2 and saved[0].endswith("report.csv")
    assert (tmp_path / "files" / saved[0]).read_bytes() == b"week,visits\n47,10\n"
    printed = out.getvalue()
    assert f"(file saved: {tmp_path / 'files'}" in printed
    assert "[1] 中文  [2] English" in printed
    assert terminal.last_buttons[user.id].text == "pick"


def standin_png() -> bytes:
    from bot.standin.media import tiny_png

    return tiny_png()


async def test_quiz_polls_are_shown_and_voted_and_files_sent(standin: StandIn, tmp_path: Path):
    from bot.sandbox import _act

    user = standin.add_user(first_name="Li", username="li", language_code="zh")
    user.send("/start")
    group = standin.add_group("Team", members={user: "creator"})
    async with Bot(TOKEN, base_url=standin.base_url) as bot:
        await bot.send_poll(
            user.id, "Which plan?", ["Basic", "Pro"], type="quiz", correct_option_ids=[1],
            is_anonymous=False,
        )  # fmt: skip
    out = io.StringIO()
    terminal = Terminal(out=out, files=tmp_path / "files", personas={"li": user}, me="li")
    for message in standin.sent_messages(user.id):
        terminal.show(message, {user.id: "li"})
    assert "📊 Which plan?\n  (1) Basic\n  (2) Pro\n  (:vote N to answer)" in out.getvalue()

    update = _act(":vote 2", terminal, standin, group, {user.id: "li"})
    assert update is not None and update["poll_answer"]["option_ids"] == [1]

    pack = tmp_path / "team.yaml"
    pack.write_text("schema: 1\n", encoding="utf-8")
    sent = _act(f":file {pack}", terminal, standin, group, {user.id: "li"})
    assert sent is not None and sent["message"]["document"]["file_name"] == "team.yaml"
    assert _act(":file /no/such.yaml", terminal, standin, group, {}) is None
    assert "(no file /no/such.yaml)" in out.getvalue()
