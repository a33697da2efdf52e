"""Redis goes away: registrations are still saved at once, and queued tasks survive a restart."""

import time
from typing import Any

import pytest
from sqlmodel import select

from app import queue
from app.extensions import db
from app.matching_runs.models import MatchRun, RunStatus
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_VOLUNTEER, request_volunteer_matching
from app.queue import publish, relay
from app.volunteers.models import Volunteer
from tests import factories
from tests.app.test_volunteers_register import REGISTER, registration_form
from tests.faults.conftest import Stack, count_runs, make_needs, proposal_pairs, run_of
from tests.faults.harness import wait_for

pytestmark = pytest.mark.faults


def test_registering_while_redis_is_down_is_answered_at_once_and_matched_once_later(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    publishing: list[float] = []

    def timed_publish(*args: Any) -> int:
        started = time.monotonic()
        try:
            return publish(*args)
        finally:
            publishing.append(time.monotonic() - started)

    monkeypatch.setattr(queue, "publish", timed_publish)  # what the after-commit hook calls
    worker = stack.worker()
    with db.new_session() as session:
        make_needs(session, 5)
        form = registration_form(session, availability=["1-afternoon"])
    client = stack.app.test_client()
    client.get(REGISTER)  # templates compiled, as in a running server
    stack.redis.stop()
    started = time.monotonic()
    response = client.post(REGISTER, data=form, headers={"Accept-Language": "en"})
    answered_s = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert len(publishing) == 1 and publishing[0] < 0.5, f"publishing took {publishing} s"
    assert answered_s < 1.0, f"the registration took {answered_s:.2f} s with the broker down"
    assert "We sent a link to" in response.text and 'role="alert"' not in response.text
    with db.new_session() as session:
        volunteer = session.exec(select(Volunteer)).one()
        message = session.exec(select(OutboxMessage)).one()
        assert message.sent_at is None and message.last_error.startswith("not published")

        stack.redis.start()  # same port, same append-only file
        celery = stack.app.extensions["celery"]
        # Two relays at once (beat ticks on two hosts, say) publish it once between them.
        assert relay(celery, db.engine, older_than_s=0) + relay(celery, db.engine, older_than_s=0) == 1
        wait_for(
            lambda: getattr(run_of(session, message.id), "status", "") == RunStatus.DONE,
            "matching",
            *stack.logs,
        )
        time.sleep(1.0)  # room for a second delivery, which must not come
        run = run_of(session, message.id)
        assert run is not None and run.attempts == 1 and count_runs(session) == 1
        assert worker.received(MATCH_VOLUNTEER) == 1
        assert len(proposal_pairs(session, volunteer.id)) == run.added > 0


def test_tasks_queued_in_redis_survive_its_restart(stack: Stack) -> None:
    with db.new_session() as session:
        make_needs(session, 3)
        organisation_needs = len(proposal_pairs(session))  # none yet
        assert organisation_needs == 0
        ids = []
        for _ in range(20):
            volunteer = factories.make_volunteer(session)
            ids.append(request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0).id)
            session.commit()  # published one by one, as registrations come in
    broker = stack.redis.client()
    assert broker.llen(stack.queue) == 20
    stack.redis.stop()  # no worker has taken anything yet
    stack.redis.start()
    assert broker.llen(stack.queue) == 20, "Redis lost queued tasks on restart (is appendonly on?)"
    stack.worker()
    with db.new_session() as session:

        def all_done() -> bool:
            session.expire_all()
            done = select(MatchRun).where(MatchRun.status == RunStatus.DONE)
            return len(session.exec(done).all()) == 20

        wait_for(all_done, "all 20 queued tasks to be matched", *stack.logs)
        runs = {run.outbox_message_id: run for run in session.exec(select(MatchRun))}
        assert set(runs) == set(ids) and {run.attempts for run in runs.values()} == {1}
        assert all(m.processed_at is not None for m in session.exec(select(OutboxMessage)))
