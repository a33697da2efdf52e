"""The outbox: background work recorded in the same transaction as the change that needs it."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.base import utcnow
from app.outbox.models import OutboxMessage

MATCH_VOLUNTEER = "matching.match_volunteer"
MATCH_NEED = "matching.match_need"
MATCH_ALL = "matching.match_all"

# Where a session keeps the ids it added, to be published once its transaction commits.
PENDING_KEY = "outbox_pending"


def add_message(*, session: Session, task_name: str, payload: dict[str, Any]) -> OutboxMessage:
    """Adds (does not commit) a message; it is published after the caller commits."""
    message = OutboxMessage(task_name=task_name, payload=payload)
    session.add(message)
    session.flush()
    session.info.setdefault(PENDING_KEY, []).append(message.id)
    return message


def request_volunteer_matching(*, session: Session, volunteer_id: int) -> OutboxMessage:
    return add_message(session=session, task_name=MATCH_VOLUNTEER, payload={"volunteer_id": volunteer_id})


def request_need_matching(*, session: Session, need_id: int) -> OutboxMessage:
    return add_message(session=session, task_name=MATCH_NEED, payload={"need_id": need_id})


def unsent_message_ids(*, session: Session, older_than_s: float = 10.0, limit: int = 500) -> list[int]:
    """Messages whose publishing failed or never happened; locked rows are skipped (PostgreSQL)."""
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    query = (
        select(OutboxMessage.id)
        .where(col(OutboxMessage.sent_at).is_(None), OutboxMessage.created_at <= cutoff)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [message_id for message_id in session.exec(query) if message_id is not None]


def mark_processed(*, session: Session, message_ids: Sequence[int | None]) -> None:
    """Adds (does not commit) the mark that the tasks of these messages have run."""
    ids = [i for i in message_ids if i is not None]
    if not ids:
        return
    # One statement, without loading the rows first: a task that took others along marks them all.
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids))
        .values(processed_at=utcnow(), attempts=col(OutboxMessage.attempts) + 1)
    )


def record_failure(*, session: Session, message_id: int | None, error: str) -> None:
    """Commits one more attempt and its error on the message, for the operator to see."""
    if message_id is None:
        return
    message = session.get(OutboxMessage, message_id)
    if message is not None:
        message.attempts += 1
        message.last_error = error[:2000]
        session.add(message)
        session.commit()
