"""A volunteer's appointments as an iCalendar feed: first meetings, weekly slots, one-off dates."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event, vRecur
from sqlmodel import Session, col, select

from app.base import CITY_TIME_ZONE, utcnow
from app.needs.models import Need, NeedSlot, Schedule
from app.pairings.models import Pairing, PairingStatus
from app.partners.models import Organisation
from app.volunteers.models import Volunteer

FIRST_MEETING_LENGTH = timedelta(hours=1)
REFRESH_INTERVAL = timedelta(hours=6)  # how often calendar apps should fetch the feed again
# Pairings whose appointments are in the feed; an introduced one only for its arranged first meeting.
IN_FEED = (PairingStatus.INTRODUCED, PairingStatus.MEETING, PairingStatus.ACTIVE)


@dataclass
class Appointments:
    pairing: Pairing
    need: Need
    organisation: Organisation
    slots: list[NeedSlot]


def appointments(*, session: Session, volunteer_id: int) -> list[Appointments]:
    """The volunteer's pairings that belong in the feed, with their need, organisation and slots."""
    rows = session.exec(
        select(Pairing, Need, Organisation)
        .join(Need, col(Need.id) == col(Pairing.need_id))
        .join(Organisation, col(Organisation.id) == col(Need.organisation_id))
        .where(Pairing.volunteer_id == volunteer_id, col(Pairing.status).in_(IN_FEED))
        .order_by(col(Pairing.id))
    ).all()
    rows = [
        row
        for row in rows
        if row[0].status != PairingStatus.INTRODUCED or row[0].first_meeting_at is not None
    ]
    need_ids = [need.id for _pairing, need, _organisation in rows]
    slots: dict[int, list[NeedSlot]] = {}
    query = select(NeedSlot).where(col(NeedSlot.need_id).in_(need_ids)).order_by(col(NeedSlot.weekday))
    for slot in session.exec(query):
        slots.setdefault(slot.need_id, []).append(slot)
    return [Appointments(p, n, o, slots.get(n.id or 0, [])) for p, n, o in rows]


def _local(day: date, minute: int) -> datetime:
    """A day and a minute after local midnight (1440 is the next midnight) as an aware Berlin time."""
    return datetime.combine(day, time(), CITY_TIME_ZONE) + timedelta(minutes=minute)


def _place(item: Appointments) -> str:
    return ", ".join(part for part in (item.organisation.name, item.need.address) if part)


def _first_weekday_from(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _events(item: Appointments, domain: str) -> Iterator[Event]:
    pairing, need = item.pairing, item.need
    description = _("Organisation: %(organisation)s", organisation=item.organisation.name)
    if pairing.first_meeting_at is not None:
        start = pairing.first_meeting_at.astimezone(CITY_TIME_ZONE)
        yield Event.new(
            uid=f"pairing-{pairing.id}-first-meeting@{domain}",
            summary=_("First meeting: %(title)s", title=need.title),
            start=start,
            end=start + FIRST_MEETING_LENGTH,
            location=pairing.first_meeting_place or _place(item),
            description=description,
        )
    if pairing.status == PairingStatus.INTRODUCED:
        return  # the regular times begin once the first meeting has taken place
    if need.schedule == Schedule.ONE_OFF:
        if need.one_off_date is None:
            return
        for slot in item.slots:
            yield Event.new(
                uid=f"pairing-{pairing.id}-once-{slot.start_minute}-{slot.end_minute}@{domain}",
                summary=need.title,
                start=_local(need.one_off_date, slot.start_minute),
                end=_local(need.one_off_date, slot.end_minute),
                location=_place(item),
                description=description,
            )
        return
    # The series begins with the pairing (its start, else the first meeting's day), never before the need.
    begun = (
        pairing.started_on
        or (pairing.first_meeting_at or pairing.created_at).astimezone(CITY_TIME_ZONE).date()
    )
    first_day = max(begun, need.start_date) if need.start_date else begun
    for slot in item.slots:
        day = _first_weekday_from(first_day, slot.weekday)
        event = Event.new(
            # Weekday and times, not the slot's row id: a need's slots are rewritten on every edit.
            uid=f"pairing-{pairing.id}-weekly-{slot.weekday}-{slot.start_minute}-{slot.end_minute}@{domain}",
            summary=need.title,
            start=_local(day, slot.start_minute),
            end=_local(day, slot.end_minute),
            location=_place(item),
            description=description,
        )
        rule = vRecur(freq="WEEKLY")
        if need.end_date is not None:
            # With a local start time, RFC 5545 wants UNTIL in UTC: the end of the last day in the city.
            rule["until"] = _local(need.end_date, 24 * 60 - 1).astimezone(ZoneInfo("UTC"))
        event.add("rrule", rule)
        yield event


def build_feed(*, session: Session, volunteer: Volunteer, domain: str) -> bytes:
    """The feed in the locale forced by the caller; event UIDs stay the same from one request to the next."""
    calendar = Calendar.new(
        prodid=f"-//Integration aktiv Matching//{domain}//",
        uid=f"volunteer-{volunteer.id}-calendar@{domain}",
        name=_("My volunteering appointments"),  # icalendar writes X-WR-CALNAME too, for older apps
    )
    # RFC 7986 requires the VALUE parameter, which icalendar's refresh_interval= leaves out.
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    stamp = utcnow()
    for item in appointments(session=session, volunteer_id=volunteer.id or 0):
        for event in _events(item, domain):
            event.DTSTAMP = stamp
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
