"""Workers die mid-task (a pool child, the whole worker, every attempt): nothing is lost or run forever."""

import time

import pytest
from sqlmodel import Session

from app.extensions import db
from app.matching_runs.models import MatchRun, RunStatus
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_VOLUNTEER, request_volunteer_matching
from tests import factories
from tests.conftest import log_in
from tests.faults.conftest import Stack, make_needs, proposal_pairs, run_of
from tests.faults.harness import wait_for
from workers import tasks

pytestmark = pytest.mark.faults


def register(session: Session) -> tuple[int, int]:
    """A volunteer and the outbox row asking to match them; the commit publishes it."""
    make_needs(session, 12)
    volunteer = factories.make_volunteer(session, skills=("homework_help",))
    message = request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()
    session.refresh(message)
    assert volunteer.id is not None and message.id is not None and message.sent_at is not None
    return volunteer.id, message.id


def run_in(session: Session, outbox_id: int, status: RunStatus, attempts: int | None = None) -> bool:
    run = run_of(session, outbox_id)
    return run is not None and run.status == status and attempts in (None, run.attempts)


def assert_complete(session: Session, volunteer_id: int, run: MatchRun) -> None:
    """Stored once each, and exactly the pairs that matching the volunteer again proposes."""
    pairs = proposal_pairs(session, volunteer_id)
    assert pairs and len(pairs) == len(set(pairs)) == run.added
    # Scores may move (fairness counts the proposals just stored); the set of pairs must not.
    again = tasks.match_volunteer.run(volunteer_id)
    assert (again["added"], again["withdrawn"]) == (0, 0)
    assert proposal_pairs(session, volunteer_id) == pairs


def test_a_pool_child_killed_mid_task_is_redelivered_and_completes(stack: Stack) -> None:
    worker = stack.worker(pool="prefork", delay_s=2.0)
    with db.new_session() as session:
        volunteer_id, outbox_id = register(session)
        wait_for(lambda: run_in(session, outbox_id, RunStatus.RUNNING), "the task to start", *stack.logs)
        killed = worker.kill_child()
        wait_for(lambda: run_in(session, outbox_id, RunStatus.DONE), "the redelivered task", *stack.logs)
        run = run_of(session, outbox_id)
        assert run is not None and run.attempts == 2, "one attempt killed, one completed"
        assert killed not in worker.children()
        assert worker.received(MATCH_VOLUNTEER) == 2
        assert_complete(session, volunteer_id, run)


def test_a_whole_worker_killed_mid_task_is_redelivered_to_the_next_worker(stack: Stack) -> None:
    first = stack.worker(delay_s=2.0)
    with db.new_session() as session:
        volunteer_id, outbox_id = register(session)
        wait_for(lambda: run_in(session, outbox_id, RunStatus.RUNNING), "the task to start", *stack.logs)
        first.kill()  # nobody acknowledges or requeues: Redis holds it as unacknowledged
        killed_at = time.monotonic()
        stack.worker()
        # Back after the visibility timeout (6 s here) and the next restore sweep.
        wait_for(lambda: run_in(session, outbox_id, RunStatus.DONE), "the restored task", *stack.logs)
        recovery_s = time.monotonic() - killed_at
        run = run_of(session, outbox_id)
        assert run is not None and run.attempts == 2
        # Including the new worker's start; with kombu's defaults it would be an hour (visibility timeout).
        assert recovery_s < 40, f"took {recovery_s:.1f} s"
        assert_complete(session, volunteer_id, run)


def test_a_task_that_always_crashes_is_given_up_after_the_bounded_attempts(stack: Stack) -> None:
    worker = stack.worker(pool="prefork", delay_s=1.0)
    with db.new_session() as session:
        _, outbox_id = register(session)
        for attempt in (1, 2, 3):  # MATCH_MAX_ATTEMPTS in tests/faults/conftest.py
            wait_for(
                lambda attempt=attempt: run_in(session, outbox_id, RunStatus.RUNNING, attempt),  # type: ignore[misc]
                f"attempt {attempt}",
                *stack.logs,
            )
            worker.kill_child()
        wait_for(lambda: run_in(session, outbox_id, RunStatus.FAILED), "the run marked failed", *stack.logs)
        time.sleep(2.0)  # an endless loop would show here as more deliveries
        run = run_of(session, outbox_id)
        assert run is not None and run.attempts == 3 and "Given up after 3 attempts" in run.error
        assert worker.received(MATCH_VOLUNTEER) == 4, "three crashed attempts, one that gave up"
        broker = stack.redis.client()
        assert broker.llen(stack.queue) == 0 and broker.hlen("unacked") == 0
        message = session.get(OutboxMessage, outbox_id)
        assert message is not None and message.processed_at is None
        coordinator = factories.make_coordinator(session, locale="en")
    client = stack.app.test_client()
    log_in(client, coordinator)
    page = client.get("/abgleich-laeufe/", query_string={"status": "failed"}).text
    assert f'id="run-{run.id}"' in page and "Given up after 3 attempts" in page
