"""Failed logins are rate-limited per client address and per account, counted in a real Redis."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from app.accounts.models import Role, User
from tests.conftest import another_app
from tests.factories import PASSWORD, make_user
from tests.support.mail import Mailbox
from tests.support.services import REDIS_URL, free_port, require_redis

LOGIN = "/konto/anmelden"
EN = {"Accept-Language": "en"}


# A Redis database of the limit tests' own, emptied around each test (the Limiter is one object for all
# apps of a process and keeps the key prefix of the first, so a prefix cannot separate the tests).
LIMITS_DB = f"{REDIS_URL}/11"


@pytest.fixture
def limited_app(app: Flask, database_url: str, smtp: tuple[int, Mailbox], tmp_path: Path) -> Iterator[Flask]:
    """The app (on the clean database of `app`) counting its limits in a real Redis."""
    limits = redis.Redis.from_url(require_redis(LIMITS_DB))
    limits.flushdb()
    with another_app(
        database_url, smtp[0], tmp_path, WTF_CSRF_ENABLED=False, RATELIMIT_STORAGE_URI=LIMITS_DB
    ) as limited:
        yield limited
    limits.flushdb()
    limits.close()


def attempt(app: Flask, user: User, password: str, address: str = "198.51.100.7") -> int:
    client: FlaskClient = app.test_client()
    with app.app_context():
        response = client.post(
            LOGIN,
            data={"email": user.email, "password": password},
            headers=EN,
            environ_base={"REMOTE_ADDR": address},
        )
    return response.status_code


def test_ten_failures_from_one_address_then_429_even_for_the_right_password(
    limited_app: Flask, session: Session
) -> None:
    app = limited_app
    user = make_user(session, Role.PARTNER)

    failures = [attempt(app, user, "falsch") for _ in range(10)]
    blocked = app.test_client().post(
        LOGIN,
        data={"email": user.email, "password": PASSWORD},
        headers=EN,
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )

    assert failures == [400] * 10
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text and int(blocked.headers["Retry-After"]) > 0
    # Another address is not affected, and the counts live in Redis, not in this process.
    assert attempt(app, user, PASSWORD, address="203.0.113.9") == 302
    assert any(b"accounts.login" in key for key in redis.Redis.from_url(LIMITS_DB).scan_iter())


def test_failures_for_one_account_from_many_addresses_are_limited_too(
    limited_app: Flask, session: Session
) -> None:
    app = limited_app
    target, bystander = make_user(session, Role.COORDINATOR), make_user(session, Role.COORDINATOR)

    failures = [attempt(app, target, "falsch", address=f"192.0.2.{n}") for n in range(20)]

    assert failures == [400] * 20
    assert attempt(app, target, PASSWORD, address="192.0.2.200") == 429
    assert attempt(app, bystander, PASSWORD, address="192.0.2.201") == 302


def test_successful_logins_are_never_slowed_down(limited_app: Flask, session: Session) -> None:
    app = limited_app
    user = make_user(session, Role.VOLUNTEER)

    assert [attempt(app, user, PASSWORD) for _ in range(12)] == [302] * 12  # above the 10 failures allowed


def test_with_redis_unreachable_the_limit_counts_in_memory_and_login_works(
    app: Flask, database_url: str, smtp: tuple[int, Mailbox], tmp_path: Path, session: Session
) -> None:
    user = make_user(session, Role.PARTNER)
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    with another_app(
        database_url, smtp[0], tmp_path, WTF_CSRF_ENABLED=False, RATELIMIT_STORAGE_URI=nowhere
    ) as unreachable:
        assert attempt(unreachable, user, PASSWORD) == 302
        assert [attempt(unreachable, user, "falsch") for _ in range(10)] == [400] * 10
        assert attempt(unreachable, user, PASSWORD) == 429
