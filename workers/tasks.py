"""Celery tasks: thin adapters that load rows, call `matching`, and store proposals in one commit."""

import logging
from datetime import date
from typing import Any

from celery import shared_task
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from app.extensions import db
from app.outbox import services as outbox
from app.proposals.refresh import store_proposals
from app.queue import relay
from matching.pipeline import match
from matching.types import MatchParams
from workers.convert import load_needs, load_volunteers

log = logging.getLogger(__name__)

# Database hiccups (a dropped connection, a deadlock, a lock timeout) and a concurrent run that
# inserted the same proposal first (unique volunteer+need) are retried with back-off, a bounded
# number of times; re-running is safe because every task is idempotent.
RETRYING: dict[str, Any] = {
    "autoretry_for": (OperationalError, IntegrityError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
    "acks_late": True,
}


def _match_and_store(
    volunteer_ids: list[int] | None, need_ids: list[int] | None, outbox_id: int | None
) -> dict[str, int]:
    """Matches the scope (None: everyone / every open need) and stores the result in one commit."""
    try:
        with db.new_session() as session:
            volunteers = load_volunteers(session=session, ids=volunteer_ids)
            # A re-matched need is loaded whatever its status, so that closing it withdraws its proposals.
            needs = load_needs(session=session, ids=need_ids, open_only=need_ids is None)
            proposals = match(volunteers, needs, MatchParams(today=date.today()))
            counts = store_proposals(
                session=session, proposals=proposals, volunteer_ids=volunteer_ids, need_ids=need_ids
            )
            outbox.mark_processed(session=session, message_id=outbox_id)
            session.commit()
    except Exception as error:
        _record_failure(outbox_id, error)
        raise
    log.info("matched volunteers=%s needs=%s: %s", volunteer_ids or "all", need_ids or "all", counts)
    return counts


def _record_failure(outbox_id: int | None, error: Exception) -> None:
    try:
        with db.new_session() as session:
            outbox.record_failure(session=session, message_id=outbox_id, error=repr(error))
    except Exception:  # the database may be what failed; the task's own error is what matters
        log.exception("could not record the failure of outbox message %s", outbox_id)


@shared_task(name="matching.match_volunteer", **RETRYING)
def match_volunteer(volunteer_id: int, outbox_id: int | None = None) -> dict[str, int]:
    """One volunteer against every open need."""
    return _match_and_store([volunteer_id], None, outbox_id)


@shared_task(name="matching.match_need", **RETRYING)
def match_need(need_id: int, outbox_id: int | None = None) -> dict[str, int]:
    """Every volunteer against one need (a paused or closed need withdraws its pending proposals)."""
    return _match_and_store(None, [need_id], outbox_id)


@shared_task(name="matching.match_all", **RETRYING)
def match_all(outbox_id: int | None = None) -> dict[str, int]:
    """Everything against everything: the nightly run, which also catches any lost message."""
    return _match_and_store(None, None, outbox_id)


@shared_task(name="outbox.relay", **RETRYING)
def relay_outbox() -> int:
    """Publishes outbox messages whose publishing failed (for example while Redis was down)."""
    return relay(current_app.extensions["celery"], db.engine)
