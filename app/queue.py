"""Celery bound to the Flask app, and publishing outbox messages after their transaction commits."""

import logging
from collections.abc import Iterable
from typing import Any

from celery import Celery, Task
from flask import Flask
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.base import utcnow
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage
from app.outbox.services import PENDING_KEY

log = logging.getLogger(__name__)

# Fail fast when the broker is down: the outbox row stays unsent and the relay tries again later,
# so a request never waits on a broken broker (measured: under 0.2 s instead of 6 s).
FAIL_FAST = {"max_retries": 0}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(app.config["CELERY"])
    if app.config["TASKS_IN_PROCESS"]:
        # Embedded mode: the task code runs in this process; Celery loads it by module name,
        # because app/ never imports workers/.
        celery.conf.include = ["workers.tasks", "workers.housekeeping"]
    celery.set_default()
    app.extensions["celery"] = celery

    engine = app.extensions["database"].engine

    def publish_committed(session: Session) -> None:
        ids = session.info.pop(PENDING_KEY, None)
        if ids:
            publish(celery, engine, ids)

    def forget_rolled_back(session: Session) -> None:
        session.info.pop(PENDING_KEY, None)

    app.extensions["database"].commit_hooks = (publish_committed, forget_rolled_back)
    return celery


def publish(celery: Celery, engine: Engine, message_ids: Iterable[int]) -> int:
    """Sends the given outbox messages that are still unsent, each at most once; returns how many went.

    One statement claims the rows (marks them sent and returns them); they stay locked until the
    commit, so a concurrent relay skips them (PostgreSQL). Rows that could not be sent are unmarked
    before the commit. When the broker is unreachable this returns within a second and leaves the
    rows for the relay.
    """
    ids = list(message_ids)
    if not ids:
        return 0
    in_process = bool(celery.conf.task_always_eager)
    if in_process:
        celery.loader.import_default_modules()
    message_id_column = col(OutboxMessage.id)
    unsent = (
        select(message_id_column)
        .where(message_id_column.in_(ids), col(OutboxMessage.sent_at).is_(None))
        .with_for_update(skip_locked=True)
    )
    sent: list[tuple[str, dict[str, Any]]] = []
    # A plain connection, not an ORM session: these are bulk statements with no objects to keep in
    # step, and the ORM's bookkeeping would cost more than the statements (every registration pays it).
    with engine.begin() as connection:
        claim = (
            update(OutboxMessage)
            .where(message_id_column.in_(unsent.scalar_subquery()))
            .values(sent_at=utcnow())
            .returning(message_id_column, col(OutboxMessage.task_name), col(OutboxMessage.payload))
        )
        claimed = sorted(tuple(row) for row in connection.execute(claim))
        for position, (message_id, task_name, payload) in enumerate(claimed):
            job = (task_name, {**payload, "outbox_id": message_id})
            # In process the task runs below, after the commit: it writes to this row itself.
            error = _known_here(celery, task_name) if in_process else _send(celery, *job)
            if not error:
                sent.append(job)
                continue
            log.warning("outbox message %s not published (%s); the relay will retry", message_id, error)
            # Unmarked for the relay. A broker that is down would fail the rest the same way (a timeout
            # each), so they are left to the relay too.
            left = [message_id] if in_process else [row[0] for row in claimed[position:]]
            connection.execute(update(OutboxMessage).where(message_id_column.in_(left)).values(sent_at=None))
            connection.execute(
                update(OutboxMessage)
                .where(message_id_column == message_id)
                .values(last_error=f"not published: {error}"[:2000])
            )
            if not in_process:
                break
    if in_process:
        for job in sent:
            _run_here(celery, *job)
    return len(sent)


def relay(celery: Celery, engine: Engine, older_than_s: float = 10.0) -> int:
    """Publishes outbox messages whose publishing failed or never happened; returns how many went."""
    with Session(engine) as session:
        ids = outbox.unsent_message_ids(session=session, older_than_s=older_than_s)
    return publish(celery, engine, ids)


def _send(celery: Celery, task_name: str, kwargs: dict[str, Any]) -> str:
    """Hands one message to the broker; returns the error, or "" when it went."""
    try:
        celery.send_task(task_name, kwargs=kwargs, retry=True, retry_policy=FAIL_FAST)
    except Exception as error:  # kombu raises many kinds (OperationalError, socket errors, ...)
        return repr(error)
    return ""


def _known_here(celery: Celery, task_name: str) -> str:
    return "" if task_name in celery.tasks else f"unknown task {task_name}"


def _run_here(celery: Celery, task_name: str, kwargs: dict[str, Any]) -> None:
    result = celery.tasks[task_name].apply(kwargs=kwargs)
    if result.failed():
        # The task recorded the error on its outbox row; the nightly run catches up.
        log.error("in-process task %s %s failed: %r", task_name, kwargs, result.result)


def install_session_events() -> None:
    """Runs the commit hooks of whichever Database made a session (see Database.commit_hooks)."""

    @event.listens_for(Session, "after_commit")
    def _after_commit(session: Session) -> None:
        hooks = session.info.get("commit_hooks")
        if hooks:
            hooks[0](session)

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session: Session) -> None:
        hooks = session.info.get("commit_hooks")
        if hooks:
            hooks[1](session)


install_session_events()
