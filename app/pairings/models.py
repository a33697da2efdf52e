import secrets
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, Text

from app.base import utcnow


class PairingStatus(StrEnum):
    OFFERED = "offered"  # approved by a coordinator, waiting for the volunteer's answer
    DECLINED = "declined"  # the volunteer said no
    INTRODUCED = "introduced"  # the volunteer said yes; the partner knows whom to expect
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


# A volunteer's pairings in these states count against their maximum of active pairings.
BUSY_STATUSES = (PairingStatus.OFFERED, PairingStatus.INTRODUCED, PairingStatus.ACTIVE)


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
    ended_at: datetime | None = None
    end_reason: str = Field(default="", sa_type=Text)
