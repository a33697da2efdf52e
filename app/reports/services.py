"""The funder's statistics: raw figures per district, month, target group and language, counted by
GROUP BY queries in the database (SQLite and PostgreSQL alike). Suppression happens later (tables.py)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, distinct, extract, func, or_, select
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
ANSWERED_YES = (
    PairingStatus.INTRODUCED,
    PairingStatus.MEETING,
    PairingStatus.ACTIVE,
    PairingStatus.COMPLETED,
    PairingStatus.ENDED_EARLY,
)
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
    """Where one figure is counted: the rows (frame), what counts, and each dimension's column."""

    frame: Callable[[Select[Any]], Select[Any]]  # adds FROM, joins and the figure's own conditions
    value: ColumnElement[Any]
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


def _sources() -> dict[str, Source]:
    answered = col(Pairing.answered_at).is_not(None)
    decided = col(Proposal.status).in_((ProposalStatus.APPROVED, ProposalStatus.REJECTED))
    return {
        "volunteers": Source(
            frame=lambda query: query.select_from(Volunteer),
            value=func.count(distinct(col(Volunteer.id))),
            when=col(Volunteer.created_at),
            district=col(Volunteer.district_id),
            target_group=None,
            volunteer=col(Volunteer.id),
        ),
        "needs": Source(
            frame=lambda query: query.select_from(Need),
            value=func.count(),
            when=col(Need.created_at),
            district=col(Need.district_id),
            target_group=col(Need.target_group),
            volunteer=None,
        ),
        "proposals": Source(
            frame=_need_frame(Proposal),
            value=func.count(),
            when=col(Proposal.computed_at),
            district=col(Need.district_id),
            target_group=col(Need.target_group),
            volunteer=col(Proposal.volunteer_id),
        ),
        "proposals_decided": Source(
            frame=_need_frame(Proposal, decided),
            value=func.count(),
            when=col(Proposal.decided_at),
            district=col(Need.district_id),
            target_group=col(Need.target_group),
            volunteer=col(Proposal.volunteer_id),
        ),
        "proposals_approved": Source(
            frame=_need_frame(Proposal, col(Proposal.status) == ProposalStatus.APPROVED),
            value=func.count(),
            when=col(Proposal.decided_at),
            district=col(Need.district_id),
            target_group=col(Need.target_group),
            volunteer=col(Proposal.volunteer_id),
        ),
        "offers_answered": Source(
            frame=_need_frame(Pairing, answered, col(Pairing.status) != PairingStatus.OFFERED),
            value=func.count(),
            when=col(Pairing.answered_at),
            district=col(Need.district_id),
            target_group=col(Need.target_group),
            volunteer=col(Pairing.volunteer_id),
        ),
        "pairings": Source(
            frame=_need_frame(Pairing, answered, col(Pairing.status).in_(ANSWERED_YES)),
            value=func.count(),
            when=col(Pairing.answered_at),
            district=col(Need.district_id),
            target_group=col(Need.target_group),
            volunteer=col(Pairing.volunteer_id),
        ),
        "hours_minutes": Source(
            frame=_hours_frame,
            value=func.coalesce(func.sum(col(HoursEntry.minutes)), 0),
            when=col(HoursEntry.worked_on),
            district=col(Need.district_id),
            target_group=col(Need.target_group),
            volunteer=col(HoursEntry.volunteer_id),
            day_column=True,
        ),
        "hours_volunteers": Source(
            frame=_hours_frame,
            value=func.count(distinct(col(HoursEntry.volunteer_id))),
            when=col(HoursEntry.worked_on),
            district=col(Need.district_id),
            target_group=col(Need.target_group),
            volunteer=col(HoursEntry.volunteer_id),
            day_column=True,
        ),
    }


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
    for figure, source in _sources().items():
        totals[figure] = _grouped(session, source, TOTAL, period, district_ids, postgres).get(TOTAL, 0)
        for dimension in DIMENSIONS:
            by[dimension][figure] = _grouped(session, source, dimension, period, district_ids, postgres)
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
) -> Counts:
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
    query = source.frame(select(*keys, source.value)).where(source.when >= start, source.when < end)
    if district_ids is not None:
        query = query.where(source.district.in_(district_ids))
    if dimension == "language":
        query = query.join(VolunteerLanguage, col(VolunteerLanguage.volunteer_id) == source.volunteer)
    if keys:
        query = query.group_by(*keys)
    return {_key(dimension, row): int(row[-1] or 0) for row in session.execute(query)}


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
