"""Callback data: typed, bounded to 64 bytes, decoded in one place."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import pytest

from bot.keyboards import BadCallbackData, CallbackData, ChooseLanguage, ConfirmMove, SkipRegion
from coach.invites import new_token
from coach.models import Lang


@pytest.mark.parametrize(
    "data",
    [
        ChooseLanguage(Lang.EN),
        ConfirmMove(new_token(), True),
        ConfirmMove("t" * 24, False),
        SkipRegion(),
    ],
)
def test_round_trip(data: CallbackData):
    packed = data.pack()
    assert len(packed.encode()) <= 64
    assert type(data).pattern().match(packed)
    assert type(data).unpack(packed) == data


@pytest.mark.parametrize(
    ("family", "raw"),
    [
        (ChooseLanguage, "lang:fr"),
        (ChooseLanguage, "lang"),
        (ChooseLanguage, "move:zh"),
        (ConfirmMove, "move:abc:2"),
        (ConfirmMove, "move::1"),
        (ConfirmMove, "move:abc:1:extra"),
        (ConfirmMove, None),
    ],
)
def test_forged_or_stale_data_is_refused(family: type[CallbackData], raw: str | None):
    with pytest.raises(BadCallbackData):
        family.unpack(raw)


def test_prefixes_do_not_shadow_each_other():
    assert not ChooseLanguage.pattern().match("language:zh")


def test_over_long_data_is_caught_when_the_button_is_built():
    @dataclasses.dataclass(frozen=True)
    class Big(CallbackData):
        prefix: ClassVar[str] = "big"
        blob: str

    with pytest.raises(ValueError, match="64 bytes"):
        Big("x" * 70).pack()
