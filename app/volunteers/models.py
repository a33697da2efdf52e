from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, LargeBinary, SQLModel, Text

from app.base import WeeklySlotBase, utcnow


class LanguageLevel(StrEnum):
    """CEFR levels plus mother tongue, in ascending order."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    NATIVE = "native"


class Volunteer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", unique=True, ondelete="CASCADE")
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    phone: str = Field(default="", max_length=40)
    birth_date: date | None = None
    postcode: str = Field(default="", max_length=10)
    district_id: int = Field(foreign_key="district.id", ondelete="RESTRICT")
    travel_radius_km: int = Field(default=5, ge=0, le=100)
    # Skills and interests in the volunteer's own words, any language.
    about: str = Field(default="", sa_type=Text)
    max_active_pairings: int = Field(default=2, ge=1, le=10)
    # Erweitertes Führungszeugnis: we keep only the fact and when staff inspected it, never the document.
    certificate_inspected_on: date | None = None
    # The inspection date whose expiry the volunteer was last reminded of (app.volunteers.certificates).
    certificate_reminded_for: date | None = None
    paused: bool = False
    # Secret part of the address of the volunteer's calendar feed (app.calendar); None: no feed.
    calendar_token: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # The sentence embedding of the matching text (matching.embedding), kept so that matching never
    # recomputes it, and a hash of the text it was computed from (a changed text is embedded again).
    embedding: bytes | None = Field(default=None, sa_type=LargeBinary)
    embedding_key: str = Field(default="", max_length=64)


class VolunteerLanguage(SQLModel, table=True):
    __tablename__ = "volunteer_language"

    volunteer_id: int = Field(foreign_key="volunteer.id", primary_key=True, ondelete="CASCADE")
    # Indexed for the review queue's filter "the volunteer speaks this language".
    language_code: str = Field(foreign_key="language.code", primary_key=True, max_length=8, index=True)
    level: str = Field(max_length=10)


class VolunteerSkill(SQLModel, table=True):
    __tablename__ = "volunteer_skill"

    volunteer_id: int = Field(foreign_key="volunteer.id", primary_key=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, ondelete="CASCADE")


class VolunteerSlot(WeeklySlotBase, table=True):
    __tablename__ = "volunteer_slot"

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True, ondelete="CASCADE")
