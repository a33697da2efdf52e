"""After the introduction, coordinators and partner staff move a pairing to active, completed or ended."""

from flask.testing import FlaskClient
from sqlmodel import Session

from app.accounts.models import Role
from app.pairings.models import Pairing, PairingStatus
from app.partners.models import Organisation
from tests.conftest import log_in
from tests.factories import (
    make_coordinator,
    make_need,
    make_organisation,
    make_partner,
    make_user,
    make_volunteer,
)

EN = {"Accept-Language": "en"}


def make_pairing(
    session: Session,
    status: PairingStatus = PairingStatus.INTRODUCED,
    district_slug: str = "haken",
    organisation: Organisation | None = None,
) -> Pairing:
    need = make_need(session, district_slug=district_slug, organisation=organisation)
    pairing = Pairing(volunteer_id=make_volunteer(session).id, need_id=need.id, status=status)
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
    assert act(client, pairing, "start")[0] in (403, 404)
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


def test_overview_is_for_coordinators(client: FlaskClient, session: Session) -> None:
    log_in(client, make_partner(session))
    assert client.get("/vermittlungen/").status_code == 403
