"""What every feature's models share: naming convention, time, weekly slots, plain-row inserts."""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Field, Session, SQLModel

# Stable constraint names, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The largest id a row can have (PostgreSQL's integer); URLs and API fields with a larger one are refused
# before they reach the database, whose driver would fail on them instead of finding nothing.
MAX_ID = 2**31 - 1


def row_id(text: str) -> int:
    """A row id from a query parameter, for `request.args.get(..., type=row_id)`: others count as absent."""
    number = int(text)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not a row id: {text}")
    return number


WEEKDAYS = range(7)  # 0 = Monday, as datetime.weekday()


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Inserts plain rows (a profile's languages, skills and slots, a consent, new proposals) in one
    statement, in the session's transaction but past the ORM: no model object per row, no unit of
    work, no autoflush (the ORM's bulk path costs several times the statement itself). Columns the
    model fills in Python (default_factory) must be given in the rows."""
    if rows:
        session.connection().execute(insert(model.__table__), list(rows))  # type: ignore[attr-defined]


def utcnow() -> datetime:
    """Aware UTC; SQLModel's UTCDateTime stores it the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC)


# The city's clock: times are stored in UTC, and entered, shown and counted in days on this one.
CITY_TIME_ZONE = ZoneInfo("Europe/Berlin")


def local_today() -> date:
    """Today in the city: at 00:30 there, the day that has just begun, whatever UTC says."""
    return utcnow().astimezone(CITY_TIME_ZONE).date()


class WeeklySlotBase(SQLModel):
    """A recurring weekly time window, in minutes after midnight local time."""

    weekday: int = Field(ge=0, le=6)
    start_minute: int = Field(ge=0, le=24 * 60)
    end_minute: int = Field(ge=0, le=24 * 60)
