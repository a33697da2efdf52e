from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, Text

from app.base import utcnow


class HoursStatus(StrEnum):
    LOGGED = "logged"  # waiting for the partner or a coordinator
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class HoursEntry(SQLModel, table=True):
    """Time a volunteer spent on a pairing, as they logged it; it counts once confirmed."""

    __tablename__ = "hours_entry"

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True, ondelete="CASCADE")
    pairing_id: int = Field(foreign_key="pairing.id", index=True, ondelete="CASCADE")
    worked_on: date = Field(index=True)
    minutes: int = Field(ge=1, le=24 * 60)
    note: str = Field(default="", sa_type=Text)
    status: str = Field(default=HoursStatus.LOGGED, max_length=10, index=True)
    logged_at: datetime = Field(default_factory=utcnow)
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    reviewed_at: datetime | None = None
    review_reason: str = Field(default="", sa_type=Text)
