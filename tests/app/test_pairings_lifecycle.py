"""After the introduction, coordinators and partner staff move a pairing on: active, completed or ended
early with a reason, then a new match; every step in the decision log, the volunteer told by mail."""

from datetime import UTC, date, datetime

from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.audit.models import DecisionEntry
from app.base import local_today
from app.outbox.models import OutboxMessage
from app.pairings.models import Pairing, PairingStatus
from app.partners.models import Organisation
from app.volunteers.models import Volunteer
from tests.conftest import log_in
from tests.factories import (
    make_coordinator,
    make_need,
    make_organisation,
    make_partner,
    make_user,
    make_volunteer,
)
from tests.support.mail import Mailbox
from tests.support.pages import assert_error_summary_links_resolve

EN = {"Accept-Language": "en"}


def make_pairing(
    session: Session,
    status: PairingStatus = PairingStatus.INTRODUCED,
    district_slug: str = "haken",
    organisation: Organisation | None = None,
    volunteer: Volunteer | None = None,
) -> Pairing:
    need = make_need(session, district_slug=district_slug, organisation=organisation)
    volunteer = volunteer or make_volunteer(session)
    pairing = Pairing(volunteer_id=volunteer.id, need_id=need.id, status=status)
    session.add(pairing)
    session.commit()
    return pairing


def act(client: FlaskClient, pairing: Pairing, action: str, **fields: str) -> tuple[int, str, str]:
    response = client.post(f"/vermittlungen/{pairing.id}", data={"action": action, **fields}, headers=EN)
    return response.status_code, response.headers.get("Location", ""), response.text


def status_of(session: Session, pairing: Pairing) -> str:
    session.expire_all()
    stored = session.get(Pairing, pairing.id)
    assert stored is not None
    return stored.status


def test_coordinator_starts_and_completes_a_pairing(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session)
    log_in(client, make_coordinator(session, locale="en"))

    code, location, _ = act(client, pairing, "start")
    assert (code, location) == (303, "/vermittlungen/")
    assert status_of(session, pairing) == PairingStatus.ACTIVE

    assert act(client, pairing, "complete", next="/vermittlungen/?status=active")[:2] == (
        303,
        "/vermittlungen/?status=active",
    )
    session.expire_all()
    stored = session.get(Pairing, pairing.id)
    assert stored is not None and stored.status == PairingStatus.COMPLETED and stored.ended_at is not None


def test_ending_early_needs_a_reason(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session, PairingStatus.ACTIVE)
    log_in(client, make_coordinator(session, locale="en"))

    code, _, html = act(client, pairing, "end_early", reason="  ")
    assert code == 400 and "Please give a reason for ending the pairing early." in html
    assert status_of(session, pairing) == PairingStatus.ACTIVE

    assert act(client, pairing, "end_early", reason="Umzug nach Augsburg")[0] == 303
    session.expire_all()
    stored = session.get(Pairing, pairing.id)
    assert stored is not None
    assert (stored.status, stored.end_reason) == (PairingStatus.ENDED_EARLY, "Umzug nach Augsburg")
    assert stored.ended_at is not None


def test_steps_out_of_order_are_conflicts(client: FlaskClient, session: Session) -> None:
    introduced = make_pairing(session)
    offered = make_pairing(session, PairingStatus.OFFERED)
    completed = make_pairing(session, PairingStatus.COMPLETED)
    log_in(client, make_coordinator(session, locale="en"))

    assert act(client, introduced, "complete")[0] == 409
    assert act(client, offered, "start")[0] == 409
    assert act(client, offered, "end_early", reason="x")[0] == 409
    code, _, html = act(client, completed, "end_early", reason="x")
    assert code == 409 and "not possible" in html
    assert act(client, introduced, "accept")[0] == 400  # the volunteer's step, not the coordinator's
    assert [status_of(session, p) for p in (introduced, offered, completed)] == [
        "introduced",
        "offered",
        "completed",
    ]


def test_next_must_stay_on_this_site(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session)
    log_in(client, make_coordinator(session))
    assert act(client, pairing, "start", next="https://evil.example/")[1] == "/vermittlungen/"


def test_partner_staff_of_the_need_may_update(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    pairing = make_pairing(session, organisation=organisation)
    log_in(client, make_partner(session, organisation))

    code, location, _ = act(client, pairing, "start", next=f"/bedarfe/{pairing.need_id}")
    assert (code, location) == (303, f"/bedarfe/{pairing.need_id}")
    assert status_of(session, pairing) == PairingStatus.ACTIVE


def test_partner_of_another_organisation_may_not_update(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session)
    log_in(client, make_partner(session))
    assert act(client, pairing, "start")[0] == 404
    assert status_of(session, pairing) == PairingStatus.INTRODUCED


def test_coordinator_outside_the_district_may_not_update(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session, district_slug="bienenberg")
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken"))
    assert act(client, pairing, "start")[0] == 404
    assert client.post("/vermittlungen/999999", data={"action": "start"}).status_code == 404
    assert status_of(session, pairing) == PairingStatus.INTRODUCED


def test_volunteers_may_not_update(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session)
    log_in(client, make_user(session, Role.VOLUNTEER))
    assert act(client, pairing, "start")[0] == 403


def test_overview_lists_pairings_in_scope_and_filters_by_status(
    client: FlaskClient, session: Session
) -> None:
    introduced = make_pairing(session, district_slug="kernstadt")
    active = make_pairing(session, PairingStatus.ACTIVE, district_slug="haken")
    elsewhere = make_pairing(session, district_slug="oberbeuren")
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken", locale="en"))

    html = client.get("/vermittlungen/").text
    assert f'id="pairing-{introduced.id}"' in html and f'id="pairing-{active.id}"' in html
    assert f'id="pairing-{elsewhere.id}"' not in html
    assert f'id="start-{introduced.id}"' in html and f'id="complete-{active.id}"' in html

    only_active = client.get("/vermittlungen/?status=active").text
    assert f'id="pairing-{active.id}"' in only_active and f'id="pairing-{introduced.id}"' not in only_active


def test_overview_shows_pages_of_fifty_and_keeps_the_status_filter(
    client: FlaskClient, session: Session
) -> None:
    need, volunteer = make_need(session, district_slug="haken"), make_volunteer(session)
    session.add_all(
        Pairing(volunteer_id=volunteer.id, need_id=need.id, status=PairingStatus.COMPLETED) for _ in range(51)
    )
    session.commit()
    oldest = session.exec(select(Pairing).order_by(col(Pairing.id))).first()
    assert oldest is not None
    log_in(client, make_coordinator(session, locale="en"))

    first = client.get("/vermittlungen/?status=completed").text
    second = client.get("/vermittlungen/?status=completed&page=2").text

    assert first.count('class="card" id="pairing-') == 50 and second.count('class="card" id="pairing-') == 1
    assert f'id="pairing-{oldest.id}"' in second and f'id="pairing-{oldest.id}"' not in first
    assert "/vermittlungen/?page=2&amp;status=completed" in first
    assert 'id="page-previous"' in second and 'id="page-next"' not in second
    # No number counts as the first page; one past the end shows the last.
    not_a_number = client.get("/vermittlungen/?status=completed&page=abc").text
    assert not_a_number.count('class="card" id="pairing-') == 50
    assert f'id="pairing-{oldest.id}"' in client.get("/vermittlungen/?status=completed&page=99").text
    assert 'id="pager"' not in client.get("/vermittlungen/?status=active").text


def test_overview_is_for_coordinators(client: FlaskClient, session: Session) -> None:
    log_in(client, make_partner(session))
    assert client.get("/vermittlungen/").status_code == 403


def decisions(session: Session, pairing: Pairing) -> list[tuple[str, int | None, str]]:
    session.expire_all()
    rows = session.exec(
        select(DecisionEntry).where(DecisionEntry.pairing_id == pairing.id).order_by(col(DecisionEntry.id))
    )
    return [(entry.action, entry.actor_id, entry.reason) for entry in rows]


def test_every_step_is_in_the_decision_log_with_its_actor(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session)
    coordinator = make_coordinator(session, locale="en")
    log_in(client, coordinator)

    act(client, pairing, "start")
    act(client, pairing, "end_early", reason_kind="moved", reason="nach Augsburg")
    assert decisions(session, pairing) == [
        ("start", coordinator.id, ""),
        ("end_early", coordinator.id, "Moved away: nach Augsburg"),
    ]


def test_a_common_reason_alone_is_enough_but_other_needs_words(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session, PairingStatus.MEETING)
    log_in(client, make_coordinator(session, locale="en"))

    code, _, html = act(client, pairing, "end_early", reason_kind="other", reason=" ")
    assert code == 400 and 'id="end-form"' in html
    assert_error_summary_links_resolve(html)
    assert status_of(session, pairing) == PairingStatus.MEETING
    assert act(client, pairing, "end_early", reason_kind="no_time")[0] == 303
    session.expire_all()
    stored = session.get(Pairing, pairing.id)
    assert stored is not None and (stored.status, stored.end_reason) == ("ended_early", "No time any more")


def test_starting_takes_the_day_of_the_first_meeting(client: FlaskClient, session: Session) -> None:
    met = make_pairing(session, PairingStatus.MEETING)
    # 23:30 UTC on 1 March is already 2 March in Kaufbeuren.
    met.first_meeting_at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    session.add(met)
    session.commit()
    without_meeting = make_pairing(session)
    log_in(client, make_coordinator(session))

    act(client, met, "start")
    act(client, without_meeting, "start")
    session.expire_all()
    assert session.get(Pairing, met.id).started_on == date(2026, 3, 2)  # type: ignore[union-attr]
    assert session.get(Pairing, without_meeting.id).started_on == local_today()  # type: ignore[union-attr]


def test_the_volunteer_is_told_when_it_ends(client: FlaskClient, session: Session, mailbox: Mailbox) -> None:
    user = make_user(session, Role.VOLUNTEER, email="olena@example.org", locale="en")
    pairing = make_pairing(session, PairingStatus.ACTIVE, volunteer=make_volunteer(session, user=user))
    log_in(client, make_coordinator(session))

    assert act(client, pairing, "complete")[0] == 303
    body = mailbox.body("olena@example.org", "engagement has ended")
    assert "Thank you" in body and "/ehrenamt/profil" in body and "pause" in body


def test_the_volunteers_answer_is_logged_as_theirs(client: FlaskClient, session: Session) -> None:
    accepted = make_pairing(session, PairingStatus.OFFERED)
    declined = make_pairing(session, PairingStatus.OFFERED)

    client.post(f"/vermittlungen/antwort/{accepted.response_token}", data={"answer": "accept"})
    client.post(
        f"/vermittlungen/antwort/{declined.response_token}", data={"answer": "decline", "reason": "Umzug"}
    )
    for pairing, action, reason in ((accepted, "accept", ""), (declined, "decline", "Umzug")):
        volunteer = session.get(Volunteer, pairing.volunteer_id)
        assert volunteer is not None
        assert decisions(session, pairing) == [(action, volunteer.user_id, reason)]


def test_a_new_match_is_sought_for_both_sides_once_it_ended(client: FlaskClient, session: Session) -> None:
    going_on = make_pairing(session, PairingStatus.ACTIVE)
    ended = make_pairing(session, PairingStatus.ENDED_EARLY)
    coordinator = make_coordinator(session, locale="en")
    log_in(client, coordinator)

    assert client.post(f"/vermittlungen/{going_on.id}/neue-vermittlung").status_code == 409
    response = client.post(f"/vermittlungen/{ended.id}/neue-vermittlung")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/vermittlungen/{ended.id}#rematch"
    payloads = [(m.task_name, m.payload) for m in session.exec(select(OutboxMessage))]
    assert ("matching.match_volunteer", {"volunteer_id": ended.volunteer_id}) in payloads
    assert ("matching.match_need", {"need_id": ended.need_id}) in payloads
    assert decisions(session, ended) == [("rematch", coordinator.id, "")]
    page = client.get(f"/vermittlungen/{ended.id}").text
    assert f'href="/vorschlaege/?volunteer={ended.volunteer_id}"' in page
    assert f'href="/vorschlaege/?need={ended.need_id}"' in page


def test_partners_do_not_ask_for_a_new_match(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    ended = make_pairing(session, PairingStatus.COMPLETED, organisation=organisation)
    log_in(client, make_partner(session, organisation))
    assert client.post(f"/vermittlungen/{ended.id}/neue-vermittlung").status_code == 403
    assert session.exec(select(OutboxMessage)).first() is None


def test_coordinators_out_of_scope_do_not_ask_for_a_new_match(client: FlaskClient, session: Session) -> None:
    ended = make_pairing(session, PairingStatus.COMPLETED)
    log_in(client, make_coordinator(session, "Stadtteilbüro Bienenberg"))
    assert client.post(f"/vermittlungen/{ended.id}/neue-vermittlung").status_code == 404
    assert session.exec(select(OutboxMessage)).first() is None
