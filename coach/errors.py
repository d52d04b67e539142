"""Typed refusals. The adapter maps each ``code`` to a message template in the user's language."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import ClassVar


@dataclass(eq=False)
class CoachError(Exception):
    """A request the domain refuses; nothing it touched is stored."""

    code: ClassVar[str] = "error"

    def context(self) -> dict[str, object]:
        """Values a message about this refusal may show."""
        return asdict(self)


@dataclass(eq=False)
class NotInTeam(CoachError):
    code: ClassVar[str] = "not_in_team"


@dataclass(eq=False)
class NotAManager(CoachError):
    code: ClassVar[str] = "not_a_manager"
    team_name: str


@dataclass(eq=False)
class AlreadyInTeam(CoachError):
    code: ClassVar[str] = "already_in_team"
    team_name: str
    role: str


@dataclass(eq=False)
class AlreadyMember(CoachError):
    code: ClassVar[str] = "already_member"
    team_name: str
    role: str


@dataclass(eq=False)
class InviteInvalid(CoachError):
    code: ClassVar[str] = "invite_invalid"


@dataclass(eq=False)
class InviteRevoked(CoachError):
    code: ClassVar[str] = "invite_revoked"
    team_name: str


@dataclass(eq=False)
class InviteExpired(CoachError):
    code: ClassVar[str] = "invite_expired"
    team_name: str


@dataclass(eq=False)
class SoleManager(CoachError):
    """The last manager cannot walk away from a team."""

    code: ClassVar[str] = "sole_manager"
    team_name: str


@dataclass(eq=False)
class NotGroupAdmin(CoachError):
    code: ClassVar[str] = "not_group_admin"


@dataclass(eq=False)
class GroupOfOtherTeam(CoachError):
    code: ClassVar[str] = "group_of_other_team"


@dataclass(eq=False)
class InvalidText(CoachError):
    """A free-text field that is empty, too long or not plain text."""

    code: ClassVar[str] = "invalid_text"
    field: str
    reason: str
    limit: int


@dataclass(eq=False)
class UnknownTimezone(CoachError):
    code: ClassVar[str] = "unknown_timezone"
    value: str


@dataclass(eq=False)
class InvalidInviteTtl(CoachError):
    code: ClassVar[str] = "invalid_invite_ttl"
    value: str
    limit: int


@dataclass(eq=False)
class NotAPackFile(CoachError):
    """A document whose name is not that of a content pack (``.yaml`` or ``.yml``)."""

    code: ClassVar[str] = "not_a_pack_file"
    file_name: str


@dataclass(eq=False)
class PackWithoutTeam(CoachError):
    """A content pack from someone in no team: there is no team to import it into."""

    code: ClassVar[str] = "pack_without_team"


@dataclass(eq=False)
class PackTooBig(CoachError):
    code: ClassVar[str] = "pack_too_big"
    size: int
    limit: int


@dataclass(eq=False)
class PackNotUtf8(CoachError):
    """The pack file is not UTF-8 text; ``line`` is where the first bad byte is."""

    code: ClassVar[str] = "pack_not_utf8"
    line: int
