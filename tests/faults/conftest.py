"""The fault tests' stack: a fresh PostgreSQL database, a redis-server of their own, workers on demand."""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlmodel import Session, col, func, select

from app import create_app, migrate, reference
from app.accounts import services as accounts
from app.config import Settings
from app.embeddings import embed_on_save
from app.extensions import db
from app.matching_runs.models import MatchRun
from app.proposals.models import Proposal
from tests import factories
from tests.conftest import empty_all_tables
from tests.faults.harness import RedisServer, Worker
from tests.support.services import fresh_postgres_database

# Short enough to see a dead worker's task come back within seconds, longer than any test task.
FAST_RECOVERY = {"CELERY_VISIBILITY_TIMEOUT": "6", "CELERY_RESTORE_SWEEP_S": "1", "MATCH_MAX_ATTEMPTS": "3"}


@pytest.fixture(scope="package")
def database_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    # A full-strength hash takes most of a second on a busy 2-core machine; these tests time the
    # pipeline (a registration's answer among them), not the hash.
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@dataclass
class Stack:
    app: Flask
    redis: RedisServer
    url: str
    queue: str
    tmp_path: Path
    workers: list[Worker] = field(default_factory=list)

    def worker(self, pool: str = "solo", concurrency: int = 1, delay_s: float = 0.0) -> Worker:
        """Starts a worker on this stack's queue; `delay_s` keeps each matching task busy that long."""
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "CELERY_BROKER_URL": self.redis.url,
            "CELERY_QUEUE": self.queue,
            "TASKS_IN_PROCESS": "0",
            "MAIL_BACKEND": "console",
            "MATCH_TEST_DELAY_S": str(delay_s),
            **FAST_RECOVERY,
        }
        self.workers.append(Worker(env, self.tmp_path / "worker.log", pool=pool, concurrency=concurrency))
        return self.workers[-1].start()

    @property
    def logs(self) -> tuple[Path, Path]:
        return self.tmp_path / "worker.log", self.tmp_path / "redis.log"


@pytest.fixture
def stack(database_url: str, tmp_path: Path) -> Iterator[Stack]:
    """The app publishing to its own redis-server (append-only file on), over an emptied database."""
    server = RedisServer(tmp_path)
    server.start()
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=database_url,
        broker_url=server.url,
        task_queue=queue,
        tasks_in_process=False,
        mail_backend="console",
        secret_key="test-secret",
    )
    flask_app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False)
    with flask_app.app_context():
        with db.new_session() as session:
            empty_all_tables(session)
            reference.load_reference_data(session=session)
        stack = Stack(flask_app, server, database_url, queue, tmp_path)
        try:
            yield stack
        finally:
            for worker in stack.workers:
                worker.kill()  # nothing to finish gracefully, and a warm shutdown takes seconds
            server.stop()
            db.engine.dispose()


def make_needs(session: Session, count: int) -> None:
    """Open needs the default volunteer of tests.factories is eligible for, embedded as when saved: a
    fresh worker child would otherwise load both sentence models inside the short task time limit
    these tests set (5 s), which they are not about."""
    organisation = factories.make_organisation(session)
    for _ in range(count):
        need = factories.make_need(session, organisation=organisation, skills=("homework_help",))
        embed_on_save(need)
        session.add(need)
    session.commit()


def proposal_pairs(session: Session, volunteer_id: int | None = None) -> list[tuple[int, int]]:
    session.expire_all()
    query = select(Proposal.volunteer_id, Proposal.need_id).order_by(col(Proposal.need_id))
    if volunteer_id is not None:
        query = query.where(Proposal.volunteer_id == volunteer_id)
    return [(v, n) for v, n in session.exec(query)]


def run_of(session: Session, outbox_id: int | None) -> MatchRun | None:
    session.expire_all()
    return session.exec(select(MatchRun).where(MatchRun.outbox_message_id == outbox_id)).first()


def count_runs(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(MatchRun)).one()
