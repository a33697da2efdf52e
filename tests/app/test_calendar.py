"""The volunteer's calendar feed: switched on and off on the profile, read by calendar apps without login."""

from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from icalendar import Calendar, Event
from sqlmodel import Session

from app.accounts.models import User
from app.needs.models import Schedule
from app.pairings.models import PairingStatus
from app.volunteers.models import Volunteer
from tests.conftest import log_in
from tests.factories import make_need, make_pairing, make_user, make_volunteer

TUESDAY_AFTERNOON = ((1, 15 * 60, 17 * 60),)


def switch(client: FlaskClient, session: Session, volunteer: Volunteer, action: str) -> str | None:
    assert client.post("/ehrenamt/profil/kalender", data={"action": action}).status_code == 303
    session.expire_all()
    stored = session.get(Volunteer, volunteer.id)
    assert stored is not None
    return stored.calendar_token


def volunteer_with_feed(client: FlaskClient, session: Session) -> tuple[Volunteer, str]:
    volunteer = make_volunteer(session, user=make_user(session, locale="en"))
    user = session.get(User, volunteer.user_id)
    assert user is not None
    log_in(client, user)
    token = switch(client, session, volunteer, "enable")
    assert token
    return volunteer, token


def events(client: FlaskClient, token: str) -> dict[str, Event]:
    response = client.get(f"/kalender/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.data)
    found = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert bool(calendar.walk("VTIMEZONE")) == bool(found), "local times come with their time zone"
    return found


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def test_weekly_slots_recur_at_local_time_in_summer_and_winter(client: FlaskClient, session: Session) -> None:
    volunteer, token = volunteer_with_feed(client, session)
    summer = make_need(
        session, slots=TUESDAY_AFTERNOON, start_date=date(2027, 6, 1), end_date=date(2027, 7, 27)
    )
    winter = make_need(session, slots=TUESDAY_AFTERNOON, title="Lesepaten", address="Am Haken 3")
    summer_pairing = make_pairing(session, volunteer=volunteer, need=summer, status=PairingStatus.ACTIVE)
    winter_pairing = make_pairing(
        session, volunteer=volunteer, need=winter, status=PairingStatus.ACTIVE, started_on=date(2027, 1, 3)
    )

    found = events(client, token)
    in_summer = found[f"pairing-{summer_pairing.id}-weekly-1-900-1020@127.0.0.1"]
    in_winter = found[f"pairing-{winter_pairing.id}-weekly-1-900-1020@127.0.0.1"]
    # 15:00 in Kaufbeuren is 13:00 UTC in summer (CEST) and 14:00 UTC in winter (CET).
    assert utc(in_summer.DTSTART) == datetime(2027, 6, 1, 13, tzinfo=UTC)
    assert utc(in_summer.DTEND) == datetime(2027, 6, 1, 15, tzinfo=UTC)
    assert str(in_summer.DTSTART.tzinfo) == "Europe/Berlin"
    assert utc(in_winter.DTSTART) == datetime(2027, 1, 5, 14, tzinfo=UTC)  # the first Tuesday from the start
    rule = in_summer["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    # The end of the last day in the city, in UTC as RFC 5545 asks with a local start.
    assert rule["UNTIL"] == [datetime(2027, 7, 27, 21, 59, tzinfo=UTC)]
    assert "UNTIL" not in in_winter["RRULE"]
    assert str(in_winter["SUMMARY"]) == "Lesepaten"
    assert "Am Haken 3" in str(in_winter["LOCATION"])


def test_first_meeting_and_one_off_date(client: FlaskClient, session: Session) -> None:
    volunteer, token = volunteer_with_feed(client, session)
    meeting_at = datetime(2027, 3, 30, 16, 30, tzinfo=UTC)  # 18:30 in Kaufbeuren, the day after the change
    introduced = make_pairing(
        session,
        volunteer=volunteer,
        status=PairingStatus.INTRODUCED,
        first_meeting_at=meeting_at,
        first_meeting_place="Café am Markt",
    )
    once = make_need(
        session, schedule=Schedule.ONE_OFF, one_off_date=date(2027, 11, 2), slots=TUESDAY_AFTERNOON
    )
    one_off = make_pairing(session, volunteer=volunteer, need=once, status=PairingStatus.MEETING)

    found = events(client, token)
    assert set(found) == {
        f"pairing-{introduced.id}-first-meeting@127.0.0.1",
        f"pairing-{one_off.id}-once-900-1020@127.0.0.1",
    }  # an introduced pairing: only its first meeting, no regular times yet
    meeting = found[f"pairing-{introduced.id}-first-meeting@127.0.0.1"]
    assert (utc(meeting.DTSTART), utc(meeting.DTEND)) == (meeting_at, meeting_at + timedelta(hours=1))
    assert str(meeting["SUMMARY"]).startswith("First meeting: ")
    assert str(meeting["LOCATION"]) == "Café am Markt"
    single = found[f"pairing-{one_off.id}-once-900-1020@127.0.0.1"]
    assert utc(single.DTSTART) == datetime(2027, 11, 2, 14, tzinfo=UTC) and "RRULE" not in single


def test_only_the_volunteers_current_pairings(client: FlaskClient, session: Session) -> None:
    volunteer, token = volunteer_with_feed(client, session)
    for status in (
        PairingStatus.OFFERED,
        PairingStatus.INTRODUCED,
        PairingStatus.COMPLETED,
        PairingStatus.DECLINED,
    ):
        make_pairing(session, volunteer=volunteer, status=status)
    make_pairing(session, status=PairingStatus.ACTIVE)  # someone else's
    assert events(client, token) == {}


def test_uids_are_stable_between_requests(client: FlaskClient, session: Session) -> None:
    volunteer, token = volunteer_with_feed(client, session)
    make_pairing(session, volunteer=volunteer, status=PairingStatus.ACTIVE, started_on=date(2027, 2, 1))
    first, second = events(client, token), events(client, token)
    assert len(first) == 1 and set(first) == set(second)
    assert [e.DTSTART for e in first.values()] == [e.DTSTART for e in second.values()]


def test_renewing_or_switching_off_ends_the_old_address(client: FlaskClient, session: Session) -> None:
    volunteer, token = volunteer_with_feed(client, session)
    page = client.get("/ehrenamt/profil")
    assert f"/kalender/{token}.ics" in page.text and 'id="calendar-renew"' in page.text

    renewed = switch(client, session, volunteer, "renew")
    assert renewed and renewed != token
    assert client.get(f"/kalender/{token}.ics").status_code == 404
    assert client.get(f"/kalender/{renewed}.ics").status_code == 200

    assert switch(client, session, volunteer, "disable") is None
    assert client.get(f"/kalender/{renewed}.ics").status_code == 404
    assert 'id="calendar-enable"' in client.get("/ehrenamt/profil").text


def test_unknown_address_and_bad_switch(client: FlaskClient, session: Session) -> None:
    _volunteer, token = volunteer_with_feed(client, session)
    assert client.get("/kalender/unbekannt.ics").status_code == 404
    assert client.get(f"/kalender/{token[:-1]}.ics").status_code == 404
    assert client.post("/ehrenamt/profil/kalender", data={"action": "share"}).status_code == 400


def test_regular_times_begin_with_the_first_meeting_not_with_the_need(
    client: FlaskClient, session: Session
) -> None:
    volunteer, token = volunteer_with_feed(client, session)
    running = make_need(session, slots=TUESDAY_AFTERNOON, start_date=date(2027, 1, 5))  # a Tuesday
    meeting_at = datetime(2027, 3, 24, 16, tzinfo=UTC)  # a Wednesday
    pairing = make_pairing(
        session, volunteer=volunteer, need=running, status=PairingStatus.MEETING, first_meeting_at=meeting_at
    )

    response = client.get(f"/kalender/{token}.ics")
    weekly = events(client, token)[f"pairing-{pairing.id}-weekly-1-900-1020@127.0.0.1"]

    # The Tuesdays of January to March were not the volunteer's: the first is the one after the meeting.
    assert utc(weekly.DTSTART) == datetime(2027, 3, 30, 13, tzinfo=UTC)
    # RFC 7986 asks for the VALUE parameter with the refresh interval.
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in response.data
