"""The volunteer answers an offer through the link in the mail; accepting introduces them to the partner."""

from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import User
from app.audit.models import DecisionEntry
from app.needs.models import NeedStatus
from app.pairings.models import Pairing, PairingStatus
from app.proposals.models import ProposalStatus
from tests.factories import make_need, make_organisation, make_partner, make_proposal, make_volunteer
from tests.support.mail import Mailbox

EN = {"Accept-Language": "en"}


def make_offer(session: Session, **need_fields: Any) -> Pairing:
    """An approved proposal and its pairing offer, as proposals.decide leaves them."""
    proposal = make_proposal(session, status=ProposalStatus.APPROVED, need=make_need(session, **need_fields))
    pairing = Pairing(proposal_id=proposal.id, volunteer_id=proposal.volunteer_id, need_id=proposal.need_id)
    session.add(pairing)
    session.commit()
    return pairing


def respond_url(pairing: Pairing) -> str:
    return f"/vermittlungen/antwort/{pairing.response_token}"


def fresh(session: Session, pairing: Pairing) -> Pairing:
    session.expire_all()
    stored = session.get(Pairing, pairing.id)
    assert stored is not None
    return stored


def test_offer_page_shows_what_is_asked_without_login(client: FlaskClient, session: Session) -> None:
    pairing = make_offer(session, title="Lesepatenschaft", district_slug="neugablonz")

    response = client.get(respond_url(pairing), headers=EN)

    assert response.status_code == 200
    for text in ("Lesepatenschaft", "Neugablonz", "Grundschule", "Tue 15:00–17:00", 'id="decline-offer"'):
        assert text in response.text, text
    assert 'name="csrf_token"' in response.text


def test_unknown_token_is_not_found(client: FlaskClient) -> None:
    assert client.get("/vermittlungen/antwort/no-such-token").status_code == 404
    assert client.post("/vermittlungen/antwort/no-such-token", data={"answer": "accept"}).status_code == 404


def test_accepting_introduces_the_volunteer_to_the_partner(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    organisation = make_organisation(session, "Familienzentrum Haken")
    staff = [make_partner(session, organisation, locale="en"), make_partner(session, organisation)]
    other_staff = make_partner(session)  # of another organisation: learns nothing
    volunteer = make_volunteer(session, first_name="Olena", last_name="Koval", phone="0151 2345678")
    volunteer_user = session.get(User, volunteer.user_id)
    assert volunteer_user is not None
    proposal = make_proposal(
        session, volunteer=volunteer, need=make_need(session, organisation=organisation), status="approved"
    )
    pairing = Pairing(proposal_id=proposal.id, volunteer_id=volunteer.id, need_id=proposal.need_id)
    session.add(pairing)
    session.commit()

    # Typed into the field for declining, then Accept clicked: the text must not reach the partner.
    answer = {"answer": "accept", "reason": "Nur falls ich absage: privat"}
    response = client.post(respond_url(pairing), data=answer, headers=EN)

    assert response.status_code == 200 and 'data-status="introduced"' in response.text
    stored = fresh(session, pairing)
    assert stored.status == PairingStatus.INTRODUCED and stored.answered_at is not None
    for address in (organisation.contact_email, staff[0].email, staff[1].email):
        body = mailbox.body(address)
        assert "Olena Koval" in body and volunteer_user.email in body and "0151 2345678" in body
    assert "E-mail:" in mailbox.body(staff[0].email)  # in that staff member's language
    recipients = {str(m["To"]) for m in mailbox.messages}
    assert other_staff.email not in recipients and volunteer_user.email not in recipients
    assert f"/vermittlungen/{pairing.id}" in mailbox.body(staff[0].email)  # the pairing's own page
    logged = session.exec(select(DecisionEntry).where(DecisionEntry.pairing_id == pairing.id)).one()
    assert (logged.action, logged.actor_id, logged.reason) == ("accept", volunteer_user.id, "")
    assert stored.end_reason == ""


def test_declining_tells_nobody_and_keeps_the_reason(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    pairing = make_offer(session)

    response = client.post(
        respond_url(pairing), data={"answer": "decline", "reason": "Keine Zeit"}, headers=EN
    )

    assert response.status_code == 200 and 'data-status="declined"' in response.text
    stored = fresh(session, pairing)
    assert (stored.status, stored.end_reason) == (PairingStatus.DECLINED, "Keine Zeit")
    assert stored.answered_at is not None and mailbox.messages == []


def test_a_second_answer_is_a_conflict(client: FlaskClient, session: Session, mailbox: Mailbox) -> None:
    pairing = make_offer(session)
    assert client.post(respond_url(pairing), data={"answer": "decline"}).status_code == 200

    again = client.post(respond_url(pairing), data={"answer": "accept"}, headers=EN)

    assert again.status_code == 409 and "already declined" in again.text
    assert fresh(session, pairing).status == PairingStatus.DECLINED and mailbox.messages == []
    # Opening the link again just says so.
    assert client.get(respond_url(pairing)).status_code == 200


def test_an_answer_must_be_given(client: FlaskClient, session: Session) -> None:
    pairing = make_offer(session)
    assert client.post(respond_url(pairing), data={"answer": "maybe"}).status_code == 400
    assert fresh(session, pairing).status == PairingStatus.OFFERED


def test_an_offer_for_a_need_paused_or_closed_since_cannot_be_accepted(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    paused, closed = (
        make_offer(session, status=NeedStatus.PAUSED),
        make_offer(session, status=NeedStatus.CLOSED),
    )

    for pairing in (paused, closed):
        page = client.get(respond_url(pairing), headers=EN)
        answer = client.post(respond_url(pairing), data={"answer": "accept"}, headers=EN)

        assert (
            page.status_code == 200
            and 'id="need-not-open"' in page.text
            and 'id="decline-offer"' not in page.text
        )
        assert answer.status_code == 409 and "cannot be accepted now" in answer.text
        assert fresh(session, pairing).status == PairingStatus.OFFERED
    assert mailbox.messages == []  # nobody was introduced
    assert not session.exec(select(DecisionEntry)).all()
