"""Volunteers log hours on their pairings; partner staff and coordinators confirm or reject them in scope."""

from datetime import date, timedelta

from flask import g
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.audit.models import DecisionAction, DecisionEntry, PersonalDataView
from app.base import local_today, utcnow
from app.hours.models import HoursEntry, HoursStatus
from app.pairings.models import Pairing, PairingStatus
from app.partners.models import Organisation
from app.volunteers.models import Volunteer
from tests.conftest import log_in
from tests.factories import (
    make_coordinator,
    make_need,
    make_organisation,
    make_pairing,
    make_partner,
    make_user,
    make_volunteer,
)

EN = {"Accept-Language": "en"}


def volunteer_with_pairing(
    session: Session,
    status: PairingStatus = PairingStatus.ACTIVE,
    organisation: Organisation | None = None,
    district_slug: str = "haken",
) -> tuple[Volunteer, Pairing]:
    volunteer = make_volunteer(session, user=make_user(session, locale="en"))
    need = make_need(session, organisation=organisation, district_slug=district_slug)
    created = utcnow() - timedelta(days=30)
    pairing = make_pairing(session, volunteer=volunteer, need=need, status=status, created_at=created)
    return volunteer, pairing


def log(client: FlaskClient, pairing: Pairing, **fields: object) -> tuple[int, str]:
    data: dict[str, object] = {
        "pairing_id": pairing.id,
        "worked_on": local_today().isoformat(),
        "hours": 2,
        "minutes": 30,
    }
    data.update(fields)
    response = client.post("/ehrenamt/stunden", data=data, headers=EN)
    return response.status_code, response.text


def entries(session: Session) -> list[HoursEntry]:
    session.expire_all()
    return list(session.exec(select(HoursEntry).order_by(col(HoursEntry.id))))


def log_in_volunteer(client: FlaskClient, session: Session, volunteer: Volunteer) -> None:
    user = session.get(User, volunteer.user_id)
    assert user is not None
    log_in(client, user)


def add_entry(session: Session, pairing: Pairing, minutes: int = 120, **fields: object) -> HoursEntry:
    entry = HoursEntry(
        volunteer_id=pairing.volunteer_id,
        pairing_id=pairing.id or 0,
        worked_on=local_today() - timedelta(days=1),
        minutes=minutes,
        **fields,  # type: ignore[arg-type]
    )
    session.add(entry)
    session.commit()
    return entry


def test_volunteer_logs_hours_and_sees_them_waiting(client: FlaskClient, session: Session) -> None:
    volunteer, pairing = volunteer_with_pairing(session)
    log_in_volunteer(client, session, volunteer)

    page = client.get("/ehrenamt/stunden", headers=EN)
    assert page.status_code == 200 and 'id="hours-form"' in page.text and 'id="ehrenamtskarte"' in page.text

    code, _ = log(client, pairing, note="  Hausaufgaben Mathe ")
    assert code == 303
    [entry] = entries(session)
    assert (entry.volunteer_id, entry.pairing_id, entry.minutes) == (volunteer.id, pairing.id, 150)
    assert (entry.status, entry.note) == (HoursStatus.LOGGED, "Hausaufgaben Mathe")
    page = client.get("/ehrenamt/stunden", headers=EN)
    assert f'id="entry-{entry.id}" data-status="logged"' in page.text


def test_logging_refuses_bad_input_with_messages(client: FlaskClient, session: Session) -> None:
    volunteer, pairing = volunteer_with_pairing(session)
    _other, not_mine = volunteer_with_pairing(session)
    log_in_volunteer(client, session, volunteer)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    before = (local_today() - timedelta(days=40)).isoformat()

    cases: list[tuple[dict[str, object], str]] = [
        ({"worked_on": tomorrow}, "The date cannot be in the future."),
        ({"worked_on": before}, "The date cannot be before the pairing began."),
        ({"worked_on": "gestern"}, "Not a valid date value."),
        ({"hours": 0, "minutes": 0}, "Please enter more than 0 and at most 16 hours."),
        ({"hours": 16, "minutes": 30}, "Please enter more than 0 and at most 16 hours."),
        ({"hours": 17}, "Number must be between 0 and 16."),
        ({"minutes": 75}, "Number must be between 0 and 59."),
        ({"hours": "zwei"}, "Not a valid integer value."),
        ({"note": "x" * 501}, "Field cannot be longer than 500 characters."),
        ({"pairing_id": not_mine.id}, "Not a valid choice."),
    ]
    for fields, message in cases:
        code, html = log(client, pairing, **fields)
        assert (code, message in html) == (400, True), fields
    assert entries(session) == []


def test_a_day_takes_at_most_sixteen_hours(client: FlaskClient, session: Session) -> None:
    volunteer, pairing = volunteer_with_pairing(session)
    log_in_volunteer(client, session, volunteer)
    assert log(client, pairing, hours=10, minutes=0)[0] == 303
    code, html = log(client, pairing, hours=6, minutes=1)
    assert code == 400 and "At most 16 hours can be logged for one day" in html
    assert log(client, pairing, hours=6, minutes=0)[0] == 303


def test_only_running_or_recently_ended_pairings_take_hours(client: FlaskClient, session: Session) -> None:
    volunteer = make_volunteer(session, user=make_user(session, locale="en"))
    created = utcnow() - timedelta(days=200)
    pairings = {
        status: make_pairing(session, volunteer=volunteer, status=status, created_at=created)
        for status in (PairingStatus.INTRODUCED, PairingStatus.MEETING, PairingStatus.OFFERED)
    }
    recent = make_pairing(
        session, volunteer=volunteer, status=PairingStatus.COMPLETED, created_at=created,
        ended_at=utcnow() - timedelta(days=89),
    )  # fmt: skip
    old = make_pairing(
        session, volunteer=volunteer, status=PairingStatus.ENDED_EARLY, created_at=created,
        ended_at=utcnow() - timedelta(days=91),
    )  # fmt: skip
    log_in_volunteer(client, session, volunteer)

    assert log(client, pairings[PairingStatus.MEETING])[0] == 303
    assert log(client, recent, hours=1, worked_on=(local_today() - timedelta(days=90)).isoformat())[0] == 303
    for refused in (pairings[PairingStatus.INTRODUCED], pairings[PairingStatus.OFFERED], old):
        assert log(client, refused)[0] == 400
    assert len(entries(session)) == 2


def test_hours_lie_between_the_yes_and_the_end(client: FlaskClient, session: Session) -> None:
    # The 90 days after an ending are for logging earlier work late, not for days after it.
    volunteer = make_volunteer(session, user=make_user(session, locale="en"))
    ended = make_pairing(
        session, volunteer=volunteer, status=PairingStatus.COMPLETED,
        created_at=utcnow() - timedelta(days=60), answered_at=utcnow() - timedelta(days=50),
        ended_at=utcnow() - timedelta(days=10),
    )  # fmt: skip
    log_in_volunteer(client, session, volunteer)

    def on(days_ago: int) -> str:
        return (local_today() - timedelta(days=days_ago)).isoformat()

    after_end = log(client, ended, worked_on=on(9))
    before_yes = log(client, ended, worked_on=on(55))  # offered, but not yet accepted

    assert after_end[0] == 400 and "The date cannot be after the pairing ended." in after_end[1]
    assert before_yes[0] == 400 and "The date cannot be before the pairing began." in before_yes[1]
    assert log(client, ended, worked_on=on(11))[0] == log(client, ended, worked_on=on(49))[0] == 303
    assert [entry.worked_on.isoformat() for entry in entries(session)] == [on(11), on(49)]


def test_waiting_entries_can_be_corrected_or_withdrawn(client: FlaskClient, session: Session) -> None:
    volunteer, pairing = volunteer_with_pairing(session)
    waiting = add_entry(session, pairing)
    confirmed = add_entry(session, pairing, status=HoursStatus.CONFIRMED)
    _other, others_pairing = volunteer_with_pairing(session)
    others = add_entry(session, others_pairing)
    log_in_volunteer(client, session, volunteer)

    assert client.get(f"/ehrenamt/stunden/{waiting.id}", headers=EN).status_code == 200
    data: dict[str, object] = {
        "pairing_id": pairing.id,
        "worked_on": waiting.worked_on.isoformat(),
        "hours": 1,
        "minutes": 15,
    }
    assert client.post(f"/ehrenamt/stunden/{waiting.id}", data=data).status_code == 303
    assert client.post(f"/ehrenamt/stunden/{waiting.id}", data={**data, "hours": 30}).status_code == 400
    for refused in (confirmed, others):
        assert client.get(f"/ehrenamt/stunden/{refused.id}").status_code == 404
        assert client.post(f"/ehrenamt/stunden/{refused.id}", data=data).status_code == 404
        assert client.post(f"/ehrenamt/stunden/{refused.id}/zurueckziehen").status_code == 404
    session.expire_all()
    stored = session.get(HoursEntry, waiting.id)
    assert stored is not None and stored.minutes == 75

    assert client.post(f"/ehrenamt/stunden/{waiting.id}/zurueckziehen").status_code == 303
    assert [e.id for e in entries(session)] == [confirmed.id, others.id]


def switch_to(client: FlaskClient, user: User) -> None:
    """Logs another user in: the test's app context outlives requests, and with it Flask-Login's cached
    user in `g`."""
    g.pop("_login_user", None)
    log_in(client, user)


def review(client: FlaskClient, ids: list[int], decision: str, reason: str = "", row: str = "") -> int:
    data = {"entry_ids": ids, "decision": decision, "reason": reason, "row": row}
    return client.post("/stunden/bestaetigen", data=data, headers=EN).status_code


def test_partner_confirms_and_rejects_their_organisations_hours(
    client: FlaskClient, session: Session
) -> None:
    organisation = make_organisation(session)
    _volunteer, pairing = volunteer_with_pairing(session, organisation=organisation)
    first, second, third = (add_entry(session, pairing, minutes=m) for m in (60, 90, 120))
    _v, elsewhere = volunteer_with_pairing(session)
    foreign = add_entry(session, elsewhere)
    partner = make_partner(session, organisation, locale="en")
    log_in(client, partner)

    page = client.get("/stunden/bestaetigen", headers=EN)
    assert page.status_code == 200
    assert all(f'id="entry-{e.id}"' in page.text for e in (first, second, third))
    assert f'id="entry-{foreign.id}"' not in page.text
    views = session.exec(select(PersonalDataView).where(PersonalDataView.source == "hours.review")).all()
    assert {v.volunteer_id for v in views} == {pairing.volunteer_id}

    assert review(client, [foreign.id or 0], "confirm") == 404
    assert review(client, [first.id or 0, foreign.id or 0], "confirm") == 404  # all or nothing
    assert review(client, [first.id or 0, second.id or 0], "confirm") == 303  # bulk
    assert review(client, [2**40], "confirm") == 400  # beyond the database's integers
    assert review(client, [third.id or 0], "confirm", row="²") == 400  # a digit, but no number
    assert review(client, [third.id or 0], "reject", row=str(third.id)) == 400  # no reason
    assert review(client, [third.id or 0], "reject", reason="Termin fiel aus", row=str(third.id)) == 303
    assert review(client, [third.id or 0], "confirm") == 303  # decided already: left as it is

    by_id = {e.id: e for e in entries(session)}
    assert [by_id[e.id].status for e in (first, second, third, foreign)] == [
        HoursStatus.CONFIRMED,
        HoursStatus.CONFIRMED,
        HoursStatus.REJECTED,
        HoursStatus.LOGGED,
    ]
    assert by_id[third.id].review_reason == "Termin fiel aus"
    assert by_id[first.id].reviewed_by_id == partner.id
    decisions = session.exec(select(DecisionEntry).order_by(col(DecisionEntry.id))).all()
    assert [(d.action, d.pairing_id, d.need_id, d.actor_id, d.reason) for d in decisions] == [
        (DecisionAction.CONFIRM_HOURS, pairing.id, pairing.need_id, partner.id, ""),
        (DecisionAction.CONFIRM_HOURS, pairing.id, pairing.need_id, partner.id, ""),
        (DecisionAction.REJECT_HOURS, pairing.id, pairing.need_id, partner.id, "Termin fiel aus"),
    ]


def test_an_entry_withdrawn_meanwhile_leaves_the_rest_of_the_batch_to_be_decided(
    client: FlaskClient, session: Session
) -> None:
    organisation = make_organisation(session)
    _volunteer, pairing = volunteer_with_pairing(session, organisation=organisation)
    kept, withdrawn = add_entry(session, pairing, minutes=60), add_entry(session, pairing, minutes=90)
    withdrawn_id = withdrawn.id or 0
    session.delete(withdrawn)  # the volunteer withdrew it while the page was open
    session.commit()
    log_in(client, make_partner(session, organisation, locale="en"))

    response = client.post(
        "/stunden/bestaetigen",
        data={"entry_ids": [kept.id, withdrawn_id], "decision": "confirm"},
        headers=EN,
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "1 entry confirmed." in response.text
    assert "1 entry had been decided or withdrawn in the meantime." in response.text
    assert [(e.id, e.status) for e in entries(session)] == [(kept.id, HoursStatus.CONFIRMED)]


def test_coordinators_see_their_districts_only(client: FlaskClient, session: Session) -> None:
    _v, in_haken = volunteer_with_pairing(session, district_slug="haken")
    _w, in_neugablonz = volunteer_with_pairing(session, district_slug="neugablonz")
    near, far = add_entry(session, in_haken), add_entry(session, in_neugablonz)

    local = make_coordinator(session, office_name=office_of_district(session, "neugablonz"), locale="en")
    log_in(client, local)
    page = client.get("/stunden/bestaetigen", headers=EN).text
    assert f'id="entry-{far.id}"' in page and f'id="entry-{near.id}"' not in page
    assert review(client, [near.id or 0], "confirm") == 404

    switch_to(client, make_coordinator(session, locale="en"))  # the central office: all districts
    page = client.get("/stunden/bestaetigen", headers=EN).text
    assert f'id="entry-{far.id}"' in page and f'id="entry-{near.id}"' in page
    assert review(client, [near.id or 0, far.id or 0], "reject", reason="doppelt") == 303
    assert {e.status for e in entries(session)} == {HoursStatus.REJECTED}


def office_of_district(session: Session, slug: str) -> str:
    from app.offices.models import Office
    from tests.factories import district

    office = session.get(Office, district(session, slug).office_id)
    assert office is not None and not office.is_central
    return office.name


def test_volunteers_cannot_review_and_partners_cannot_log(client: FlaskClient, session: Session) -> None:
    volunteer, pairing = volunteer_with_pairing(session)
    entry = add_entry(session, pairing)
    log_in_volunteer(client, session, volunteer)
    assert client.get("/stunden/bestaetigen").status_code == 403
    assert review(client, [entry.id or 0], "confirm") == 403
    switch_to(client, make_partner(session))
    assert client.get("/ehrenamt/stunden").status_code == 403


def test_confirmed_hours_show_on_the_need_page(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    _volunteer, pairing = volunteer_with_pairing(session, organisation=organisation)
    add_entry(session, pairing, minutes=90, status=HoursStatus.CONFIRMED)
    add_entry(session, pairing, minutes=600)  # waiting: not counted
    log_in(client, make_partner(session, organisation, locale="en"))
    page = client.get(f"/bedarfe/{pairing.need_id}", headers=EN).text
    assert f'id="pairing-{pairing.id}-hours"' in page and "1 h 30 min" in page


def test_the_card_progress_counts_confirmed_hours(client: FlaskClient, session: Session) -> None:
    volunteer, pairing = volunteer_with_pairing(session)
    add_entry(session, pairing, minutes=600, status=HoursStatus.CONFIRMED)
    add_entry(session, pairing, minutes=300)
    log_in_volunteer(client, session, volunteer)
    page = client.get("/ehrenamt/stunden", headers=EN).text
    assert 'id="card-year-0" data-minutes="600"' in page
    assert 'id="card-year-1" data-minutes="0"' in page
    assert date(1990, 5, 17) == volunteer.birth_date and "You are 16 or older." in page
