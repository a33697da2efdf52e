"""Approving and rejecting proposals, one at a time and in bulk, with the rules on capacity and state."""

import threading
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import User
from app.needs.models import NeedStatus
from app.pairings.models import Pairing, PairingStatus
from app.proposals.models import Proposal, ProposalStatus
from app.volunteers.models import Volunteer
from tests.conftest import log_in
from tests.factories import make_coordinator, make_need, make_partner, make_proposal, make_volunteer
from tests.support.mail import Mailbox
from tests.support.pages import assert_error_summary_links_resolve

EN = {"Accept-Language": "en"}


def decide(client: FlaskClient, proposal: Proposal, decision: str, reason: str = "") -> tuple[int, str]:
    response = client.post(
        f"/vorschlaege/{proposal.id}/entscheidung", data={"decision": decision, "reason": reason}
    )
    return response.status_code, response.text


def email_of(session: Session, proposal: Proposal) -> str:
    volunteer = session.get(Volunteer, proposal.volunteer_id)
    assert volunteer is not None
    user = session.get(User, volunteer.user_id)
    assert user is not None
    return user.email


def fresh(session: Session, proposal: Proposal) -> Proposal:
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    assert stored is not None
    return stored


def pairings(session: Session) -> list[Pairing]:
    session.expire_all()
    return list(session.exec(select(Pairing).order_by(Pairing.id)))  # type: ignore[arg-type]


def test_approve_creates_an_offer_and_mails_the_answer_link(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    coordinator = make_coordinator(session, locale="en")
    proposal = make_proposal(session, need=make_need(session, title="Lesepatenschaft Kernstadt"))
    log_in(client, coordinator)

    status, _ = decide(client, proposal, "approve", "Passt gut.")

    assert status == 303
    stored = fresh(session, proposal)
    assert (stored.status, stored.decided_by_id, stored.decision_reason) == (
        ProposalStatus.APPROVED,
        coordinator.id,
        "Passt gut.",
    )
    assert stored.decided_at is not None
    [pairing] = pairings(session)
    assert (pairing.proposal_id, pairing.status) == (proposal.id, PairingStatus.OFFERED)
    volunteer_email = email_of(session, proposal)
    body = mailbox.body(volunteer_email)
    assert "Lesepatenschaft Kernstadt" in body and "Haken" in body and "Grundschule" in body
    assert "schule@example.org" not in body  # no partner contact before the volunteer said yes
    link = mailbox.link(volunteer_email, "/vermittlungen/antwort/")
    assert pairing.response_token in link
    client.post("/konto/abmelden")
    page = client.get(urlsplit(link).path, headers=EN)
    assert page.status_code == 200 and 'id="accept-offer"' in page.text


def test_reject_needs_a_reason_and_contacts_nobody(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    proposal = make_proposal(session)
    log_in(client, make_coordinator(session, locale="en"))

    status, html = decide(client, proposal, "reject")
    assert status == 400 and "Please give a reason for rejecting." in html
    assert fresh(session, proposal).status == ProposalStatus.PENDING

    status, _ = decide(client, proposal, "reject", "Wohnt zu weit weg.")
    assert status == 303
    stored = fresh(session, proposal)
    assert (stored.status, stored.decision_reason) == (ProposalStatus.REJECTED, "Wohnt zu weit weg.")
    assert pairings(session) == [] and mailbox.messages == []


def test_deciding_twice_is_a_conflict(client: FlaskClient, session: Session) -> None:
    proposal = make_proposal(session)
    log_in(client, make_coordinator(session, locale="en"))
    assert decide(client, proposal, "approve")[0] == 303

    for decision in ("approve", "reject"):
        status, html = decide(client, proposal, decision, "noch einmal")
        assert status == 409 and "already decided" in html
    assert len(pairings(session)) == 1 and fresh(session, proposal).status == ProposalStatus.APPROVED


def test_approve_is_refused_when_the_volunteer_is_at_capacity(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    volunteer = make_volunteer(session, max_active_pairings=1)
    busy = make_proposal(session, volunteer=volunteer)
    session.add(Pairing(volunteer_id=volunteer.id, need_id=busy.need_id, status=PairingStatus.ACTIVE))
    session.commit()
    proposal = make_proposal(session, volunteer=volunteer)
    log_in(client, make_coordinator(session, locale="en"))

    status, html = decide(client, proposal, "approve")

    assert status == 409 and "as many engagements as they want" in html
    assert fresh(session, proposal).status == ProposalStatus.PENDING
    assert len(pairings(session)) == 1 and mailbox.messages == []


def test_approve_is_refused_when_the_places_are_taken(client: FlaskClient, session: Session) -> None:
    need = make_need(session, places=1)
    taken = make_proposal(session, need=need)
    session.add(Pairing(volunteer_id=taken.volunteer_id, need_id=need.id, status=PairingStatus.INTRODUCED))
    session.commit()
    proposal = make_proposal(session, need=need)
    log_in(client, make_coordinator(session, locale="en"))

    status, html = decide(client, proposal, "approve")

    assert status == 409 and "All places of this need are taken." in html
    assert fresh(session, proposal).status == ProposalStatus.PENDING and len(pairings(session)) == 1


def test_ended_pairings_free_the_place_again(client: FlaskClient, session: Session) -> None:
    need = make_need(session, places=1)
    earlier = make_proposal(session, need=need)
    for status in (PairingStatus.DECLINED, PairingStatus.ENDED_EARLY, PairingStatus.COMPLETED):
        session.add(Pairing(volunteer_id=earlier.volunteer_id, need_id=need.id, status=status))
    session.commit()
    proposal = make_proposal(session, need=need)
    log_in(client, make_coordinator(session))

    assert decide(client, proposal, "approve")[0] == 303


def test_approve_is_refused_for_paused_volunteers_and_paused_needs(
    client: FlaskClient, session: Session
) -> None:
    paused_volunteer = make_proposal(session, volunteer=make_volunteer(session, paused=True))
    paused_need = make_proposal(session, need=make_need(session, status=NeedStatus.PAUSED))
    closed_need = make_proposal(session, need=make_need(session, status=NeedStatus.CLOSED))
    log_in(client, make_coordinator(session, locale="en"))

    status, html = decide(client, paused_volunteer, "approve")
    assert status == 409 and "paused their profile" in html
    for proposal in (paused_need, closed_need):
        status, html = decide(client, proposal, "approve")
        assert status == 409 and "paused or closed" in html
    assert pairings(session) == []


def test_only_proposals_in_scope_can_be_decided(client: FlaskClient, session: Session) -> None:
    outside = make_proposal(session, need=make_need(session, district_slug="neugablonz"))
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken"))

    assert decide(client, outside, "approve")[0] == 404
    assert client.post("/vorschlaege/999999/entscheidung", data={"decision": "approve"}).status_code == 404
    assert fresh(session, outside).status == ProposalStatus.PENDING


def test_partners_may_not_decide(client: FlaskClient, session: Session) -> None:
    proposal = make_proposal(session)
    log_in(client, make_partner(session))
    assert decide(client, proposal, "approve")[0] == 403
    bulk = client.post("/vorschlaege/sammelentscheidung", data={"proposal_ids": [proposal.id]})
    assert bulk.status_code == 403


def test_unknown_decision_is_a_bad_request_with_a_message(client: FlaskClient, session: Session) -> None:
    proposal = make_proposal(session)
    log_in(client, make_coordinator(session))

    status, page = decide(client, proposal, "maybe")
    tampered = client.post(
        f"/vorschlaege/{proposal.id}/entscheidung", data={"decision": "approve", "next_id": "abc"}
    )

    assert status == tampered.status_code == 400
    assert_error_summary_links_resolve(page)
    assert "<li>Entscheidung: " in page
    assert "<li>Nächster Vorschlag: " in tampered.text
    assert fresh(session, proposal).status == ProposalStatus.PENDING


def test_a_bulk_id_beyond_the_databases_integers_is_a_bad_request(
    client: FlaskClient, session: Session
) -> None:
    proposal = make_proposal(session)
    log_in(client, make_coordinator(session))

    bulk = client.post(
        "/vorschlaege/sammelentscheidung", data={"proposal_ids": [proposal.id, 2**40], "decision": "approve"}
    )

    assert bulk.status_code == 400
    assert fresh(session, proposal).status == ProposalStatus.PENDING


def test_bulk_approve_takes_what_it_can_and_says_what_it_could_not(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    full_need = make_need(session, places=1, title="Sprachcafé")
    first = make_proposal(session, score=0.9)
    second = make_proposal(session, need=full_need, score=0.8)
    # Same need, one place: the second approval in the same request finds it taken.
    third = make_proposal(
        session, need=full_need, volunteer=make_volunteer(session, first_name="Olena"), score=0.7
    )
    log_in(client, make_coordinator(session, locale="en"))

    response = client.post(
        "/vorschlaege/sammelentscheidung",
        data={"proposal_ids": [first.id, second.id, third.id], "decision": "approve", "reason": ""},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert [p.proposal_id for p in pairings(session)] == [first.id, second.id]
    assert fresh(session, third).status == ProposalStatus.PENDING
    assert "2 approved" in response.text
    assert "Not decided: Olena" in response.text and "All places of this need are taken." in response.text
    assert len(mailbox.messages) == 2


def test_bulk_reject_needs_a_reason_and_a_selection(client: FlaskClient, session: Session) -> None:
    proposals = [make_proposal(session), make_proposal(session)]
    log_in(client, make_coordinator(session, locale="en"))
    ids = [p.id for p in proposals]

    no_reason = client.post(
        "/vorschlaege/sammelentscheidung", data={"proposal_ids": ids, "decision": "reject"}
    )
    assert no_reason.status_code == 400 and "Please give a reason for rejecting." in no_reason.text
    none_chosen = client.post("/vorschlaege/sammelentscheidung", data={"decision": "reject", "reason": "x"})
    assert none_chosen.status_code == 400 and "Please select at least one proposal." in none_chosen.text

    done = client.post(
        "/vorschlaege/sammelentscheidung",
        data={"proposal_ids": ids, "decision": "reject", "reason": "Doppelt"},
    )
    assert done.status_code == 303
    assert {fresh(session, p).status for p in proposals} == {ProposalStatus.REJECTED}


def test_bulk_reports_proposals_outside_the_scope_without_failing(
    client: FlaskClient, session: Session
) -> None:
    inside = make_proposal(session, need=make_need(session, district_slug="hirschzell"))
    outside = make_proposal(session, need=make_need(session, district_slug="oberbeuren"))
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken", locale="en"))

    response = client.post(
        "/vorschlaege/sammelentscheidung",
        data={"proposal_ids": [inside.id, outside.id, 987654], "decision": "reject", "reason": "Keine Zeit"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert fresh(session, inside).status == ProposalStatus.REJECTED
    assert fresh(session, outside).status == ProposalStatus.PENDING
    assert response.text.count("does not exist or is outside your districts") == 2


def test_two_bulk_approvals_at_once_over_the_same_volunteers_both_go_through(
    app: Flask, session: Session, mailbox: Mailbox
) -> None:
    # Each batch meets the same ten volunteers, one in ascending and one in descending order: locked in the
    # order sent, PostgreSQL found a deadlock and one coordinator got an error page.
    volunteers = [make_volunteer(session, max_active_pairings=10) for _ in range(10)]
    batches: dict[str, list[int]] = {"first": [], "second": []}
    for i in range(20):
        for name, volunteer in (("first", volunteers[i % 10]), ("second", volunteers[9 - i % 10])):
            proposal = make_proposal(session, volunteer=volunteer, need=make_need(session))
            batches[name].append(proposal.id or 0)
    clients = {name: app.test_client() for name in batches}
    for client in clients.values():
        log_in(client, make_coordinator(session))
    start = threading.Barrier(len(clients))
    answers: dict[str, int] = {}

    def approve(name: str) -> None:
        start.wait()
        ids = [str(i) for i in batches[name]]
        answers[name] = (
            clients[name]
            .post("/vorschlaege/sammelentscheidung", data={"decision": "approve", "proposal_ids": ids})
            .status_code
        )

    threads = [threading.Thread(target=approve, args=(name,)) for name in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == {"first": 303, "second": 303}
    session.expire_all()
    assert len(session.exec(select(Pairing)).all()) == 40
