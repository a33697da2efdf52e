"""One outbox message delivered twice takes effect once; a dropped database connection is retried."""

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.extensions import db
from app.matching_runs.models import RunStatus
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_VOLUNTEER, request_volunteer_matching
from app.proposals.models import Proposal
from tests import factories
from tests.faults.conftest import Stack, make_needs, proposal_pairs, run_of
from tests.faults.harness import wait_for

pytestmark = pytest.mark.faults

# Idle inside a transaction for a while: the task sleeping in its test hook, between loading and storing.
SLEEPING_TASK = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    "AND state = 'idle in transaction' AND state_change < clock_timestamp() - interval '300 milliseconds'"
)


def sleeping_tasks(session: Session) -> list[int]:
    found = [pid for (pid,) in session.execute(text(SLEEPING_TASK))]
    session.rollback()  # pg_stat_activity is a snapshot per transaction
    return found


def register(session: Session) -> tuple[int, int]:
    make_needs(session, 8)
    volunteer = factories.make_volunteer(session, skills=("homework_help",))
    message = request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()
    assert volunteer.id is not None and message.id is not None
    return volunteer.id, message.id


def test_the_same_outbox_message_delivered_three_times_takes_effect_once(stack: Stack) -> None:
    # Two pool processes, so that a copy runs alongside the first delivery, not only after it.
    worker = stack.worker(pool="prefork", concurrency=2, delay_s=1.0)
    celery = stack.app.extensions["celery"]
    with db.new_session() as session:
        volunteer_id, outbox_id = register(session)  # published once by the commit
        for _ in range(2):
            celery.send_task(MATCH_VOLUNTEER, kwargs={"volunteer_id": volunteer_id, "outbox_id": outbox_id})
        log = stack.logs[0]
        wait_for(lambda: log.read_text().count("] succeeded in") == 3, "all three deliveries", *stack.logs)
        assert worker.received(MATCH_VOLUNTEER) == 3
        run = run_of(session, outbox_id)
        # A copy that started alongside the first counts as an attempt, then finds the work done.
        assert run is not None and run.status == RunStatus.DONE and run.attempts in (1, 2)
        message = session.get(OutboxMessage, outbox_id)
        assert message is not None and message.attempts == 1, "processed once"
        pairs = proposal_pairs(session, volunteer_id)
        assert pairs and len(pairs) == len(set(pairs)) == run.added
        assert len({p.computed_at for p in session.exec(select(Proposal))}) == 1, "written by one delivery"


def test_a_dropped_database_connection_mid_task_is_retried_and_completes(stack: Stack) -> None:
    stack.worker(delay_s=1.5)
    with db.new_session() as session:
        volunteer_id, outbox_id = register(session)
        wait_for(lambda: bool(sleeping_tasks(session)), "the task mid-transaction", *stack.logs)
        dropped = session.execute(text(f"SELECT pg_terminate_backend(pid) FROM ({SLEEPING_TASK}) AS t")).all()
        session.commit()
        assert dropped, "no connection to drop"
        wait_for(
            lambda: getattr(run_of(session, outbox_id), "status", "") == RunStatus.DONE,
            "the retry",
            *stack.logs,
        )
        run = run_of(session, outbox_id)
        assert run is not None and run.attempts == 2
        assert "OperationalError" in stack.logs[0].read_text()
        pairs = proposal_pairs(session, volunteer_id)
        assert pairs and len(pairs) == len(set(pairs)) == run.added
