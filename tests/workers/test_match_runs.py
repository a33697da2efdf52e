"""Matching runs recorded by the task bodies (in process): outcome, counts, bounded attempts, duplicates."""

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.matching_runs.models import MatchRun, RunKind, RunStatus
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_VOLUNTEER, request_volunteer_matching
from app.proposals.models import Proposal
from app.volunteers.models import Volunteer
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


def waiting(session: Session, volunteers: list[Volunteer]) -> list[OutboxMessage]:
    """Matching requests as a burst leaves them: committed, queued, not yet begun."""
    messages = [OutboxMessage(task_name=MATCH_VOLUNTEER, payload={"volunteer_id": v.id}) for v in volunteers]
    session.add_all(messages)
    session.commit()
    return messages


def test_a_task_matches_waiting_registrations_along_with_its_own(session: Session) -> None:
    need = factories.make_need(session, skills=("homework_help",), places=3)
    volunteers = [factories.make_volunteer(session, skills=("homework_help",)) for _ in range(3)]
    messages = waiting(session, volunteers)

    counts = tasks.match_volunteer.run(volunteers[0].id, messages[0].id)

    assert counts == {"added": 1, "updated": 0, "withdrawn": 0}
    session.expire_all()
    assert all(session.get_one(OutboxMessage, m.id).processed_at is not None for m in messages)
    assert sorted(
        (r.outbox_message_id, r.subject_id, r.status, r.attempts, r.added) for r in runs(session)
    ) == [(m.id, v.id, RunStatus.DONE, 1, 1) for m, v in zip(messages, volunteers, strict=True)]
    stored = sorted((p.volunteer_id, p.need_id) for p in session.exec(select(Proposal)))
    assert stored == [(v.id, need.id) for v in volunteers]
    # The others' own deliveries come later and find nothing left to do.
    assert tasks.match_volunteer.run(volunteers[2].id, messages[2].id) == {
        "added": 0,
        "updated": 0,
        "withdrawn": 0,
    }
    assert len(runs(session)) == 3


def test_a_message_that_was_tried_before_is_not_taken_along(session: Session, app: Flask) -> None:
    factories.make_need(session)
    volunteers = [factories.make_volunteer(session) for _ in range(3)]
    messages = waiting(session, volunteers)
    # Its worker died mid-task: one attempt counted, never finished.
    session.add(
        MatchRun(kind="volunteer", subject_id=volunteers[1].id, outbox_message_id=messages[1].id, attempts=1)
    )
    session.commit()

    tasks.match_volunteer.run(volunteers[0].id, messages[0].id)

    session.expire_all()
    processed = [session.get_one(OutboxMessage, m.id).processed_at is not None for m in messages]
    assert processed == [True, False, True]

    app.config["MATCH_BATCH_SIZE"] = 0  # each on its own
    more = waiting(session, [factories.make_volunteer(session) for _ in range(2)])
    tasks.match_volunteer.run(more[0].payload["volunteer_id"], more[0].id)
    session.expire_all()
    assert session.get_one(OutboxMessage, more[1].id).processed_at is None


def test_a_task_takes_the_newest_waiting_messages_along(session: Session, app: Flask) -> None:
    # The oldest are the next deliveries: another worker process would wait on their locks.
    factories.make_need(session)
    messages = waiting(session, [factories.make_volunteer(session) for _ in range(4)])
    app.config["MATCH_BATCH_SIZE"] = 1

    tasks.match_volunteer.run(messages[0].payload["volunteer_id"], messages[0].id)

    session.expire_all()
    processed = [session.get_one(OutboxMessage, m.id).processed_at is not None for m in messages]
    assert processed == [True, False, False, True]


def test_a_message_that_breaks_the_matching_cannot_fail_the_one_that_took_it_along(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.make_need(session)
    volunteers = [factories.make_volunteer(session) for _ in range(3)]
    messages = waiting(session, volunteers)
    broken_id = volunteers[1].id
    real_match = tasks._match

    def breaks_on_one(session: Session, kind: RunKind, subjects: list[int]) -> object:
        if broken_id in subjects:
            raise ValueError("this profile breaks the matcher")
        return real_match(session, kind, subjects)

    monkeypatch.setattr(tasks, "_match", breaks_on_one)
    assert tasks.match_volunteer.run(volunteers[0].id, messages[0].id)["added"] == 1

    session.expire_all()
    processed = [session.get_one(OutboxMessage, m.id).processed_at is not None for m in messages]
    assert processed == [True, False, False]  # the others wait for their own deliveries
    assert [(r.outbox_message_id, r.status, r.attempts) for r in runs(session)] == [
        (messages[0].id, RunStatus.DONE, 1)
    ]
    result = tasks.match_volunteer.apply(kwargs={"volunteer_id": broken_id, "outbox_id": messages[1].id})
    assert result.failed()
    assert tasks.match_volunteer.run(volunteers[2].id, messages[2].id)["added"] == 1
    outcome = {r.outbox_message_id: r.status for r in runs(session)}
    assert outcome == {
        messages[0].id: RunStatus.DONE,
        messages[1].id: RunStatus.FAILED,
        messages[2].id: RunStatus.DONE,
    }
