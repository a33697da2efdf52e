"""The coordinator API for proposals: the queue of the caller's districts, read and decided as on the page."""

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.api_tokens import Scope
from app.pairings.models import Pairing, PairingStatus
from app.proposals.models import Proposal, ProposalStatus
from tests.factories import make_coordinator, make_need, make_proposal, make_volunteer
from tests.support.api import bearer
from tests.support.mail import Mailbox


def status_of(session: Session, proposal: Proposal) -> str:
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    assert stored is not None
    return stored.status


def test_the_queue_lists_pending_proposals_best_first_in_pages(client: FlaskClient, session: Session) -> None:
    headers = bearer(session, make_coordinator(session, locale="en"))
    low = make_proposal(session, score=0.41)
    high = make_proposal(session, score=0.93)
    decided = make_proposal(session, score=0.99, status=ProposalStatus.REJECTED)

    first = client.get("/api/v1/proposals/?limit=1", headers=headers)
    second = client.get("/api/v1/proposals/?limit=1&offset=1", headers=headers)
    strong = client.get("/api/v1/proposals/?min_score=0.5", headers=headers)

    assert first.status_code == 200, first.text
    assert [item["id"] for item in first.json["items"]] == [high.id]
    assert [item["id"] for item in second.json["items"]] == [low.id]
    assert [item["id"] for item in strong.json["items"]] == [high.id]
    item = first.json["items"][0]
    assert item["volunteer"]["last_initial"] and "email" not in item["volunteer"]
    assert "Shared languages: Turkish" in item["explanation"]
    assert client.get(f"/api/v1/proposals/{decided.id}", headers=headers).json["status"] == "rejected"


def test_approving_sends_the_offer_and_rejecting_needs_a_reason(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    coordinator = make_coordinator(session)  # German
    headers = bearer(session, coordinator)
    approved, rejected = make_proposal(session), make_proposal(session)

    no_reason = client.post(
        f"/api/v1/proposals/{rejected.id}/decision", json={"decision": "reject"}, headers=headers
    )
    assert no_reason.status_code == 422
    assert no_reason.json["detail"]["json"]["reason"] == ["Bitte geben Sie einen Grund für die Ablehnung an."]
    assert status_of(session, rejected) == ProposalStatus.PENDING

    yes = client.post(
        f"/api/v1/proposals/{approved.id}/decision", json={"decision": "approve"}, headers=headers
    )
    no = client.post(
        f"/api/v1/proposals/{rejected.id}/decision",
        json={"decision": "reject", "reason": "Wohnt zu weit weg."},
        headers=headers,
    )

    assert yes.status_code == 200, yes.text
    assert yes.json["proposal"]["status"] == "approved" and yes.json["offer_mailed"] is True
    pairing = session.exec(select(Pairing)).one()
    assert (yes.json["pairing_id"], pairing.status) == (pairing.id, PairingStatus.OFFERED)
    assert len(mailbox.messages) == 1
    assert no.status_code == 200 and no.json["pairing_id"] is None
    assert status_of(session, rejected) == ProposalStatus.REJECTED

    again = client.post(
        f"/api/v1/proposals/{approved.id}/decision", json={"decision": "approve"}, headers=headers
    )
    assert again.status_code == 409
    assert again.json["message"] == "Über diesen Vorschlag wurde bereits entschieden."
    assert len(session.exec(select(Pairing)).all()) == 1


def test_a_read_only_token_cannot_decide(client: FlaskClient, session: Session) -> None:
    proposal = make_proposal(session)
    headers = bearer(session, make_coordinator(session), scopes=[Scope.PROPOSALS_READ])

    response = client.post(
        f"/api/v1/proposals/{proposal.id}/decision", json={"decision": "approve"}, headers=headers
    )

    assert response.status_code == 403
    assert status_of(session, proposal) == ProposalStatus.PENDING


def test_a_district_office_sees_and_decides_only_its_districts(client: FlaskClient, session: Session) -> None:
    haken = bearer(session, make_coordinator(session, "Stadtteilbüro Haken"))
    own = make_proposal(session, need=make_need(session, district_slug="haken"))
    foreign = make_proposal(
        session,
        need=make_need(session, district_slug="bienenberg"),
        volunteer=make_volunteer(session, district_slug="bienenberg"),
    )

    listed = client.get("/api/v1/proposals/", headers=haken)

    assert [item["id"] for item in listed.json["items"]] == [own.id]
    assert client.get(f"/api/v1/proposals/{foreign.id}", headers=haken).status_code == 404
    refused = client.post(
        f"/api/v1/proposals/{foreign.id}/decision", json={"decision": "approve"}, headers=haken
    )
    assert refused.status_code == 404
    assert status_of(session, foreign) == ProposalStatus.PENDING
