"""Engine and sessions: one engine per app, one session per request or task."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless told so on every connection; WAL lets the worker read
    # while the web process writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


class Database:
    """Holds the engine of one Flask app; request code asks for `db.session`."""

    def __init__(self) -> None:
        self._engine: Engine | None = None
        # (after commit, after rollback), set by the queue so that committed outbox rows get published.
        self.commit_hooks: tuple[Callable[[Session], None], Callable[[Session], None]] | None = None

    def init_app(self, app: Flask) -> None:
        self._engine = make_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        app.extensions["database"] = self
        # Per request too: a test's outer app context would otherwise keep one session across requests.
        app.teardown_request(self._close_request_session)
        app.teardown_appcontext(self._close_request_session)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("Database.init_app() was not called")
        return self._engine

    @property
    def session(self) -> Session:
        """The session of the current request (created on first use, closed at teardown)."""
        if "db_session" not in g:
            g.db_session = self.make_session()
        session: Session = g.db_session
        return session

    @contextmanager
    def new_session(self) -> Iterator[Session]:
        """A session of its own, for tasks and commands outside a request."""
        with self.make_session() as session:
            yield session

    def make_session(self) -> Session:
        return Session(self.engine, expire_on_commit=False, info={"commit_hooks": self.commit_hooks})

    @staticmethod
    def _close_request_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()
