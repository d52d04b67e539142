"""Telegram ``parse_mode="HTML"`` validation and conversion to plain text plus entities.

Supported like Telegram: ``b strong i em u ins s strike del``, ``span class="tg-spoiler"``,
``tg-spoiler``, ``a href``, ``code`` (``class="language-x"`` inside ``pre``), ``pre``,
``blockquote`` (``expandable``) and ``tg-emoji emoji-id``. Entities ``&lt; &gt; &amp; &quot;``
and numeric references (``&#39;``, ``&#x27;``) are decoded. Error texts follow Telegram's
(``Unsupported start tag "x" at byte offset N`` ...).

Strict mode (the stand-in default) additionally rejects a bare ``&`` or ``>`` that real
Telegram would silently keep: the Bot API documentation requires them to be escaped, and
unescaped user text is exactly the bug the stand-in should reveal. ``strict=False`` gives
Telegram's lenient behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.standin.text import Entity, sort_entities, utf16_len

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
        "span", "tg-spoiler", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip

_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}

_PLAIN_RUN = re.compile(r"[^&<>]+")
"""Text up to the next character that means markup: emitted in one piece."""

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; str() is Telegram's explanation."""


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    chars: int


class _Parser:
    def __init__(self, source: str, strict: bool) -> None:
        self.src = source
        self.strict = strict
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0  # UTF-16 offset in the produced text
        self.chars = 0  # Python string length of the produced text
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.offset += utf16_len(chars)
        self.chars += len(chars)

    def peek(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def run(self) -> tuple[str, list[Entity]]:
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "&":
                decoded, end = decode_entity(src, self.pos)
                if decoded is None:
                    if self.strict:
                        raise HtmlParseError(
                            f'Character "&" at byte offset {self.byte_offset(self.pos)} '
                            "must be escaped as &amp;"
                        )
                    self.emit("&")
                    self.pos += 1
                else:
                    self.emit(decoded)
                    self.pos = end
            elif char == ">" and self.strict:
                raise HtmlParseError(
                    f'Character ">" at byte offset {self.byte_offset(self.pos)} '
                    "must be escaped as &gt;"
                )
            elif char == "<":
                if self.peek(self.pos + 1) == "/":
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                plain = _PLAIN_RUN.match(src, self.pos)
                if plain is None:  # a lone ">" in lenient mode
                    self.emit(char)
                    self.pos += 1
                else:
                    self.emit(plain.group())
                    self.pos = plain.end()
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        return "".join(self.out), sort_entities(self.entities)

    def skip_spaces(self, index: int) -> int:
        while index < len(self.src) and self.src[index].isspace():
            index += 1
        return index

    def start_tag(self) -> None:
        src, begin = self.src, self.pos
        index = begin + 1
        while index < len(src) and not src[index].isspace() and src[index] != ">":
            index += 1
        if index >= len(src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = src[begin + 1 : index].lower()
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attributes, index = self.attributes(name, begin, index)
        self.pos = index + 1
        argument = self.tag_argument(name, attributes, begin)
        self.stack.append(_OpenTag(name, argument, self.offset, self.chars))

    def attributes(self, tag: str, begin: int, index: int) -> tuple[dict[str, str], int]:
        src = self.src
        found: dict[str, str] = {}
        while True:
            index = self.skip_spaces(index)
            if index >= len(src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if src[index] == ">":
                return found, index
            name_start = index
            while index < len(src) and not src[index].isspace() and src[index] not in "=>":
                index += 1
            attr = src[name_start:index].lower()
            if not attr:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            index = self.skip_spaces(index)
            if self.peek(index) != "=":
                found[attr] = ""
                continue
            index = self.skip_spaces(index + 1)
            if index >= len(src):
                raise HtmlParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            value, index = self.attribute_value(index, begin)
            found[attr] = value

    def attribute_value(self, index: int, begin: int) -> tuple[str, int]:
        src = self.src
        quote = src[index]
        if quote in "\"'":
            index += 1
            chars: list[str] = []
            while index < len(src) and src[index] != quote:
                if src[index] == "&":
                    decoded, end = decode_entity(src, index)
                    if decoded is not None:
                        chars.append(decoded)
                        index = end
                        continue
                chars.append(src[index])
                index += 1
            if index >= len(src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            return "".join(chars), index + 1
        token_start = index
        while index < len(src) and (src[index].isalnum() or src[index] in ".-"):
            index += 1
        if index < len(src) and not src[index].isspace() and src[index] != ">":
            raise HtmlParseError(
                f"Unexpected end of name token at byte offset {self.byte_offset(token_start)}"
            )
        return src[token_start:index].lower(), index

    def tag_argument(self, name: str, attributes: dict[str, str], begin: int) -> str:
        if name == "a":
            return attributes.get("href", "")
        if name == "code":
            language = attributes.get("class", "")
            return language[len("language-") :] if language.startswith("language-") else ""
        if name == "span":
            if attributes.get("class") != "tg-spoiler":
                raise HtmlParseError(
                    'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            return ""
        if name == "tg-emoji":
            emoji_id = attributes.get("emoji-id", "")
            if not emoji_id:
                raise HtmlParseError(
                    'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            return emoji_id
        if name == "blockquote":
            return "expandable" if "expandable" in attributes else ""
        return ""

    def end_tag(self) -> None:
        src, begin = self.src, self.pos
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        index = begin + 2
        while index < len(src) and not src[index].isspace() and src[index] != ">":
            index += 1
        end_name = src[begin + 2 : index].lower()
        index = self.skip_spaces(index)
        if self.peek(index) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.stack.pop()
        if end_name and end_name != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        self.pos = index + 1
        if self.offset > tag.offset:
            self.close_entity(tag)

    def close_entity(self, tag: _OpenTag) -> None:
        start, length = tag.offset, self.offset - tag.offset
        entity: Entity = {"offset": start, "length": length}
        if tag.name in _SIMPLE_TYPES:
            entity["type"] = _SIMPLE_TYPES[tag.name]
        elif tag.name == "a":
            entity["type"] = "text_link"
            entity["url"] = tag.argument or "".join(self.out)[tag.chars :]
        elif tag.name == "code":
            entity["type"] = "code"
            if tag.argument:
                entity["language"] = tag.argument
        elif tag.name == "pre":
            entity["type"] = "pre"
            last = self.entities[-1] if self.entities else None
            if (
                last
                and last["type"] == "code"
                and (last["offset"], last["length"])
                == (
                    start,
                    length,
                )
            ):
                self.entities.pop()
                if "language" in last:
                    entity["language"] = last["language"]
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
        else:  # tg-emoji
            entity["type"] = "custom_emoji"
            entity["custom_emoji_id"] = tag.argument
        self.entities.append(entity)


def decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode the HTML character reference at ``text[pos] == "&"``; (None, pos) if there is none."""
    index = pos + 1
    if text[index : index + 1] == "#":
        index += 1
        hexadecimal = text[index : index + 1] in ("x", "X")
        if hexadecimal:
            index += 1
        digits_start = index
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while index < len(text) and text[index] in allowed:
            index += 1
        digits = text[digits_start:index]
        if not digits:
            return None, pos
        code = int(digits, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, pos
        decoded = chr(code)
    else:
        while index < len(text) and text[index].isascii() and text[index].isalpha():
            index += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : index])
        if named is None:
            return None, pos
        decoded = named
    if text[index : index + 1] == ";":
        index += 1
    return decoded, index


def parse_html(source: str, *, strict: bool = True) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into (plain text, entities with UTF-16 offsets); raise HtmlParseError."""
    return _Parser(source, strict).run()
