"""``clone``: the stand-in's copies of JSON data share nothing mutable with the original."""

from __future__ import annotations

from bot.standin.jsondata import clone


def test_a_clone_is_equal_and_independent():
    original = {
        "message_id": 7,
        "text": "拜访 5",
        "entities": [{"type": "bold", "offset": 0, "length": 2, "user": {"id": 1}}],
        "reply_markup": {"inline_keyboard": [[{"text": "✅", "callback_data": "t:1"}]]},
        "pair": ({"a": [1]}, None),
        "flag": True,
    }
    copy = clone(original)
    assert copy == original
    copy["entities"][0]["user"]["id"] = 2
    copy["reply_markup"]["inline_keyboard"][0].append({"text": "x"})
    copy["pair"][0]["a"].append(2)
    assert original["entities"][0]["user"] == {"id": 1}
    assert len(original["reply_markup"]["inline_keyboard"][0]) == 1
    assert original["pair"][0] == {"a": [1]}
