from datetime import date, datetime
from enum import StrEnum

from sqlmodel import JSON, Column, Field, LargeBinary, SQLModel, Text

from app.base import WeeklySlotBase, utcnow


class NeedStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Schedule(StrEnum):
    WEEKLY = "weekly"  # recurring weekly slots between start_date and end_date
    ONE_OFF = "one_off"  # a single date, with its time window as a slot on that weekday


class TargetGroup(StrEnum):
    CHILDREN = "children"
    YOUTH = "youth"
    FAMILIES = "families"
    WOMEN = "women"
    SENIORS = "seniors"
    NEWCOMERS = "newcomers"
    EVERYONE = "everyone"


class Need(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=160)
    description: str = Field(default="", sa_type=Text)
    district_id: int = Field(foreign_key="district.id", ondelete="RESTRICT")
    address: str = Field(default="", max_length=200)
    schedule: str = Field(default=Schedule.WEEKLY, max_length=10)
    one_off_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    places: int = Field(default=1, ge=1, le=50)
    target_group: str = Field(default=TargetGroup.EVERYONE, max_length=20)
    requires_certificate: bool = False
    min_age: int | None = Field(default=None, ge=0, le=99)
    status: str = Field(default=NeedStatus.OPEN, max_length=10, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # The sentence embedding of the matching text (matching.embedding), kept so that matching never
    # recomputes it, and a hash of the text it was computed from (a changed text is embedded again).
    embedding: bytes | None = Field(default=None, sa_type=LargeBinary)
    embedding_key: str = Field(default="", max_length=64)
    # From the last matching of this need: {constraint: how many more volunteers would qualify if only
    # that requirement were relaxed}, counts above 0 only; None while it was not counted (or is paused
    # or full). Written by the matching worker, which leaves updated_at alone: that marks profile edits.
    qualify_if_relaxed: dict[str, int] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    qualify_counted_at: datetime | None = None


class NeedLanguage(SQLModel, table=True):
    __tablename__ = "need_language"

    need_id: int = Field(foreign_key="need.id", primary_key=True, ondelete="CASCADE")
    language_code: str = Field(foreign_key="language.code", primary_key=True, max_length=8)
    # Required languages are a hard constraint; the others are welcome, a bonus.
    required: bool = False


class NeedSkill(SQLModel, table=True):
    __tablename__ = "need_skill"

    need_id: int = Field(foreign_key="need.id", primary_key=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, ondelete="CASCADE")


class NeedSlot(WeeklySlotBase, table=True):
    __tablename__ = "need_slot"

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True, ondelete="CASCADE")
