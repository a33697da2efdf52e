import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, Text, UniqueConstraint

from app.base import utcnow


class PairingStatus(StrEnum):
    OFFERED = "offered"  # approved by a coordinator, waiting for the volunteer's answer
    DECLINED = "declined"  # the volunteer said no
    INTRODUCED = "introduced"  # the volunteer said yes; the partner knows whom to expect
    MEETING = "meeting"  # a first meeting is arranged (first_meeting_at)
    ACTIVE = "active"  # they met and go on; check-ins count from started_on
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


# A volunteer's pairings in these states count against their maximum of active pairings.
BUSY_STATUSES = (
    PairingStatus.OFFERED,
    PairingStatus.INTRODUCED,
    PairingStatus.MEETING,
    PairingStatus.ACTIVE,
)


def new_response_token() -> str:
    return secrets.token_urlsafe(24)


class Pairing(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", unique=True, ondelete="SET NULL")
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True, ondelete="CASCADE")
    need_id: int = Field(foreign_key="need.id", index=True, ondelete="CASCADE")
    status: str = Field(default=PairingStatus.OFFERED, max_length=12, index=True)
    # The volunteer answers through a link in the offer mail.
    response_token: str = Field(default_factory=new_response_token, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None
    # The first meeting (aware UTC like every time here; forms and pages show the city's local time).
    first_meeting_at: datetime | None = None
    first_meeting_place: str = Field(default="", max_length=200)
    started_on: date | None = None  # the day it became active
    ended_at: datetime | None = None
    end_reason: str = Field(default="", sa_type=Text)


class CheckInParty(StrEnum):
    VOLUNTEER = "volunteer"
    PARTNER = "partner"  # the organisation, answered by any of its staff through the mailed link


class CheckInRating(StrEnum):
    GOOD = "good"
    MIXED = "mixed"  # some difficulties
    POOR = "poor"  # not working; a coordinator should step in


# Weeks after the start of an active pairing at which both sides are asked how it goes.
CHECK_IN_WEEKS = (4, 12)


class CheckIn(SQLModel, table=True):
    """A question to one side of an active pairing, "how is it going?", and the answer once given."""

    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("pairing_id", "week", "party"),)

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True, ondelete="CASCADE")
    week: int  # one of CHECK_IN_WEEKS
    party: str = Field(max_length=10)  # CheckInParty
    # The link in the mail is the credential, as for offers: answered on a phone without logging in.
    token: str = Field(default_factory=new_response_token, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None  # None: the mail failed and is sent again on the next run
    answered_at: datetime | None = None
    rating: str = Field(default="", max_length=10)  # CheckInRating once answered
    comment: str = Field(default="", sa_type=Text)
