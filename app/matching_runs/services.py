"""Recording matching runs (for the worker) and reading them back (for the coordinators' page)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.base import utcnow
from app.matching_runs.models import MatchRun, RunKind, RunStatus
from app.outbox.models import OutboxMessage

GIVEN_UP = "Given up after {attempts} attempts."
DIED = "The last attempt did not finish (did the worker process die?)"


def begin_attempt(
    *,
    session: Session,
    kind: RunKind,
    subject_id: int | None,
    outbox_message_id: int | None,
    celery_task_id: str | None,
    max_attempts: int,
) -> MatchRun | None:
    """Commits one more attempt of a run and returns it as running; None when it must not run (again).

    Counting before the work starts is what bounds a task whose worker dies every time: the crash
    cannot skip the count. None means: the outbox message was processed already, the run is finished,
    or it has had `max_attempts` attempts (it is then marked failed).
    """
    message = _locked(session, outbox_message_id) if outbox_message_id is not None else None
    if message is not None and message.processed_at is not None:
        session.rollback()
        return None
    # The run's wait starts when the work was asked for.
    run = _find(session, outbox_message_id, celery_task_id) or MatchRun(
        kind=kind,
        subject_id=subject_id,
        outbox_message_id=message.id if message is not None else None,
        queued_at=message.created_at if message is not None else utcnow(),
    )
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        session.rollback()
        return None
    if run.attempts >= max_attempts:
        run.status, run.finished_at = RunStatus.FAILED, utcnow()
        run.error = f"{GIVEN_UP.format(attempts=run.attempts)} {DIED}\n{run.error}".strip()[:4000]
        session.add(run)
        session.commit()
        return None
    run.attempts += 1
    run.status, run.started_at, run.finished_at = RunStatus.RUNNING, utcnow(), None
    run.celery_task_id = celery_task_id or ""
    session.add(run)
    session.commit()
    return run


def still_unprocessed(*, session: Session, message_id: int) -> bool:
    """Locks the outbox message (PostgreSQL) and tells whether its task has yet to take effect.

    Held until the caller's commit, so two deliveries of one message take effect once: the second
    waits, then sees it processed.
    """
    message = _locked(session, message_id)
    # A message that no longer exists has nothing left to protect; the task may run.
    return message is None or message.processed_at is None


def _locked(session: Session, message_id: int) -> OutboxMessage | None:
    query = select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    return session.exec(query).first()


def finish(*, session: Session, run: MatchRun, counts: dict[str, int], volunteers: int, needs: int) -> None:
    """Adds (does not commit) the outcome of a successful attempt, to commit with the proposals.

    `run` is the attempt as `begin_attempt` returned it; one UPDATE, without loading the row again.
    """
    now = utcnow()
    outcome = _outcome(counts, volunteers, needs)
    statement = update(MatchRun).where(col(MatchRun.id) == run.id)
    session.exec(statement.values(**outcome, finished_at=now, error="", duration_ms=_duration_ms(run, now)))


def claim_waiting(*, session: Session, task_name: str, besides: int, limit: int) -> list[OutboxMessage]:
    """Locks up to `limit` further messages of the same task that wait and that no attempt has touched.

    A burst of registrations is matched in a few tasks instead of one each: the task matches these
    along with its own message and marks them processed; their own deliveries then find nothing to do.
    Messages another transaction holds (a task beginning them, the relay) are skipped, not waited for
    (PostgreSQL; SQLite has one writer anyway). Only untried ones: a message whose matching crashed
    once is matched on its own from then on, so it cannot take others down with it again.

    The newest are taken first. The deliveries that come next are those of the oldest waiting
    messages; had this task locked them, another worker process would wait on each lock until this
    commit, so only one process would work during a burst.
    """
    if limit <= 0:
        return []
    started = select(MatchRun.outbox_message_id).where(col(MatchRun.outbox_message_id).is_not(None))
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.task_name == task_name,
            col(OutboxMessage.processed_at).is_(None),
            OutboxMessage.id != besides,
            col(OutboxMessage.id).not_in(started),
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(query))


def record_done_along(
    *,
    session: Session,
    message: OutboxMessage,
    kind: RunKind,
    subject_id: int,
    started_at: datetime,
    counts: dict[str, int],
    volunteers: int,
    needs: int,
) -> None:
    """Adds (does not commit) the finished run of a message matched within another message's task."""
    run = MatchRun(
        kind=kind,
        subject_id=subject_id,
        outbox_message_id=message.id,
        attempts=1,
        queued_at=message.created_at,
        started_at=started_at,
        finished_at=utcnow(),
        **_outcome(counts, volunteers, needs),
    )
    run.duration_ms = _duration_ms(run)
    session.add(run)


def _outcome(counts: dict[str, int], volunteers: int, needs: int) -> dict[str, Any]:
    """The fields of a successful run: done, with what the matcher looked at and what it changed."""
    return {
        "status": RunStatus.DONE,
        "volunteers": volunteers,
        "needs": needs,
        "added": counts["added"],
        "updated": counts["updated"],
        "withdrawn": counts["withdrawn"],
    }


def record_failure(*, session: Session, run_id: int, error: str, will_retry: bool, retryable: bool) -> None:
    """Commits the error of a failed attempt: queued again when Celery retries it, failed otherwise."""
    run = session.get(MatchRun, run_id)
    if run is None:
        return
    if retryable and not will_retry:
        error = f"{GIVEN_UP.format(attempts=run.attempts)}\n{error}"
    run.status = RunStatus.QUEUED if will_retry else RunStatus.FAILED
    run.finished_at = None if will_retry else utcnow()
    run.duration_ms = _duration_ms(run, utcnow())
    run.error = error[:4000]
    session.add(run)
    session.commit()


@dataclass(frozen=True)
class Overview:
    runs: list[MatchRun]
    counts: dict[str, int]  # runs by status
    waiting: int  # outbox messages whose matching has not started yet
    oldest_waiting: datetime | None
    last_computed: datetime | None  # when the last successful run stored its proposals
    last_full_run: datetime | None


def overview(*, session: Session, status: str | None = None, limit: int = 100) -> Overview:
    """The most recent runs (optionally of one status), newest first, with the pipeline's state."""
    query = select(MatchRun).order_by(col(MatchRun.queued_at).desc(), col(MatchRun.id).desc()).limit(limit)
    if status:
        query = query.where(MatchRun.status == status)
    counts = dict(session.exec(select(MatchRun.status, func.count()).group_by(MatchRun.status)).all())
    started = select(MatchRun.outbox_message_id).where(col(MatchRun.outbox_message_id).is_not(None))
    waiting_query = select(func.count(), func.min(OutboxMessage.created_at)).where(
        col(OutboxMessage.processed_at).is_(None),
        col(OutboxMessage.id).not_in(started),
        col(OutboxMessage.task_name).startswith("matching."),
    )
    waiting, oldest = session.exec(waiting_query).one()
    done = select(func.max(MatchRun.finished_at)).where(MatchRun.status == RunStatus.DONE)
    return Overview(
        runs=list(session.exec(query)),
        counts=counts,
        waiting=waiting,
        oldest_waiting=oldest,
        last_computed=session.exec(done).one(),
        last_full_run=session.exec(done.where(MatchRun.kind == RunKind.ALL)).one(),
    )


def _find(session: Session, outbox_message_id: int | None, celery_task_id: str | None) -> MatchRun | None:
    if outbox_message_id is not None:
        query = select(MatchRun).where(MatchRun.outbox_message_id == outbox_message_id)
    elif celery_task_id:
        query = select(MatchRun).where(MatchRun.celery_task_id == celery_task_id)
    else:
        return None  # called directly (tests, the shell): always a run of its own
    return session.exec(query.with_for_update()).first()


def _duration_ms(run: MatchRun, end: datetime | None = None) -> float | None:
    end = end or run.finished_at
    if run.started_at is None or end is None:
        return None
    return round((end - run.started_at).total_seconds() * 1000, 1)
