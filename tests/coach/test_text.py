import pytest

from coach.errors import InvalidText
from coach.text import clean_line


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  华东一组 ", "华东一组"),
        ("East\t  team\n1", "East team 1"),
        ("<b>Team</b> {{ 7*7 }}", "<b>Team</b> {{ 7*7 }}"),  # stored as typed, escaped on output
        ("👨‍💼 Sales", "👨‍💼 Sales"),  # zero-width joiner kept inside an emoji
    ],
)
def test_clean_line_keeps_plain_text(raw: str, expected: str):
    assert clean_line(raw, field="team_name", limit=64) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        (None, "empty"),
        ("x" * 65, "too_long"),
        ("bad\u202ename", "not_plain"),  # right-to-left override
        ("nul\x00", "not_plain"),
    ],
)
def test_clean_line_refuses(raw: str | None, reason: str):
    with pytest.raises(InvalidText) as caught:
        clean_line(raw, field="team_name", limit=64)
    assert caught.value.reason == reason
    assert caught.value.context() == {"field": "team_name", "reason": reason, "limit": 64}
