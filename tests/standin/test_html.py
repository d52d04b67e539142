"""Telegram HTML parsing: plain text, entity types and UTF-16 offsets, Telegram's errors."""

from __future__ import annotations

import html

import pytest

from bot.standin.html import HtmlParseError, parse_html
from bot.standin.text import find_bot_commands, strip_text, utf16_len


def test_simple_tags_become_entities() -> None:
    text, entities = parse_html(
        "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>"
    )
    assert text == "bold it u s x"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 4),
        ("italic", 5, 2),
        ("underline", 8, 1),
        ("strikethrough", 10, 1),
        ("spoiler", 12, 1),
    ]


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("strong", "bold"),
        ("em", "italic"),
        ("ins", "underline"),
        ("strike", "strikethrough"),
        ("del", "strikethrough"),
        ('span class="tg-spoiler"', "spoiler"),
        ("code", "code"),
        ("pre", "pre"),
        ("blockquote", "blockquote"),
        ("blockquote expandable", "expandable_blockquote"),
    ],
)
def test_tag_aliases(tag: str, kind: str) -> None:
    name = tag.split()[0]
    _, entities = parse_html(f"<{tag}>x</{name}>")
    assert entities == [{"offset": 0, "length": 1, "type": kind}]


def test_link_code_language_and_custom_emoji() -> None:
    text, entities = parse_html(
        '<a href="https://example.com/?a=1&amp;b=2">site</a> '
        '<pre><code class="language-python">x = 1</code></pre> '
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert text == "site x = 1 👍"
    assert entities == [
        {"offset": 0, "length": 4, "type": "text_link", "url": "https://example.com/?a=1&b=2"},
        {"offset": 5, "length": 5, "type": "pre", "language": "python"},
        {
            "offset": 11,
            "length": 2,
            "type": "custom_emoji",
            "custom_emoji_id": "5368324170671202286",
        },
    ]


def test_offsets_are_utf16_code_units() -> None:
    text, entities = parse_html("😀 <b>ок</b> 😀<i>x</i>")
    assert text == "😀 ок 😀x"
    assert entities == [
        {"offset": 3, "length": 2, "type": "bold"},
        {"offset": 8, "length": 1, "type": "italic"},
    ]


def test_nested_entities_sorted_outer_first() -> None:
    _, entities = parse_html("<b>a <i>b</i></b>")
    assert entities == [
        {"offset": 0, "length": 3, "type": "bold"},
        {"offset": 2, "length": 1, "type": "italic"},
    ]


def test_character_references_are_decoded() -> None:
    text, entities = parse_html("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#x27; &#128512;")
    assert text == "a <b> & \"c\" 'd' 😀"
    assert entities == []


def test_escaped_user_text_round_trips() -> None:
    hostile = "<script>alert('x')</script> & <b>not bold</b> 5 > 3"
    text, entities = parse_html(f"<b>Note:</b> {html.escape(hostile)}")
    assert text == f"Note: {hostile}"
    assert entities == [{"offset": 0, "length": 5, "type": "bold"}]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("a <br> b", 'Unsupported start tag "br" at byte offset 2'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="other">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("é <foo>", 'Unsupported start tag "foo" at byte offset 3'),
    ],
)
def test_invalid_html_is_rejected(source: str, message: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert message in str(caught.value)


def test_strict_mode_requires_escaping_ampersand_and_greater_than() -> None:
    with pytest.raises(HtmlParseError, match="must be escaped as &amp;"):
        parse_html("Q&A")
    with pytest.raises(HtmlParseError, match="must be escaped as &gt;"):
        parse_html("5 > 3")
    assert parse_html("Q&A 5 > 3 &nbsp;", strict=False) == ("Q&A 5 > 3 &nbsp;", [])


def test_empty_tag_produces_no_entity() -> None:
    assert parse_html("a<b></b>c") == ("ac", [])


def test_strip_clips_entities() -> None:
    text, entities = strip_text("  \n<x>  ", [{"offset": 3, "length": 5, "type": "bold"}])
    assert text == "<x>"
    assert entities == [{"offset": 0, "length": 3, "type": "bold"}]


def test_bot_command_entities_use_utf16_offsets() -> None:
    text = "😀 /report@SalesCoachBot now /help"
    assert find_bot_commands(text) == [
        {"offset": 3, "length": 21, "type": "bot_command"},
        {"offset": 29, "length": 5, "type": "bot_command"},
    ]
    assert find_bot_commands("a/b and http://x/y") == []
    assert utf16_len("😀") == 2


def test_long_plain_runs_keep_utf16_offsets_across_tags_and_references():
    # Plain text is emitted a run at a time (up to the next "&", "<" or ">"): the offsets must
    # still count UTF-16 units, astral emoji as two.
    text, entities = parse_html("早上好🌅 今天 <b>3+2 计划</b> &amp; 🎯<i>拜访 5</i>")
    assert text == "早上好🌅 今天 3+2 计划 & 🎯拜访 5"
    assert entities == [
        {"offset": 9, "length": 6, "type": "bold"},
        {"offset": 20, "length": 4, "type": "italic"},
    ]
    assert parse_html("a > b > c", strict=False) == ("a > b > c", [])
