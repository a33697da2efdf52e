"""Matching runs recorded by the task bodies (in process): outcome, counts, bounded attempts, duplicates."""

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.matching_runs.models import MatchRun, RunStatus
from app.outbox.services import request_volunteer_matching
from app.proposals.models import Proposal
from tests import factories
from workers import tasks


def runs(session: Session) -> list[MatchRun]:
    session.expire_all()
    return list(session.exec(select(MatchRun).order_by(MatchRun.id)))  # type: ignore[arg-type]


def test_a_run_records_its_counts_and_duration(session: Session) -> None:
    volunteer = factories.make_volunteer(session)
    factories.make_need(session)
    factories.make_need(session)
    message = request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()  # the embedded mode runs the task here
    [run] = runs(session)
    assert (run.kind, run.subject_id, run.outbox_message_id) == ("volunteer", volunteer.id, message.id)
    assert (run.status, run.attempts, run.error) == (RunStatus.DONE, 1, "")
    assert (run.volunteers, run.needs, run.added, run.updated, run.withdrawn) == (1, 2, 2, 0, 0)
    assert run.celery_task_id and run.duration_ms is not None and run.duration_ms >= 0
    assert run.queued_at <= run.started_at <= run.finished_at  # type: ignore[operator]


def test_a_processed_outbox_message_delivered_again_changes_nothing(session: Session) -> None:
    volunteer = factories.make_volunteer(session)
    factories.make_need(session)
    message = request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()
    before = [(p.id, p.computed_at) for p in session.exec(select(Proposal))]
    result = tasks.match_volunteer.apply(kwargs={"volunteer_id": volunteer.id, "outbox_id": message.id})
    assert result.successful() and result.result == {"added": 0, "updated": 0, "withdrawn": 0}
    session.expire_all()
    assert [(p.id, p.computed_at) for p in session.exec(select(Proposal))] == before
    assert [(r.status, r.attempts) for r in runs(session)] == [(RunStatus.DONE, 1)]


def test_an_error_retrying_cannot_fix_fails_the_run_at_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    volunteer = factories.make_volunteer(session)

    def broken(*_args: object) -> list[object]:
        raise ValueError("the matcher broke")

    monkeypatch.setattr(tasks, "_match", broken)
    result = tasks.match_volunteer.apply(kwargs={"volunteer_id": volunteer.id})
    assert result.failed()
    [run] = runs(session)
    assert (run.status, run.attempts) == (RunStatus.FAILED, 1)
    assert "the matcher broke" in run.error and run.finished_at is not None


def test_a_task_that_keeps_failing_is_given_up_after_the_bounded_attempts(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    volunteer = factories.make_volunteer(session)
    calls: list[int] = []

    def flaky(*_args: object) -> list[object]:
        calls.append(1)
        raise OperationalError("SELECT 1", {}, Exception("connection lost"))

    monkeypatch.setattr(tasks, "_match", flaky)
    monkeypatch.setitem(tasks.current_app.config, "MATCH_MAX_ATTEMPTS", 3)
    message = request_volunteer_matching(session=session, volunteer_id=volunteer.id or 0)
    session.commit()  # in process, Celery retries at once instead of after the back-off
    [run] = runs(session)
    assert len(calls) == 3
    assert (run.status, run.attempts, run.outbox_message_id) == (RunStatus.FAILED, 3, message.id)
    assert "Given up after 3 attempts" in run.error and "connection lost" in run.error
