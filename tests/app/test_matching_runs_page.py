"""Coordinators see the matching runs: status, counts, duration, the error of a failure, what waits."""

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from app.accounts.models import Role
from app.base import utcnow
from app.matching_runs.models import MatchRun, RunKind, RunStatus
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_NEED
from tests.conftest import log_in
from tests.factories import make_coordinator, make_user

PAGE = "/abgleich-laeufe/"


def make_runs(session: Session) -> tuple[MatchRun, MatchRun]:
    finished = utcnow() - timedelta(minutes=5)
    done = MatchRun(
        kind=RunKind.VOLUNTEER, subject_id=42, status=RunStatus.DONE, attempts=1, volunteers=1, needs=200,
        added=7, updated=2, withdrawn=1, started_at=finished, finished_at=finished, duration_ms=38.4,
    )  # fmt: skip
    failed = MatchRun(
        kind=RunKind.NEED, subject_id=9, status=RunStatus.FAILED, attempts=3, finished_at=utcnow(),
        error="Given up after 3 attempts.",
    )  # fmt: skip
    waiting = OutboxMessage(task_name=MATCH_NEED, payload={"need_id": 9})
    session.add_all([done, failed, waiting])
    session.commit()
    return done, failed


def test_coordinators_see_runs_with_counts_errors_and_the_waiting_changes(
    client: FlaskClient, session: Session
) -> None:
    done, failed = make_runs(session)
    log_in(client, make_coordinator(session, locale="de"))
    page = client.get(PAGE).text
    assert 'href="/abgleich-laeufe/"' in page  # in the main menu
    assert "Abgleich-Läufe" in page and "Ehrenamtliche/r Nr. 42" in page and "Bedarf Nr. 9" in page
    row = page[page.index(f'id="run-{done.id}"') :]
    assert "erledigt" in row[:800] and "7 / 2 / 1" in row[:800] and "38 ms" in row[:800]
    assert "1 Ehrenamtliche, 200 Bedarfe" in row[:800]
    row = page[page.index(f'id="run-{failed.id}"') :]
    assert "fehlgeschlagen" in row[:800] and "Given up after 3 attempts." in row[:800]
    state = page[page.index('id="runs-state"') :]
    assert '<dd id="waiting">1 (' in state and '<dd id="last-full-run">noch nicht' in state
    assert '<th scope="col">Versuche</th>' in page


def test_the_status_filter_shows_only_that_status(client: FlaskClient, session: Session) -> None:
    done, failed = make_runs(session)
    log_in(client, make_coordinator(session, locale="en"))
    page = client.get(PAGE, query_string={"status": "failed"}).text
    assert f'id="run-{failed.id}"' in page and f'id="run-{done.id}"' not in page
    assert client.get(PAGE, query_string={"status": "nonsense"}).status_code == 400


def test_anonymous_visitors_are_sent_to_the_login(client: FlaskClient) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/konto/anmelden" in response.headers["Location"]


# One user per test: the test app context outlives requests, so Flask-Login's cached user would stay.
@pytest.mark.parametrize(("role", "status"), [(Role.VOLUNTEER, 403), (Role.PARTNER, 403), (Role.ADMIN, 200)])
def test_only_coordinators_and_admins_see_the_runs(
    client: FlaskClient, session: Session, role: Role, status: int
) -> None:
    log_in(client, make_user(session, role))
    assert client.get(PAGE).status_code == status
