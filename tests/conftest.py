"""Fixtures shared by all tests: an app on SQLite and on PostgreSQL, a real SMTP server, logins."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import Session

from app import create_app, migrate, reference
from app.accounts.models import User
from app.config import Settings
from app.extensions import db
from app.models import metadata
from tests.support.mail import Mailbox, start_smtp_server
from tests.support.services import free_port, fresh_postgres_database
from workers import warm

DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of each kind; every test that uses it runs once per kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        migrate.upgrade(url)
        yield url
    else:
        with fresh_postgres_database() as url:
            migrate.upgrade(url)
            yield url


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[int, Mailbox]]:
    port = free_port()
    controller, mailbox = start_smtp_server(port)
    yield port, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp: tuple[int, Mailbox]) -> Mailbox:
    smtp[1].clear()
    return smtp[1]


def make_test_app(database_url: str, smtp_port: int, tmp_path: Path, **overrides: object) -> Flask:
    settings = Settings(
        secret_key="test-secret",
        database_url=database_url,
        tasks_in_process=True,
        base_url="http://127.0.0.1:5000",
        mail_server="127.0.0.1",
        mail_port=smtp_port,
        mail_backend="smtp",
    )
    return create_app(settings, TESTING=True, **overrides)


@contextmanager
def another_app(database_url: str, smtp_port: int, tmp_path: Path, **overrides: object) -> Iterator[Flask]:
    """A second app with other settings on the test's database, inside its app context.

    create_app() binds the shared `db` to a new engine; afterwards that engine is closed and `db` gets
    the first app's engine back, so the `app` fixture closes that one with its sessions' connections.
    """
    first_engine = db.engine
    other = make_test_app(database_url, smtp_port, tmp_path, **overrides)
    try:
        with other.app_context():
            yield other
    finally:
        db.engine.dispose()
        db._engine = first_engine


def empty_all_tables(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        session.exec(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))  # type: ignore[call-overload]
    else:
        for table in reversed(metadata.sorted_tables):
            session.exec(table.delete())  # type: ignore[call-overload]
    session.commit()
    # The in-process worker's warm matcher knew the rows just deleted (ids are reused).
    warm.forget()


@pytest.fixture
def app(database_url: str, smtp: tuple[int, Mailbox], tmp_path: Path) -> Iterator[Flask]:
    """The app on a clean database holding only the reference data (offices, districts, vocabulary).

    CSRF is off for the test client; the browser tests run with it on.
    """
    flask_app = make_test_app(database_url, smtp[0], tmp_path, WTF_CSRF_ENABLED=False)
    with flask_app.app_context():
        with db.new_session() as session:
            empty_all_tables(session)
            reference.load_reference_data(session=session)
        yield flask_app
        db.engine.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with db.new_session() as session:
        yield session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def log_in(client: FlaskClient, user: User) -> None:
    """Logs `user` in on the test client the way Flask-Login would after the login form."""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.session_token
        flask_session["_fresh"] = True
