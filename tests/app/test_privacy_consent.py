"""Consent to being matched: withdrawn on the privacy page, the volunteer's pending proposals go at
once and the matcher leaves them out (full run, warm need and volunteer runs); given again, they are back."""

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.extensions import db
from app.privacy.consent import CONSENT_VERSION, DATA_PROCESSING
from app.privacy.models import ConsentRecord
from app.privacy.services import withdraw_consent
from app.proposals.models import Proposal, ProposalStatus
from app.volunteers.models import Volunteer
from tests.conftest import another_app, log_in
from tests.factories import make_need, make_partner, make_proposal, make_user, make_volunteer
from tests.support.mail import Mailbox
from workers import tasks

CONSENT = "/meine-daten/einwilligung"
WITHDRAW = "/meine-daten/einwilligung/widerrufen"
GIVE = "/meine-daten/einwilligung/erteilen"


@pytest.fixture
def volunteer(session: Session) -> Volunteer:
    return make_volunteer(session, first_name="Olena", last_name="Kovalenko")


@pytest.fixture
def volunteer_client(client: FlaskClient, session: Session, volunteer: Volunteer) -> FlaskClient:
    log_in(client, session.get(User, volunteer.user_id))  # type: ignore[arg-type]
    return client


def consents(session: Session, user_id: int) -> list[ConsentRecord]:
    session.expire_all()
    query = select(ConsentRecord).where(ConsentRecord.user_id == user_id).order_by(col(ConsentRecord.id))
    return list(session.exec(query))


def statuses(session: Session, volunteer: Volunteer) -> dict[int, str]:
    """Need id -> status of the volunteer's proposals."""
    session.expire_all()
    rows = session.exec(select(Proposal).where(Proposal.volunteer_id == volunteer.id))
    return {p.need_id: p.status for p in rows}


def test_the_profile_links_to_the_consent_page_which_shows_state_and_version(
    volunteer_client: FlaskClient,
) -> None:
    profile = volunteer_client.get("/ehrenamt/profil")
    page = volunteer_client.get(CONSENT)

    assert f'href="{CONSENT}"' in profile.text and 'id="consent-note"' not in profile.text
    assert page.status_code == 200
    assert 'id="consent-in-force"' in page.text and CONSENT_VERSION in page.text
    assert 'id="withdraw-consent"' in page.text and f'action="{WITHDRAW}"' in page.text
    assert 'id="consent-history"' in page.text


def test_withdrawing_marks_the_record_and_withdraws_pending_proposals_at_once(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    pending = make_proposal(session, volunteer=volunteer)
    decided = make_proposal(session, volunteer=volunteer, status=ProposalStatus.APPROVED)
    someone_else = make_proposal(session)

    response = volunteer_client.post(WITHDRAW)

    assert response.status_code == 302 and response.headers["Location"] == CONSENT
    [record] = consents(session, volunteer.user_id)
    assert record.withdrawn_at is not None and record.text_version == CONSENT_VERSION
    assert statuses(session, volunteer) == {
        pending.need_id: ProposalStatus.WITHDRAWN,
        decided.need_id: ProposalStatus.APPROVED,  # a coordinator's decision stays on record
    }
    assert session.get(Proposal, someone_else.id).status == ProposalStatus.PENDING  # type: ignore[union-attr]
    page = volunteer_client.get(CONSENT)
    assert 'id="consent-withdrawn"' in page.text and CONSENT_VERSION in page.text
    assert 'id="give-consent"' in page.text and 'id="consent-text"' in page.text
    assert 'id="consent-note"' in volunteer_client.get("/ehrenamt/profil").text


def test_the_matcher_leaves_out_a_withdrawn_volunteer_until_consent_is_given_again(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    other = make_volunteer(session)
    need = make_need(session)
    tasks.match_all.run()  # the worker's state now holds both volunteers
    assert statuses(session, volunteer) == {need.id: ProposalStatus.PENDING}

    volunteer_client.post(WITHDRAW)  # its matching request runs in process, on the warm state

    assert statuses(session, volunteer) == {need.id: ProposalStatus.WITHDRAWN}
    for run in (lambda: tasks.match_need.run(need.id), lambda: tasks.match_volunteer.run(volunteer.id)):
        run()  # the warm state, caught up
        assert statuses(session, volunteer) == {need.id: ProposalStatus.WITHDRAWN}
    tasks.match_all.run()  # fitted afresh
    assert statuses(session, volunteer) == {need.id: ProposalStatus.WITHDRAWN}
    assert statuses(session, other) == {need.id: ProposalStatus.PENDING}  # the run did run

    response = volunteer_client.post(GIVE, data={"consent": "y"})

    assert response.status_code == 302
    first, again = consents(session, volunteer.user_id)
    assert first.withdrawn_at is not None
    assert (again.purpose, again.text_version, again.withdrawn_at) == (DATA_PROCESSING, CONSENT_VERSION, None)
    assert statuses(session, volunteer) == {need.id: ProposalStatus.PENDING}  # matched at once
    tasks.match_need.run(need.id)
    tasks.match_all.run()
    assert statuses(session, volunteer) == {need.id: ProposalStatus.PENDING}
    assert 'id="consent-in-force"' in volunteer_client.get(CONSENT).text


def test_a_need_matched_on_a_warm_state_proposes_nobody_who_withdrew_meanwhile(
    session: Session, volunteer: Volunteer
) -> None:
    first = make_need(session)
    tasks.match_need.run(first.id)
    assert statuses(session, volunteer) == {first.id: ProposalStatus.PENDING}

    # A plain session publishes nothing: the volunteer's matching request waits in the outbox, and
    # the next need's run must find the change by itself.
    with Session(db.engine) as plain:
        assert withdraw_consent(session=plain, user_id=volunteer.user_id) == 1
    second = make_need(session)
    tasks.match_need.run(second.id)

    assert statuses(session, volunteer) == {first.id: ProposalStatus.WITHDRAWN}


def test_a_volunteer_without_any_consent_record_is_not_matched(session: Session) -> None:
    volunteer = make_volunteer(session, consent=False)
    make_need(session)

    tasks.match_all.run()
    tasks.match_volunteer.run(volunteer.id)

    assert statuses(session, volunteer) == {}


def test_withdrawing_or_giving_twice_changes_nothing(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    assert volunteer_client.post(GIVE, data={"consent": "y"}).status_code == 302  # in force already
    assert len(consents(session, volunteer.user_id)) == 1

    volunteer_client.post(WITHDRAW)
    [withdrawn] = consents(session, volunteer.user_id)
    again = volunteer_client.post(WITHDRAW, follow_redirects=True)

    assert again.status_code == 200 and 'id="consent-withdrawn"' in again.text
    assert [(r.id, r.withdrawn_at) for r in consents(session, volunteer.user_id)] == [
        (withdrawn.id, withdrawn.withdrawn_at)
    ]


@pytest.mark.parametrize("consent", [None, "", "false"])
def test_giving_consent_needs_the_box_ticked(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer, consent: str | None
) -> None:
    volunteer_client.post(WITHDRAW)
    data = {} if consent is None else {"consent": consent}

    response = volunteer_client.post(GIVE, data=data)

    assert response.status_code == 400
    assert 'id="consent-error"' in response.text and 'id="error-summary"' in response.text
    assert [r.withdrawn_at is not None for r in consents(session, volunteer.user_id)] == [True]


def test_only_volunteers_with_a_profile_have_a_consent_page(client: FlaskClient, session: Session) -> None:
    assert client.get(CONSENT).status_code == 302  # to the login
    assert client.post(WITHDRAW).status_code == 302
    log_in(client, make_partner(session))
    with client.application.app_context():
        assert client.get(CONSENT).status_code == 403
        assert client.post(WITHDRAW).status_code == 403
    log_in(client, make_user(session, Role.ADMIN))
    with client.application.app_context():
        assert client.get(CONSENT).status_code == 404
        assert client.post(GIVE, data={"consent": "y"}).status_code == 404
        assert client.post(WITHDRAW).status_code == 404
    assert session.exec(select(ConsentRecord)).all() == []


def test_wrong_methods_and_odd_input_are_answered_without_an_error(
    volunteer_client: FlaskClient, session: Session, volunteer: Volunteer
) -> None:
    assert volunteer_client.get(WITHDRAW).status_code == 405
    assert volunteer_client.get(GIVE).status_code == 405
    assert volunteer_client.post(CONSENT).status_code == 405
    assert volunteer_client.post(WITHDRAW, data={"consent": ["x"] * 3, "evil": "?"}).status_code == 302
    # A NUL character is refused with a message here as everywhere (app/security.py).
    for path, data in ((WITHDRAW, {"consent": "x", "evil": "\x00"}), (GIVE, {"consent": "\x00" * 5000})):
        answer = volunteer_client.post(path, data=data)
        assert answer.status_code == 400 and "NUL-Zeichen" in answer.text


def test_the_forms_carry_and_need_a_csrf_token(
    app: Flask, database_url: str, smtp: tuple[int, Mailbox], tmp_path: Path, session: Session
) -> None:
    volunteer = make_volunteer(session)
    user = session.get(User, volunteer.user_id)
    assert user is not None
    with another_app(database_url, smtp[0], tmp_path, WTF_CSRF_ENABLED=True) as protected:
        client = protected.test_client()
        log_in(client, user)
        with protected.app_context():
            page = client.get(CONSENT)
        with protected.app_context():
            refused = client.post(WITHDRAW)

    assert 'name="csrf_token"' in page.text
    assert refused.status_code == 400
    assert [r.withdrawn_at for r in consents(session, volunteer.user_id)] == [None]
