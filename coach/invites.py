"""Invite tokens: random, unguessable, stored only as a hash."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from coach.models import Invite

TOKEN_BYTES = 18  # 144 bits; base64url makes 24 characters, well inside Telegram's 64
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    """A freshly made invite and the only copy of its token."""

    invite: Invite
    token: str


def new_token() -> str:
    """A fresh deep-link token (``/start`` payloads allow ``A-Z a-z 0-9 _ -`` only)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(text: str) -> bool:
    """Whether ``text`` could be a token at all (cheap check before any lookup)."""
    return bool(_TOKEN_SHAPE.match(text))


def is_expired(invite: Invite, now: datetime) -> bool:
    """Whether the invite's optional expiry has passed."""
    return invite.expires_at is not None and now >= invite.expires_at
