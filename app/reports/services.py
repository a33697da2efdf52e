"""The funder's statistics: raw figures per district, month, target group and language, counted by
GROUP BY queries in the database (SQLite and PostgreSQL alike). Suppression happens later (tables.py)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, distinct, extract, func, or_, select
from sqlmodel import Session, col

from app.hours.models import HoursEntry, HoursStatus
from app.needs.models import Need
from app.pairings.models import Pairing, PairingStatus
from app.proposals.models import Proposal, ProposalStatus
from app.volunteers.models import Volunteer, VolunteerLanguage

DIMENSIONS = ("district", "month", "target_group", "language")
TOTAL = "total"
# Raw counts behind the page's columns; the rates are computed from pairs of them (tables.py).
FIGURES = (
    "volunteers",  # registered in the period (Volunteer.created_at)
    "active_volunteers",  # with a pairing that ran (first meeting arranged or active) during the period
    "needs",  # posted in the period
    "proposals",  # computed by the matcher in the period
    "proposals_decided",  # approved or rejected by a coordinator in the period
    "proposals_approved",
    "offers_answered",  # offers the volunteer answered in the period (yes or no)
    "pairings",  # offers answered "yes": introduced, then first meeting, active, completed or ended early
    "hours_minutes",  # confirmed hours worked in the period
    "hours_volunteers",  # distinct volunteers behind those hours (decides their suppression)
)
# Pairings that have run: their volunteer was active while the pairing lasted.
RUNNING = (PairingStatus.MEETING, PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.ENDED_EARLY)
ANSWERED_YES = (PairingStatus.INTRODUCED, *RUNNING)
Key = str | int
Counts = dict[Key, int]


@dataclass(frozen=True)
class Period:
    """Whole calendar months, from the first day of `first` to the end of the month of `last`."""

    first: date  # first day of the first month
    last: date  # first day of the last month

    @property
    def end(self) -> date:
        """The first day after the period."""
        return _next_month(self.last)

    @property
    def start_at(self) -> datetime:
        return datetime(self.first.year, self.first.month, 1, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        return datetime(self.end.year, self.end.month, 1, tzinfo=UTC)

    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = _next_month(month)
        return months


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def last_months(today: date, count: int = 12) -> Period:
    """The `count` calendar months up to and including today's (the page's default)."""
    last = today.replace(day=1)
    first = last
    for _ in range(count - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return Period(first, last)


@dataclass(frozen=True)
class Source:
    """Where figures are counted: the rows (frame), what counts (figure -> aggregate), and each
    dimension's column."""

    frame: Callable[[Select[Any]], Select[Any]]  # adds FROM, joins and the figures' own conditions
    values: dict[str, ColumnElement[Any]]
    when: Any  # the date or datetime that puts a row into the period and a month
    district: Any
    target_group: Any | None  # None: the figure has no target group (volunteers)
    volunteer: Any | None  # None: no volunteer, so no language (needs)
    day_column: bool = False  # `when` is a date, not a datetime


def _need_frame(model: Any, *conditions: ColumnElement[bool]) -> Callable[[Select[Any]], Select[Any]]:
    def frame(query: Select[Any]) -> Select[Any]:
        return query.select_from(model).join(Need, col(Need.id) == model.need_id).where(*conditions)

    return frame


def _hours_frame(query: Select[Any]) -> Select[Any]:
    return (
        query.select_from(HoursEntry)
        .join(Pairing, col(Pairing.id) == col(HoursEntry.pairing_id))
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .where(col(HoursEntry.status) == HoursStatus.CONFIRMED)
    )


def _yes(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """How many of the counted rows meet the condition."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sources() -> list[Source]:
    """Figures counted from the same rows share a query."""
    answered = col(Pairing.answered_at).is_not(None)
    decided = col(Proposal.status).in_((ProposalStatus.APPROVED, ProposalStatus.REJECTED))
    need_columns: dict[str, Any] = {"district": col(Need.district_id), "target_group": col(Need.target_group)}
    return [
        Source(
            frame=lambda query: query.select_from(Volunteer),
            values={"volunteers": func.count(distinct(col(Volunteer.id)))},
            when=col(Volunteer.created_at),
            district=col(Volunteer.district_id),
            target_group=None,
            volunteer=col(Volunteer.id),
        ),
        Source(
            frame=lambda query: query.select_from(Need),
            values={"needs": func.count()},
            when=col(Need.created_at),
            volunteer=None,
            **need_columns,
        ),
        Source(
            frame=_need_frame(Proposal),
            values={"proposals": func.count()},
            when=col(Proposal.computed_at),
            volunteer=col(Proposal.volunteer_id),
            **need_columns,
        ),
        Source(
            frame=_need_frame(Proposal, decided),
            values={
                "proposals_decided": func.count(),
                "proposals_approved": _yes(col(Proposal.status) == ProposalStatus.APPROVED),
            },
            when=col(Proposal.decided_at),
            volunteer=col(Proposal.volunteer_id),
            **need_columns,
        ),
        Source(
            frame=_need_frame(Pairing, answered, col(Pairing.status) != PairingStatus.OFFERED),
            values={
                "offers_answered": func.count(),
                "pairings": _yes(col(Pairing.status).in_(ANSWERED_YES)),
            },
            when=col(Pairing.answered_at),
            volunteer=col(Pairing.volunteer_id),
            **need_columns,
        ),
        Source(
            frame=_hours_frame,
            values={
                "hours_minutes": func.coalesce(func.sum(col(HoursEntry.minutes)), 0),
                "hours_volunteers": func.count(distinct(col(HoursEntry.volunteer_id))),
            },
            when=col(HoursEntry.worked_on),
            volunteer=col(HoursEntry.volunteer_id),
            day_column=True,
            **need_columns,
        ),
    ]


@dataclass
class Figures:
    """Raw counts: figures[figure][dimension][key], and totals[figure]."""

    period: Period
    totals: dict[str, int]
    by: dict[str, dict[str, Counts]]  # dimension -> figure -> key -> count


def statistics(*, session: Session, period: Period, district_ids: Sequence[int] | None) -> Figures:
    """Every figure in total and per dimension, for the period and the districts (None: all)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    by: dict[str, dict[str, Counts]] = {dimension: {} for dimension in DIMENSIONS}
    totals: dict[str, int] = {}
    for source in _sources():
        for figure, counts in _grouped(session, source, TOTAL, period, district_ids, postgres).items():
            totals[figure] = counts.get(TOTAL, 0)
        for dimension in DIMENSIONS:
            by[dimension].update(_grouped(session, source, dimension, period, district_ids, postgres))
    totals["active_volunteers"] = _active(session, period, district_ids, None).get(TOTAL, 0)
    for dimension in ("district", "target_group", "language"):
        by[dimension]["active_volunteers"] = _active(session, period, district_ids, dimension)
    # Running pairings overlap months instead of falling into one, so each month is a query of its own.
    by["month"]["active_volunteers"] = {
        month_key(month): _active(session, Period(month, month), district_ids, None).get(TOTAL, 0)
        for month in period.months()
    }
    return Figures(period=period, totals=totals, by=by)


def _month_columns(when: Any, day_column: bool, postgres: bool) -> list[Any]:
    # Months in UTC on both databases: PostgreSQL would otherwise use the session's time zone.
    moment = when if day_column or not postgres else func.timezone("UTC", when)
    return [extract("year", moment), extract("month", moment)]


def _grouped(
    session: Session,
    source: Source,
    dimension: str,
    period: Period,
    district_ids: Sequence[int] | None,
    postgres: bool,
) -> dict[str, Counts]:
    """{figure: {key: count}} of the source's figures, grouped by the dimension."""
    if dimension == "target_group" and source.target_group is None:
        return {}
    if dimension == "language" and source.volunteer is None:
        return {}
    keys: list[Any] = {
        TOTAL: [],
        "district": [source.district],
        "month": _month_columns(source.when, source.day_column, postgres),
        "target_group": [source.target_group],
        "language": [col(VolunteerLanguage.language_code)],
    }[dimension]
    start, end = (period.first, period.end) if source.day_column else (period.start_at, period.end_at)
    values = list(source.values.values())
    query = source.frame(select(*keys, *values)).where(source.when >= start, source.when < end)
    if district_ids is not None:
        query = query.where(source.district.in_(district_ids))
    if dimension == "language":
        query = query.join(VolunteerLanguage, col(VolunteerLanguage.volunteer_id) == source.volunteer)
    if keys:
        query = query.group_by(*keys)
    found: dict[str, Counts] = {figure: {} for figure in source.values}
    for row in session.execute(query):
        key = _key(dimension, row)
        for figure, value in zip(source.values, row[len(keys) :], strict=True):
            if value:  # absent means 0, as for keys without rows
                found[figure][key] = int(value)
    return found


def _key(dimension: str, row: Sequence[Any]) -> Key:
    if dimension == TOTAL:
        return TOTAL
    if dimension == "month":
        return f"{int(row[0]):04d}-{int(row[1]):02d}"
    value: Key = row[0]
    return value


def _active(
    session: Session, period: Period, district_ids: Sequence[int] | None, dimension: str | None
) -> Counts:
    """Distinct volunteers with a pairing that ran during the period: started (started_on) before its end
    and not ended before its start, or with a first meeting arranged (from the day it was offered)."""
    began = or_(
        and_(col(Pairing.started_on).is_not(None), col(Pairing.started_on) < period.end),
        and_(col(Pairing.status) == PairingStatus.MEETING, col(Pairing.created_at) < period.end_at),
    )
    not_ended = or_(col(Pairing.ended_at).is_(None), col(Pairing.ended_at) >= period.start_at)
    keys_by_dimension: dict[str | None, list[Any]] = {
        None: [],
        "district": [col(Need.district_id)],
        "target_group": [col(Need.target_group)],
        "language": [col(VolunteerLanguage.language_code)],
    }
    keys = keys_by_dimension[dimension]
    query = (
        select(*keys, func.count(distinct(col(Pairing.volunteer_id))))
        .select_from(Pairing)
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .where(col(Pairing.status).in_(RUNNING), began, not_ended)
    )
    if district_ids is not None:
        query = query.where(col(Need.district_id).in_(district_ids))
    if dimension == "language":
        speaks = col(VolunteerLanguage.volunteer_id) == col(Pairing.volunteer_id)
        query = query.join(VolunteerLanguage, speaks)
    if keys:
        query = query.group_by(*keys)
    return {row[0] if keys else TOTAL: int(row[-1]) for row in session.execute(query)}
