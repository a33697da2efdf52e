"""The pairing page: both sides, status, timeline from the decision log, the first meeting, check-ins and
the steps allowed now; for coordinators in scope and the need's organisation once introduced; logged as a
view of the volunteer's data."""

import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.audit.models import DecisionAction, PersonalDataView
from app.audit.services import record_decision
from app.needs.models import Need
from app.pairings.models import CheckIn, CheckInParty, Pairing, PairingStatus
from app.proposals.models import ProposalStatus
from tests.conftest import log_in
from tests.factories import (
    make_coordinator,
    make_need,
    make_organisation,
    make_pairing,
    make_partner,
    make_proposal,
    make_user,
    make_volunteer,
)

EN = {"Accept-Language": "en"}


def pairing_with_history(session: Session, status: PairingStatus = PairingStatus.ACTIVE) -> Pairing:
    organisation = make_organisation(session, "Familienzentrum Haken")
    need = make_need(session, organisation=organisation, title="Lesepatenschaft")
    volunteer = make_volunteer(session, first_name="Olena", last_name="Koval", phone="0151 2345")
    proposal = make_proposal(session, volunteer=volunteer, need=need, status=ProposalStatus.APPROVED)
    pairing = make_pairing(
        session,
        volunteer=volunteer,
        need=need,
        status=status,
        proposal_id=proposal.id,
        first_meeting_at=datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        first_meeting_place="Familienzentrum",
    )
    coordinator = make_coordinator(session, email="chefin@example.org")
    record_decision(
        session=session,
        action=DecisionAction.APPROVE,
        volunteer_id=volunteer.id or 0,
        actor_id=coordinator.id,
        need_id=need.id,
        proposal_id=proposal.id,
        reason="Intern: kennt die Familie schon",
    )
    record_decision(
        session=session,
        action=DecisionAction.START,
        volunteer_id=volunteer.id or 0,
        actor_id=coordinator.id,
        pairing_id=pairing.id,
    )
    session.add(
        CheckIn(
            pairing_id=pairing.id,
            week=4,
            party=CheckInParty.VOLUNTEER,
            rating="poor",
            comment="Zu wenig Zeit",
            answered_at=datetime(2026, 4, 1, tzinfo=UTC),
        )
    )
    session.add(
        CheckIn(
            pairing_id=pairing.id,
            week=4,
            party=CheckInParty.PARTNER,
            rating="good",
            comment="Alles gut",
            answered_at=datetime(2026, 4, 1, tzinfo=UTC),
        )
    )
    session.commit()
    return pairing


def test_coordinator_sees_both_sides_the_timeline_and_the_check_ins(
    client: FlaskClient, session: Session
) -> None:
    pairing = pairing_with_history(session)
    viewer = make_coordinator(session, locale="en")
    log_in(client, viewer)

    response = client.get(f"/vermittlungen/{pairing.id}", headers=EN)
    html = response.text
    assert response.status_code == 200
    for text in (
        "Olena Koval",
        "0151 2345",
        "Lesepatenschaft",
        "Familienzentrum Haken",
        "Zu wenig Zeit",
        "Alles gut",
        "Intern: kennt die Familie schon",
    ):
        assert text in html, text
    assert 'data-action="approve"' in html and 'data-action="start"' in html and "chefin@example.org" in html
    assert html.index('data-action="approve"') < html.index('data-action="start"')
    assert 'data-at="2026-03-02T14:00:00+00:00"' in html
    assert 'id="complete"' in html and 'id="end-form"' in html and 'id="meeting-form"' not in html
    views = session.exec(select(PersonalDataView).where(PersonalDataView.viewer_id == viewer.id)).all()
    assert [(v.volunteer_id, v.source) for v in views] == [(pairing.volunteer_id, "pairings.detail")]


def test_partner_staff_see_their_pairing_but_not_the_volunteers_check_in(
    client: FlaskClient, session: Session
) -> None:
    pairing = pairing_with_history(session, PairingStatus.INTRODUCED)
    need = session.get(Need, pairing.need_id)
    assert need is not None
    staff = make_user(session, Role.PARTNER, organisation_id=need.organisation_id, locale="en")
    log_in(client, staff)

    html = client.get(f"/vermittlungen/{pairing.id}", headers=EN).text
    assert "Olena Koval" in html and "Alles gut" in html and "Zu wenig Zeit" not in html
    # The approval is in the timeline, but the coordinators' note about it is not for the partner.
    assert 'data-action="approve"' in html and "Intern:" not in html
    assert 'id="meeting-form"' in html and 'id="start"' in html and 'id="rematch-submit"' not in html


def test_partners_do_not_see_offers_or_other_organisations_pairings(
    client: FlaskClient, session: Session
) -> None:
    organisation = make_organisation(session)
    offered = make_pairing(
        session, need=make_need(session, organisation=organisation), status=PairingStatus.OFFERED
    )
    elsewhere = make_pairing(session)
    log_in(client, make_partner(session, organisation))
    assert client.get(f"/vermittlungen/{offered.id}").status_code == 404
    assert client.get(f"/vermittlungen/{elsewhere.id}").status_code == 404


def test_coordinators_out_of_scope_do_not_see_it(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session)
    log_in(client, make_coordinator(session, "Stadtteilbüro Bienenberg"))
    assert client.get(f"/vermittlungen/{pairing.id}").status_code == 404
    assert client.get("/vermittlungen/999999").status_code == 404
    assert session.exec(select(PersonalDataView)).first() is None


def test_volunteers_do_not_see_it(client: FlaskClient, session: Session) -> None:
    pairing = make_pairing(session)
    log_in(client, make_user(session, Role.VOLUNTEER))
    assert client.get(f"/vermittlungen/{pairing.id}").status_code == 403


def test_overview_counts_meetings_flags_poor_check_ins_and_links_the_page(
    client: FlaskClient, session: Session
) -> None:
    flagged = pairing_with_history(session)
    meeting = make_pairing(session, status=PairingStatus.MEETING)
    log_in(client, make_coordinator(session, locale="en"))

    html = client.get("/vermittlungen/", headers=EN).text
    assert re.search(r'id="filter-meeting"[^>]*>[^<]*\(1\)</a>', html)
    assert f'id="pairing-{flagged.id}-attention"' in html
    assert f'id="pairing-{meeting.id}-attention"' not in html
    assert f'href="/vermittlungen/{meeting.id}"' in html
    only = client.get("/vermittlungen/?status=meeting", headers=EN).text
    assert f'id="pairing-{meeting.id}"' in only and f'id="pairing-{flagged.id}"' not in only


def test_need_page_links_the_pairing(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    pairing = make_pairing(session, need=make_need(session, organisation=organisation))
    log_in(client, make_partner(session, organisation))
    html = client.get(f"/bedarfe/{pairing.need_id}").text
    assert f'href="/vermittlungen/{pairing.id}"' in html


STEPS = {  # what each step's control is called on the page
    "meeting": 'id="meeting-form"',
    "start": 'id="start"',
    "complete": 'id="complete"',
    "end": 'id="end-form"',
    "rematch": 'id="rematch-submit"',
}


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        (PairingStatus.OFFERED, set()),
        (PairingStatus.DECLINED, set()),
        (PairingStatus.INTRODUCED, {"meeting", "start", "end"}),
        (PairingStatus.MEETING, {"meeting", "start", "end"}),
        (PairingStatus.ACTIVE, {"complete", "end"}),
        (PairingStatus.COMPLETED, {"rematch"}),
        (PairingStatus.ENDED_EARLY, {"rematch"}),
    ],
)
def test_the_page_offers_exactly_the_steps_that_apply(
    client: FlaskClient, session: Session, status: PairingStatus, offered: set[str]
) -> None:
    pairing = pairing_with_history(session, status)
    log_in(client, make_coordinator(session, locale="en"))

    html = client.get(f"/vermittlungen/{pairing.id}", headers=EN).text

    assert {step for step, control in STEPS.items() if control in html} == offered
    assert ("Next steps" in html) == bool(offered)
