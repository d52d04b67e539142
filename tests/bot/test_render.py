"""Templates: escaped, both languages, every refusal has a message."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from bot.render import environment, render, split_message
from coach import errors
from coach.models import Lang, Person, Schedule, Team
from coach.onboarding import Joined

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def team(name: str) -> Team:
    return Team(1, name, None, "Asia/Shanghai", Lang.ZH, Schedule(), NOW)


def refusal_codes() -> list[type[errors.CoachError]]:
    return [
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.CoachError)
        and cls is not errors.CoachError
    ]


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("error", refusal_codes(), ids=lambda cls: cls.code)
def test_every_refusal_has_a_message_in_both_languages(lang: Lang, error):
    values = {f.name: ("<x>" if f.type == "str" else 3) for f in fields(error)}
    text = render(lang, f"errors/{error.code}", **error(**values).context())
    assert text and "{{" not in text and "<x>" not in text


@pytest.mark.parametrize("lang", list(Lang))
def test_user_text_is_escaped(lang: Lang):
    hostile = "<b>x</b> & {{ 7*7 }} <script>"
    text = render(
        lang,
        "start/joined",
        joined=Joined(team(hostile), "rep", None),
        me=Person(1, "<i>me</i>", None, lang),
    )
    assert "&lt;b&gt;x&lt;/b&gt; &amp; {{ 7*7 }} &lt;script&gt;" in text
    assert "&lt;i&gt;me&lt;/i&gt;" in text and "49" not in text


def test_the_languages_differ():
    zh = render(
        Lang.ZH,
        "start/joined",
        joined=Joined(team("T"), "rep", None),
        me=Person(1, "A", None, Lang.ZH),
    )
    en = render(
        Lang.EN,
        "start/joined",
        joined=Joined(team("T"), "rep", None),
        me=Person(1, "A", None, Lang.EN),
    )
    assert "欢迎加入" in zh and "Welcome to" in en


def test_one_environment_with_autoescape():
    assert environment() is environment()
    assert environment().autoescape is True


def test_split_message_keeps_lines_whole():
    lines = [f"<b>line {i}</b> " + "字" * 90 for i in range(100)]
    parts = split_message("\n".join(lines), limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert "\n".join(parts) == "\n".join(lines)
    assert split_message("x" * 2500, limit=1000) == ["x" * 1000, "x" * 1000, "x" * 500]
