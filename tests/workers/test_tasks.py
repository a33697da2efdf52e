"""Task bodies in-process against the real database: matching, idempotent storage, the outbox relay."""

import logging
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery import Celery
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import User
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_NEED, request_need_matching, request_volunteer_matching
from app.pairings.models import Pairing
from app.proposals.models import Proposal, ProposalStatus
from app.queue import relay
from app.volunteers.models import Volunteer
from tests import factories
from tests.app.test_volunteers_register import REGISTER, registration_form
from tests.support.mail import Mailbox
from tests.support.services import require_redis
from workers import tasks


def proposals(session: Session) -> list[Proposal]:
    session.expire_all()
    return list(session.exec(select(Proposal).order_by(Proposal.id)))  # type: ignore[arg-type]


def unsent_row(session: Session) -> OutboxMessage:
    """An outbox row as a failed publish leaves it: committed, never sent."""
    factories.make_volunteer(session)
    need = factories.make_need(session)
    message = OutboxMessage(task_name=MATCH_NEED, payload={"need_id": need.id})
    session.add(message)
    session.commit()
    return message


def test_match_volunteer_proposes_eligible_needs_only(session: Session) -> None:
    volunteer = factories.make_volunteer(session, skills=("homework_help",))
    good = factories.make_need(session, skills=("homework_help",))
    factories.make_need(session, requires_certificate=True)  # volunteer has no certificate
    factories.make_need(session, slots=((5, 9 * 60, 11 * 60),))  # Saturday: no shared time
    factories.make_need(session, status="paused")
    full = factories.make_need(session, places=1)
    other = factories.make_volunteer(session)
    session.add(Pairing(volunteer_id=other.id, need_id=full.id, status="active"))
    session.commit()
    counts = tasks.match_volunteer.run(volunteer.id)
    assert counts["added"] == 1
    assert [(p.volunteer_id, p.need_id, p.status) for p in proposals(session)] == [
        (volunteer.id, good.id, ProposalStatus.PENDING)
    ]
    assert set(proposals(session)[0].reasons) >= {"shared_skills", "strongest"}


def test_running_twice_changes_nothing(session: Session) -> None:
    volunteer = factories.make_volunteer(session)
    factories.make_volunteer(session)
    factories.make_need(session)
    factories.make_need(session)
    tasks.match_volunteer.run(volunteer.id)
    tasks.match_all.run()
    first = [
        (p.id, p.volunteer_id, p.need_id, p.status, p.score, p.reasons, p.computed_at)
        for p in proposals(session)
    ]
    assert len(first) == 4
    assert tasks.match_all.run() == {"added": 0, "updated": 0, "withdrawn": 0}
    tasks.match_volunteer.run(volunteer.id)
    assert [
        (p.id, p.volunteer_id, p.need_id, p.status, p.score, p.reasons, p.computed_at)
        for p in proposals(session)
    ] == first


def test_a_paused_volunteer_loses_pending_proposals_and_decided_ones_stay(session: Session) -> None:
    volunteer = factories.make_volunteer(session, max_active_pairings=5)
    need_a, need_b, need_c = (factories.make_need(session) for _ in range(3))
    tasks.match_volunteer.run(volunteer.id)
    rows = {p.need_id: p for p in proposals(session)}
    for need, status in ((need_a, ProposalStatus.REJECTED), (need_b, ProposalStatus.APPROVED)):
        rows[need.id].status = status
        rows[need.id].score = 0.5
        session.add(rows[need.id])
    volunteer.paused = True
    session.add(volunteer)
    session.commit()
    assert tasks.match_volunteer.run(volunteer.id)["withdrawn"] == 1
    after = {p.need_id: (p.status, p.score) for p in proposals(session)}
    assert after[need_a.id] == (ProposalStatus.REJECTED, 0.5)
    assert after[need_b.id] == (ProposalStatus.APPROVED, 0.5)
    assert after[need_c.id][0] == ProposalStatus.WITHDRAWN
    # Back from the pause: the withdrawn one returns, the rejected pair is not proposed again.
    volunteer.paused = False
    session.add(volunteer)
    session.commit()
    tasks.match_all.run()
    after = {p.need_id: (p.status, p.score) for p in proposals(session)}
    assert [after[n.id][0] for n in (need_a, need_b, need_c)] == [
        ProposalStatus.REJECTED,
        ProposalStatus.APPROVED,
        ProposalStatus.PENDING,
    ]


def test_a_volunteer_whose_account_is_deactivated_is_proposed_nowhere(session: Session) -> None:
    active = factories.make_volunteer(session)
    deactivated = factories.make_volunteer(session)
    factories.make_need(session)
    user = session.get(User, deactivated.user_id)
    assert user is not None
    user.is_active = False
    session.add(user)
    session.commit()
    tasks.match_all.run()
    assert {p.volunteer_id for p in proposals(session)} == {active.id}
    assert tasks.match_volunteer.run(deactivated.id)["added"] == 0


def test_closing_a_need_withdraws_its_pending_proposals(session: Session) -> None:
    factories.make_volunteer(session)
    need = factories.make_need(session)
    tasks.match_need.run(need.id)
    assert [p.status for p in proposals(session)] == [ProposalStatus.PENDING]
    need.status = "closed"
    session.add(need)
    session.commit()
    tasks.match_need.run(need.id)
    assert [p.status for p in proposals(session)] == [ProposalStatus.WITHDRAWN]


def test_committing_an_outbox_row_runs_the_task_in_process_and_marks_it(app: Flask, session: Session) -> None:
    volunteer = factories.make_volunteer(session)
    factories.make_need(session)
    message = request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()  # the embedded mode runs the task right here, synchronously
    session.refresh(message)
    assert message.sent_at is not None and message.processed_at is not None
    assert message.attempts == 1 and message.last_error == ""
    assert len(proposals(session)) == 1


def test_registering_in_the_embedded_mode_proposes_before_the_response(
    client: FlaskClient, session: Session, mailbox: Mailbox
) -> None:
    need = factories.make_need(session, district_slug="neugablonz", skills=("homework_help",))
    response = client.post(REGISTER, data=registration_form(session), headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.text
    volunteer = session.exec(select(Volunteer)).one()
    assert [(p.volunteer_id, p.need_id) for p in proposals(session)] == [(volunteer.id, need.id)]


def test_the_in_process_relay_runs_unsent_rows_once(app: Flask, session: Session) -> None:
    message = unsent_row(session)
    assert relay(app.extensions["celery"], db.engine, older_than_s=0) == 1
    assert relay(app.extensions["celery"], db.engine, older_than_s=0) == 0
    session.refresh(message)
    assert message.sent_at is not None and message.processed_at is not None and message.attempts == 1
    assert len(proposals(session)) == 1


@pytest.fixture
def broker_queue(app: Flask) -> Iterator[tuple[Celery, str]]:
    """The app publishing to the real Redis, on a queue of its own that nothing consumes."""
    url = require_redis()
    celery: Celery = app.extensions["celery"]
    queue = f"test-relay-{uuid.uuid4().hex[:8]}"
    celery.conf.update(task_always_eager=False, broker_url=url, task_default_queue=queue)
    yield celery, queue
    client = redis.Redis.from_url(url)
    client.delete(queue, f"_kombu.binding.{queue}")
    client.close()


def test_the_relay_publishes_unsent_rows_exactly_once(
    broker_queue: tuple[Celery, str], session: Session
) -> None:
    celery, queue = broker_queue
    message = unsent_row(session)
    assert relay(celery, db.engine) == 0  # younger than 10 s: its own commit is probably publishing it
    assert relay(celery, db.engine, older_than_s=0) == 1
    assert relay(celery, db.engine, older_than_s=0) == 0
    session.refresh(message)
    assert message.sent_at is not None and message.processed_at is None
    client = redis.Redis.from_url(celery.conf.broker_url)
    assert client.llen(queue) == 1
    client.close()


def test_publishing_to_an_unreachable_broker_fails_fast_and_keeps_the_row(
    app: Flask, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    celery: Celery = app.extensions["celery"]
    celery.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    need = factories.make_need(session)
    message = request_need_matching(session=session, need_id=need.id or 0)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="app.queue"):
        session.commit()  # publishes after the commit, as in a web request
        committed = time.monotonic() - started
        assert relay(celery, db.engine, older_than_s=0) == 0
    assert committed < 1.0, f"the commit waited {committed:.2f} s on a dead broker"
    assert time.monotonic() - started < 2.0
    session.refresh(message)
    assert message.sent_at is None and message.last_error.startswith("not published")
    assert any("not published" in r.getMessage() for r in caplog.records)
