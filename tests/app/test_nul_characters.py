"""A NUL character, which PostgreSQL cannot store or compare in text, is refused with a message in the
user's language (JSON with 422 under /api/) wherever it comes in, and nothing is changed."""

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.audit.models import DecisionEntry
from app.proposals.models import Proposal, ProposalStatus
from tests.conftest import log_in
from tests.factories import make_coordinator, make_proposal
from tests.support.api import bearer

MESSAGE_DE = "enthält ein NUL-Zeichen"


def unchanged(session: Session, proposal: Proposal) -> bool:
    session.expire_all()
    stored = session.get(Proposal, proposal.id)
    decided = session.exec(select(DecisionEntry)).all()
    return stored is not None and stored.status == ProposalStatus.PENDING and not decided


def test_pages_refuse_it_in_parameters_forms_and_paths(client: FlaskClient, session: Session) -> None:
    proposal = make_proposal(session)
    log_in(client, make_coordinator(session))

    answers = [
        client.get("/vorschlaege/?need_title=%00"),
        client.post(
            f"/vorschlaege/{proposal.id}/entscheidung", data={"decision": "reject", "reason": "a\x00b"}
        ),
        client.post(
            "/vorschlaege/sammelentscheidung",
            data={"decision": "reject", "reason": "a\x00b", "proposal_ids": [str(proposal.id)]},
        ),
        client.get("/vermittlungen/antwort/ab%00cd"),
    ]

    assert [answer.status_code for answer in answers] == [400] * 4
    assert all(MESSAGE_DE in answer.text for answer in answers)
    assert unchanged(session, proposal)
    # An address that matches no page is not found, NUL or not (the API documents 404 there, not 422).
    assert client.get("/api/v1/needs/%00").status_code == client.get("/gibt%00es-nicht").status_code == 404


def test_the_api_refuses_it_in_json(client: FlaskClient, session: Session) -> None:
    proposal = make_proposal(session)
    headers = bearer(session, make_coordinator(session, locale="en"), **{"Accept-Language": "en"})

    answer = client.post(
        f"/api/v1/proposals/{proposal.id}/decision",
        json={"decision": "reject", "reason": "a\x00b"},
        headers=headers,
    )

    assert answer.status_code == 422  # the API's status for a value it cannot take
    assert "NUL character" in answer.get_json()["message"]
    assert unchanged(session, proposal)
