"""Check-ins 4 and 12 weeks after the start, run on chosen days: both sides are mailed a link (each once,
a failed mail again the next day), a late pairing gets only the 12-week question, and the answers are
recorded through the link; "not working" calls the district's coordinators."""

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.pairings.models import CheckIn, Pairing, PairingStatus
from tests.factories import (
    make_coordinator,
    make_need,
    make_organisation,
    make_pairing,
    make_partner,
    make_user,
    make_volunteer,
)
from tests.support.mail import Mailbox
from tests.support.services import free_port
from workers import housekeeping

STARTED = date(2026, 3, 2)
EN = {"Accept-Language": "en"}


def active_pairing(session: Session, started_on: date = STARTED, locale: str = "en") -> Pairing:
    user = make_user(session, Role.VOLUNTEER, email="olena@example.org", locale=locale)
    organisation = make_organisation(session, "Familienzentrum Haken")
    make_partner(session, organisation, email="staff@example.org")
    need = make_need(session, organisation=organisation, title="Lesepatenschaft")
    volunteer = make_volunteer(session, user=user, first_name="Olena")
    return make_pairing(
        session, volunteer=volunteer, need=need, status=PairingStatus.ACTIVE, started_on=started_on
    )


def run(day: date) -> dict[str, int]:
    result: dict[str, int] = housekeeping.check_ins(today=day.isoformat())
    return result


def check_ins(session: Session) -> list[tuple[int, str, bool]]:
    session.expire_all()
    rows = session.exec(select(CheckIn).order_by(col(CheckIn.week), col(CheckIn.party)))
    return [(c.week, c.party, c.sent_at is not None) for c in rows]


def test_both_sides_are_asked_after_4_and_12_weeks_once(session: Session, mailbox: Mailbox) -> None:
    active_pairing(session)
    make_pairing(session, status=PairingStatus.COMPLETED, started_on=STARTED)  # over: not asked

    assert run(STARTED + timedelta(weeks=4, days=-1)) == {"due": 0, "sent": 0}
    assert run(STARTED + timedelta(weeks=4)) == {"due": 2, "sent": 2}
    assert check_ins(session) == [(4, "partner", True), (4, "volunteer", True)]
    body = mailbox.body("olena@example.org", "How is it going?")
    assert "4 weeks" in body and "/vermittlungen/rueckmeldung/" in body
    assert "/vermittlungen/rueckmeldung/" in mailbox.body("staff@example.org")
    assert "/vermittlungen/rueckmeldung/" in mailbox.body("schule@example.org")  # the contact address
    assert run(STARTED + timedelta(weeks=4)) == {"due": 0, "sent": 0}
    assert run(STARTED + timedelta(weeks=5)) == {"due": 0, "sent": 0}

    assert run(STARTED + timedelta(weeks=12)) == {"due": 2, "sent": 2}
    assert len(check_ins(session)) == 4
    assert run(STARTED + timedelta(weeks=30)) == {"due": 0, "sent": 0}


def test_the_weeks_take_the_plural_form_of_the_volunteers_language(
    session: Session, mailbox: Mailbox
) -> None:
    # Russian counts 4 "недели" but 12 "недель": one text for both would be wrong for one of them.
    active_pairing(session, locale="ru")

    run(STARTED + timedelta(weeks=4))
    assert "уже 4 недели помогаете" in mailbox.body("olena@example.org")
    mailbox.clear()
    run(STARTED + timedelta(weeks=12))
    assert "уже 12 недель помогаете" in mailbox.body("olena@example.org")


def test_a_late_pairing_gets_only_the_12_week_question(session: Session, mailbox: Mailbox) -> None:
    active_pairing(session, started_on=STARTED - timedelta(weeks=15))
    assert run(STARTED) == {"due": 2, "sent": 2}
    assert check_ins(session) == [(12, "partner", True), (12, "volunteer", True)]


def test_a_failed_mail_is_sent_again_the_next_day(app: Flask, session: Session, mailbox: Mailbox) -> None:
    active_pairing(session)
    mailman = app.extensions["mailman"]
    port, mailman.port = mailman.port, free_port()  # nobody listens there
    try:
        assert run(STARTED + timedelta(weeks=4)) == {"due": 2, "sent": 0}
    finally:
        mailman.port = port
    assert check_ins(session) == [(4, "partner", False), (4, "volunteer", False)]
    assert run(STARTED + timedelta(weeks=4, days=1)) == {"due": 2, "sent": 2}
    assert check_ins(session) == [(4, "partner", True), (4, "volunteer", True)]
    assert mailbox.body("olena@example.org", "How is it going?")


def answer_url(session: Session, party: str) -> str:
    check_in = session.exec(select(CheckIn).where(CheckIn.party == party)).one()
    return f"/vermittlungen/rueckmeldung/{check_in.token}"


def test_answers_are_recorded_once(client: FlaskClient, session: Session, mailbox: Mailbox) -> None:
    active_pairing(session)
    run(STARTED + timedelta(weeks=4))
    url = answer_url(session, "volunteer")

    page = client.get(url, headers=EN)
    assert page.status_code == 200 and 'id="check-in-form"' in page.text and "Lesepatenschaft" in page.text
    assert client.post(url, data={"comment": "?"}, headers=EN).status_code == 400
    assert client.post(url, data={"rating": "splendid"}, headers=EN).status_code == 400
    assert client.post(url, data={"rating": "good", "comment": "Macht Spaß"}, headers=EN).status_code == 200
    second = client.post(url, data={"rating": "poor"}, headers=EN)
    assert second.status_code == 409 and 'data-rating="good"' in second.text
    assert client.get(url, headers=EN).status_code == 200
    session.expire_all()
    answered = session.exec(select(CheckIn).where(CheckIn.party == "volunteer")).one()
    assert (answered.rating, answered.comment) == ("good", "Macht Spaß") and answered.answered_at
    assert client.get("/vermittlungen/rueckmeldung/no-such-token").status_code == 404
    calls = ("attention", "Aufmerksamkeit")
    assert not [m for m in mailbox.messages if any(word in str(m["Subject"]) for word in calls)]


def test_not_working_calls_the_districts_coordinators(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    pairing = active_pairing(session)
    haken = make_coordinator(session, "Stadtteilbüro Haken", email="haken@example.org", locale="en")
    make_coordinator(session, "Stadtteilbüro Bienenberg", email="bienenberg@example.org")
    run(STARTED + timedelta(weeks=4))
    mailbox.clear()

    url = answer_url(session, "partner")
    answer = {"rating": "poor", "comment": "Sie kommt seit Wochen nicht."}
    assert client.post(url, data=answer, headers=EN).status_code == 200
    body = mailbox.body(haken.email, "needs your attention")
    assert "Sie kommt seit Wochen nicht." in body and f"/vermittlungen/{pairing.id}" in body
    assert "not working" in body
    assert [str(m["To"]) for m in mailbox.messages] == [haken.email]


def test_without_a_district_office_the_integrationsbuero_is_called(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    active_pairing(session)
    central = make_coordinator(session, email="zentrale@example.org")
    run(STARTED + timedelta(weeks=4))
    client.post(answer_url(session, "volunteer"), data={"rating": "poor"})
    assert mailbox.body(central.email, "Aufmerksamkeit")  # in German, the office's language
