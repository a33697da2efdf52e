"""Celery tasks: thin adapters that load rows, call `matching`, and store proposals in one commit."""

import logging
import time
from datetime import date
from typing import Any

from celery import current_task, shared_task
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from app.base import utcnow
from app.extensions import db
from app.matching_runs import services as runs
from app.matching_runs.models import MatchRun, RunKind
from app.needs.relaxations import store_relaxations
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_NEED, MATCH_VOLUNTEER
from app.proposals.refresh import decided_pairs, insert_new_proposals, store_proposals
from app.queue import relay
from matching.types import MatchParams, Proposal
from workers import warm
from workers.memory import release_free_memory

log = logging.getLogger(__name__)

# Database hiccups (a dropped connection, a deadlock, a lock timeout) and a concurrent run that
# inserted the same proposal first (unique volunteer+need) are retried with back-off, a bounded
# number of times; re-running is safe because every task is idempotent.
RETRYABLE = (OperationalError, IntegrityError)
RETRYING: dict[str, Any] = {
    "autoretry_for": RETRYABLE,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "acks_late": True,
}
NOTHING = {"added": 0, "updated": 0, "withdrawn": 0}


# Which outbox task matches each kind of run, and the payload key of its subject.
SINGLE = {RunKind.VOLUNTEER: (MATCH_VOLUNTEER, "volunteer_id"), RunKind.NEED: (MATCH_NEED, "need_id")}


def _match(
    session: Session, kind: RunKind, subjects: list[int]
) -> tuple[dict[int | None, list[Proposal]], dict[int, dict[str, int]] | None, int, int]:
    """The one call into the matcher, on this process's warm state: proposals by subject (None: all),
    per need matched how many more volunteers would qualify if one requirement were relaxed (None:
    not counted, as for volunteers), and how many volunteers and needs it looked at.

    The nightly run fits afresh and thins its candidates to what places and capacities allow
    (matching.assignment); single profiles are matched on the warm state without refitting.
    """
    params = MatchParams(today=date.today(), threads=current_app.config["MATCH_THREADS"])
    by_subject: dict[int | None, list[Proposal]]
    relaxed: dict[int, dict[str, int]] | None = None
    if kind == RunKind.ALL:
        matcher = warm.fit(session, params)
        by_subject = {None: list(matcher.match_all(assignment=True, decided=decided_pairs(session=session)))}
        relaxed = matcher.relaxations()
        release_free_memory()  # what the full run freed would otherwise stay with this process
    elif kind == RunKind.VOLUNTEER and subjects:
        matcher = warm.synced(session, params, volunteer_ids=subjects)
        by_subject = {i: list(matcher.match_volunteer(i)) for i in subjects}
    elif kind == RunKind.NEED and subjects:
        matcher = warm.synced(session, params, need_ids=subjects)
        by_subject = {i: list(matcher.match_need(i)) for i in subjects}
        relaxed = matcher.relaxations(subjects)
    else:
        raise ValueError(f"nothing to match for {kind} {subjects}")
    everything = [p for found in by_subject.values() for p in found]
    # A volunteer task loaded its volunteers fresh in this transaction (warm.synced): they exist.
    live = set(map(_pair, warm.existing(session, everything, check_volunteers=kind != RunKind.VOLUNTEER)))
    live_by_subject = {s: [p for p in found if _pair(p) in live] for s, found in by_subject.items()}
    return live_by_subject, relaxed, len(matcher.volunteers.profiles), len(matcher.needs.profiles)


def _pair(proposal: Proposal) -> tuple[int, int]:
    return proposal.volunteer_id, proposal.need_id


def _store(
    session: Session,
    kind: RunKind,
    subject: int | None,
    found: list[Proposal],
    new_rows: list[dict[str, Any]],
) -> dict[str, int]:
    """Stores one subject's proposals; a paused or closed profile gets none, so its pending ones go.
    New proposals are put into `new_rows`, for the caller to insert those of all subjects at once."""
    scope = [subject] if subject is not None else None
    if kind == RunKind.NEED:
        return store_proposals(session=session, proposals=found, need_ids=scope, new_rows=new_rows)
    return store_proposals(session=session, proposals=found, volunteer_ids=scope, new_rows=new_rows)


def _match_and_store(kind: RunKind, subject: int | None, outbox_id: int | None) -> dict[str, int]:
    """Matches the subject (None: everyone against every open need) and stores the result in one commit.

    Runs at most once in effect per outbox message, and not at all after too many attempts. On its
    first attempt it takes waiting messages of the same kind along (a burst), in the same commit.
    """
    run = _begin(kind, subject, outbox_id)
    if run is None or run.id is None:
        log.info(
            "%s matching of %s skipped: processed already or given up (outbox %s)", kind, subject, outbox_id
        )
        return dict(NOTHING)
    taken: list[int] = []  # the messages the attempt took along, filled in by _attempt
    try:
        try:
            counts = _attempt(kind, subject, outbox_id, run, taken)
        except Exception as error:
            warm.forget()  # the state may hold changes that were rolled back
            if not taken or isinstance(error, RETRYABLE):
                raise
            # A message taken along may be what broke: this one gets a try on its own before it fails.
            log.warning("matching %s %s with others failed (%r); alone now", kind, subject, error)
            taken = []
            counts = _attempt(kind, subject, outbox_id, run, None)
    except Exception as error:
        warm.forget()
        _record_failure(run, outbox_id, error)
        raise
    log.info("matched %s %s (and %s more waiting): %s", kind, subject or "all", len(taken), counts)
    return counts


def _attempt(
    kind: RunKind, subject: int | None, outbox_id: int | None, run: MatchRun, taken: list[int] | None
) -> dict[str, int]:
    """One transaction: match, store, mark processed, finish the run. With `taken`, waiting messages
    of the same kind are matched along, and their ids are put into it before the work starts."""
    with db.new_session() as session:
        # Locks the message until the commit: a duplicate delivery running alongside waits here.
        if outbox_id is not None and not runs.still_unprocessed(session=session, message_id=outbox_id):
            return dict(NOTHING)
        _pause_for_tests()
        started = utcnow()
        along = _along(session, kind, run, outbox_id) if taken is not None else []
        if taken is not None:
            taken.extend(message.id or 0 for message, _ in along)
        subjects = [s for s in (subject, *(other for _, other in along)) if s is not None]
        found, relaxed, volunteers, needs = _match(session, kind, subjects)
        # The subjects' scopes are disjoint, so each store's query need not flush the ones before it:
        # changes are flushed, and all new proposals inserted in one statement, after the last store.
        new_rows: list[dict[str, Any]] = []
        with session.no_autoflush:
            counts = _store(session, kind, subject, found.get(subject, []), new_rows)
            for message, other in along:
                done = _store(session, kind, other, found.get(other, []), new_rows)
                runs.record_done_along(
                    session=session,
                    message=message,
                    kind=kind,
                    subject_id=other,
                    started_at=started,
                    counts=done,
                    volunteers=volunteers,
                    needs=needs,
                )
        insert_new_proposals(session=session, rows=new_rows)
        if relaxed is not None:
            scope = None if kind == RunKind.ALL else subjects
            store_relaxations(session=session, counts=relaxed, need_ids=scope)
        outbox.mark_processed(session=session, message_ids=[outbox_id, *(message.id for message, _ in along)])
        runs.finish(session=session, run=run, counts=counts, volunteers=volunteers, needs=needs)
        session.commit()
        return counts


def _along(
    session: Session, kind: RunKind, run: MatchRun, outbox_id: int | None
) -> list[tuple[OutboxMessage, int]]:
    """Waiting messages of the same kind to match in this task, with their subjects (first attempts only)."""
    if outbox_id is None or kind not in SINGLE or run.attempts > 1:
        return []
    task_name, key = SINGLE[kind]
    limit = current_app.config["MATCH_BATCH_SIZE"]
    claimed = runs.claim_waiting(session=session, task_name=task_name, besides=outbox_id, limit=limit)
    return [(m, m.payload[key]) for m in claimed if isinstance(m.payload.get(key), int)]


def _begin(kind: RunKind, subject: int | None, outbox_id: int | None) -> MatchRun | None:
    request = getattr(current_task, "request", None)
    with db.new_session() as session:
        return runs.begin_attempt(
            session=session,
            kind=kind,
            subject_id=subject,
            outbox_message_id=outbox_id,
            celery_task_id=getattr(request, "id", None),
            max_attempts=current_app.config["MATCH_MAX_ATTEMPTS"],
        )


def _pause_for_tests() -> None:
    # Test hook (MATCH_TEST_DELAY_S, unset in production): keeps the task busy mid-transaction, holding
    # its database connection, so the fault tests can kill the worker or drop the connection right here.
    delay = current_app.config.get("MATCH_TEST_DELAY_S", 0)
    if delay:
        time.sleep(delay)


def _record_failure(run: MatchRun, outbox_id: int | None, error: Exception) -> None:
    request = getattr(current_task, "request", None)
    retries = getattr(request, "retries", 0) or 0
    retryable = isinstance(error, RETRYABLE)
    # Mirrors Celery's own check, so that the run shows "waiting" exactly when a retry is coming.
    will_retry = (
        retryable
        and retries < RETRYING["max_retries"]
        and run.attempts < current_app.config["MATCH_MAX_ATTEMPTS"]
    )
    try:
        with db.new_session() as session:
            runs.record_failure(
                session=session,
                run_id=run.id or 0,
                error=repr(error),
                will_retry=will_retry,
                retryable=retryable,
            )
            outbox.record_failure(session=session, message_id=outbox_id, error=repr(error))
    except Exception:  # the database may be what failed; the task's own error is what matters
        log.exception("could not record the failure of outbox message %s", outbox_id)


@shared_task(name="matching.match_volunteer", **RETRYING)
def match_volunteer(volunteer_id: int, outbox_id: int | None = None) -> dict[str, int]:
    """One volunteer against every open need."""
    return _match_and_store(RunKind.VOLUNTEER, volunteer_id, outbox_id)


@shared_task(name="matching.match_need", **RETRYING)
def match_need(need_id: int, outbox_id: int | None = None) -> dict[str, int]:
    """Every volunteer against one need (a paused or closed need withdraws its pending proposals)."""
    return _match_and_store(RunKind.NEED, need_id, outbox_id)


@shared_task(name="matching.match_all", **RETRYING)
def match_all(outbox_id: int | None = None) -> dict[str, int]:
    """Everything against everything: the nightly run, which also catches any lost message."""
    return _match_and_store(RunKind.ALL, None, outbox_id)


@shared_task(name="outbox.relay", **RETRYING)
def relay_outbox() -> int:
    """Publishes outbox messages whose publishing failed (for example while Redis was down)."""
    return relay(current_app.extensions["celery"], db.engine)


@shared_task(name="pipeline.ping", **RETRYING)
def ping(outbox_id: int | None = None) -> None:
    """Only marks its outbox message processed: the empty round trip that bench.pipeline compares with."""
    with db.new_session() as session:
        outbox.mark_processed(session=session, message_ids=[outbox_id])
        session.commit()
