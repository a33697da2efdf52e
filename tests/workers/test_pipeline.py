"""The production shape: a real Celery worker process, Redis and PostgreSQL, fed through the outbox."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from celery.schedules import crontab
from flask import Flask
from sqlmodel import Session, select

from app import create_app, migrate, reference
from app.base import utcnow
from app.config import Settings
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_NEED, request_volunteer_matching
from app.proposals.models import Proposal
from tests import factories
from tests.support.services import fresh_postgres_database, require_redis

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 20.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Path]]:
    """A migrated PostgreSQL database, a queue of our own on the local Redis, and a worker consuming it."""
    broker = require_redis()
    queue = f"test-pipeline-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with fresh_postgres_database() as url:
        migrate.upgrade(url)
        settings = Settings(database_url=url, broker_url=broker, task_queue=queue, tasks_in_process=False)
        flask_app = create_app(settings, TESTING=True)
        engine = db.engine  # create_app() rebinds the shared `db`; this engine is the one to dispose
        with flask_app.app_context():
            with db.new_session() as session:
                reference.load_reference_data(session=session)
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "CELERY_BROKER_URL": broker,
                "CELERY_QUEUE": queue,
                "TASKS_IN_PROCESS": "0",
                "MAIL_BACKEND": "console",
            }
            command = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--pool=solo"]
            command += ["-Q", queue, "-n", f"{queue}@%h", "--loglevel=INFO"]
            command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            with open(log_path, "wb") as log:
                worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            try:
                yield flask_app, log_path
            finally:
                _stop(worker)
                client = redis.Redis.from_url(broker)
                client.delete(queue, f"_kombu.binding.{queue}")
                client.close()
                engine.dispose()


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)  # warm shutdown: finishes the running task
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_for(condition: Callable[[], bool], log_path: Path) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"not done within {TIMEOUT_S} s; worker log:\n{log_path.read_text()[-4000:]}")


def stored(session: Session, volunteer_id: int | None) -> list[Proposal]:
    session.expire_all()
    return list(session.exec(select(Proposal).where(Proposal.volunteer_id == volunteer_id)))


def test_a_committed_change_is_matched_by_the_worker(stack: tuple[Flask, Path]) -> None:
    _, log_path = stack
    with db.new_session() as session:
        volunteer = factories.make_volunteer(session, skills=("homework_help",))
        need = factories.make_need(session, skills=("homework_help",))
        factories.make_need(session, requires_certificate=True)  # not eligible
        message = request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
        session.commit()  # publishes to Redis; the worker picks it up
        session.refresh(message)
        assert message.sent_at is not None
        wait_for(lambda: bool(stored(session, volunteer.id)), log_path)
        assert [p.need_id for p in stored(session, volunteer.id)] == [need.id]
        session.refresh(message)  # marked in the same commit as the proposals
        assert message.processed_at is not None and message.attempts == 1


def test_the_worker_relays_a_message_that_missed_the_broker(stack: tuple[Flask, Path]) -> None:
    flask_app, log_path = stack
    with db.new_session() as session:
        volunteer = factories.make_volunteer(session)
        need = factories.make_need(session)
        # As a commit leaves it while Redis is down: stored, never sent, older than the relay's grace time.
        message = OutboxMessage(
            task_name=MATCH_NEED, payload={"need_id": need.id}, created_at=utcnow() - timedelta(minutes=1)
        )
        session.add(message)
        session.commit()
        flask_app.extensions["celery"].send_task("outbox.relay")  # what beat sends every 30 s
        wait_for(lambda: bool(stored(session, volunteer.id)), log_path)
        session.refresh(message)
        assert message.sent_at is not None


def test_beat_schedules_the_relay_the_nightly_run_and_the_daily_housekeeping() -> None:
    from workers.celery_app import celery

    schedule = celery.conf.beat_schedule
    daily = {"privacy.retention", "volunteers.certificate_reminders", "pairings.check_ins"}
    assert {entry["task"] for entry in schedule.values()} == {"outbox.relay", "matching.match_all", *daily}
    for entry in schedule.values():
        if entry["task"] in daily:
            assert isinstance(entry["schedule"], crontab) and len(entry["schedule"].hour) == 1
    relay = next(e for e in schedule.values() if e["task"] == "outbox.relay")
    assert relay["schedule"] == 30.0
    nightly = next(e for e in schedule.values() if e["task"] == "matching.match_all")["schedule"]
    assert isinstance(nightly, crontab) and nightly.hour == {2} and nightly.minute == {30}
    assert celery.conf.timezone == "Europe/Berlin" and not celery.conf.task_always_eager
    celery.loader.import_default_modules()
    assert {"outbox.relay", "matching.match_all", "matching.match_volunteer", *daily} <= set(celery.tasks)
