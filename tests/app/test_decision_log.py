"""Every decision lands in the audit log, and the decision log page shows it: content, scope, filters."""

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from app.audit.models import DecisionAction, DecisionEntry, PersonalDataView
from app.audit.services import record_decision
from app.labels import DECISION_ACTION
from app.proposals.models import ProposalStatus
from tests.conftest import log_in
from tests.factories import (
    make_coordinator,
    make_need,
    make_pairing,
    make_proposal,
    make_user,
    make_volunteer,
)
from tests.support.api import bearer
from tests.support.pages import assert_error_summary_links_resolve


def entries(session: Session) -> list[DecisionEntry]:
    session.expire_all()
    return list(session.exec(select(DecisionEntry).order_by(col(DecisionEntry.id))))


def test_single_bulk_and_api_decisions_are_logged_with_their_reasons(
    client: FlaskClient, session: Session
) -> None:
    coordinator = make_coordinator(session, locale="en")
    single, first, second, by_api = (make_proposal(session) for _ in range(4))
    log_in(client, coordinator)

    client.post(
        f"/vorschlaege/{single.id}/entscheidung",
        data={"decision": "reject", "reason_choice": "too_far", "reason": "über 20 km"},
    )
    client.post(
        "/vorschlaege/sammelentscheidung",
        data={
            "proposal_ids": [first.id, second.id],
            "decision": "approve",
            "reason_choice": "",
            "reason": "",
        },
    )
    client.post(
        f"/api/v1/proposals/{by_api.id}/decision",
        json={"decision": "reject", "reason": "Doppelt"},
        headers=bearer(session, coordinator),
    )

    logged = entries(session)
    assert [(e.proposal_id, e.action, e.reason, e.actor_id) for e in logged] == [
        (single.id, DecisionAction.REJECT, "Too far away: über 20 km", coordinator.id),
        (first.id, DecisionAction.APPROVE, "", coordinator.id),
        (second.id, DecisionAction.APPROVE, "", coordinator.id),
        (by_api.id, DecisionAction.REJECT, "Doppelt", coordinator.id),
    ]
    assert logged[0].volunteer_id == single.volunteer_id and logged[0].need_id == single.need_id
    assert logged[1].pairing_id is not None and logged[0].pairing_id is None


def test_a_refused_decision_logs_nothing(client: FlaskClient, session: Session) -> None:
    decided = make_proposal(session, status=ProposalStatus.REJECTED)
    log_in(client, make_coordinator(session))

    response = client.post(f"/vorschlaege/{decided.id}/entscheidung", data={"decision": "approve"})

    assert response.status_code == 409 and entries(session) == []


@pytest.mark.parametrize(
    ("choice", "words", "status", "reason"),
    [
        ("times", "", 303, "Times do not fit"),
        ("", "Ist umgezogen.", 303, "Ist umgezogen."),
        ("other", "", 400, None),  # "other" needs own words
        ("", "", 400, None),  # rejecting needs a reason
        ("sometimes", "x", 400, None),  # not one of the common reasons
    ],
)
def test_reasons_to_pick_and_own_words(
    client: FlaskClient, session: Session, choice: str, words: str, status: int, reason: str | None
) -> None:
    proposal = make_proposal(session)
    log_in(client, make_coordinator(session, locale="en"))

    response = client.post(
        f"/vorschlaege/{proposal.id}/entscheidung",
        data={"decision": "reject", "reason_choice": choice, "reason": words},
    )

    assert response.status_code == status
    assert [e.reason for e in entries(session)] == ([reason] if reason else [])


def test_after_a_decision_the_queue_returns_to_the_same_page_at_the_next_proposal(
    client: FlaskClient, session: Session
) -> None:
    proposal, following = make_proposal(session, score=0.9), make_proposal(session, score=0.8)
    log_in(client, make_coordinator(session))

    response = client.post(
        f"/vorschlaege/{proposal.id}/entscheidung?min_score=20&language=tr&page=2&select=all",
        data={"decision": "approve", "next_id": following.id},
    )

    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/vorschlaege/?") and location.endswith(f"#proposal-{following.id}")
    assert "min_score=20" in location and "language=tr" in location and "page=2" in location
    assert "select" not in location


def test_the_log_shows_every_action_newest_first(client: FlaskClient, session: Session) -> None:
    coordinator = make_coordinator(session, locale="en", display_name="Maria Koordination")
    volunteer = make_volunteer(session, first_name="Samir", last_name="Haddad")
    need = make_need(session, title="Lesepatenschaft 2b")
    pairing = make_pairing(session, volunteer=volunteer, need=need)
    gone = make_user(session)
    base = datetime.now(UTC) - timedelta(hours=1)
    for minutes, action in enumerate(DecisionAction):
        actor = {DecisionAction.ACCEPT: volunteer.user_id, DecisionAction.COMPLETE: gone.id}.get(
            action, coordinator.id
        )
        session.add(
            DecisionEntry(
                action=action,
                volunteer_id=volunteer.id,
                actor_id=actor,
                need_id=need.id,
                pairing_id=pairing.id,
                reason=f"Grund {action.value}",
                decided_at=base + timedelta(minutes=minutes),
            )
        )
    session.commit()
    session.delete(gone)
    session.commit()
    log_in(client, coordinator)

    response = client.get("/entscheidungen/")

    assert response.status_code == 200
    page = response.text[response.text.index('id="decisions"') :]
    positions = [page.index(str(DECISION_ACTION[action])) for action in reversed(list(DecisionAction))]
    assert positions == sorted(positions)  # newest first
    assert page.count('class="decision"') == len(DecisionAction)
    assert "Samir H." in page and "Haddad" not in page and "Lesepatenschaft 2b" in page
    assert "Grund reject_hours" in page and "Maria Koordination" in page
    assert "the volunteer" in page and "account deleted" in page
    viewed = session.exec(select(PersonalDataView).where(PersonalDataView.source == "audit.decisions")).all()
    assert [view.volunteer_id for view in viewed] == [volunteer.id]


def test_a_district_office_sees_only_decisions_about_its_districts(
    client: FlaskClient, session: Session
) -> None:
    inside = make_proposal(session, need=make_need(session, title="In Haken", district_slug="haken"))
    outside = make_proposal(
        session, need=make_need(session, title="Am Bienenberg", district_slug="bienenberg")
    )
    central = make_coordinator(session)
    for proposal in (inside, outside):
        record_decision(
            session=session,
            action=DecisionAction.REJECT,
            volunteer_id=proposal.volunteer_id,
            actor_id=central.id,
            need_id=proposal.need_id,
            reason="x",
        )
    session.commit()
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken"))

    page = client.get("/entscheidungen/").text

    assert "In Haken" in page and "Am Bienenberg" not in page


def test_filters_by_action_and_date_range(client: FlaskClient, session: Session) -> None:
    proposal = make_proposal(session)
    coordinator = make_coordinator(session)
    today = datetime.now(UTC)
    for action, when, reason in (
        (DecisionAction.APPROVE, today, "heute freigegeben"),
        (DecisionAction.REJECT, today, "heute abgelehnt"),
        (DecisionAction.REJECT, today - timedelta(days=30), "früher abgelehnt"),
    ):
        session.add(
            DecisionEntry(
                action=action,
                volunteer_id=proposal.volunteer_id,
                actor_id=coordinator.id,
                need_id=proposal.need_id,
                reason=reason,
                decided_at=when,
            )
        )
    session.commit()
    log_in(client, coordinator)
    since = (today - timedelta(days=2)).date().isoformat()

    rejected = client.get("/entscheidungen/?action=reject").text
    recent = client.get(f"/entscheidungen/?since={since}").text
    old = client.get(f"/entscheidungen/?until={(today - timedelta(days=20)).date().isoformat()}").text

    assert (
        "heute abgelehnt" in rejected
        and "früher abgelehnt" in rejected
        and "heute freigegeben" not in rejected
    )
    assert "heute abgelehnt" in recent and "heute freigegeben" in recent and "früher abgelehnt" not in recent
    assert "früher abgelehnt" in old and "heute" not in old


@pytest.mark.parametrize(
    "query",
    [
        "action=dance",
        "since=yesterday",
        "until=2026-13-01",
        "since=2026-05-02&until=2026-05-01",
        "page=0",
        "since=0001-01-01",  # before the city's time zone has an offset: overflowed to a 500
        "until=9999-12-31",  # the day after it: the same
    ],
)
def test_bad_filters_are_a_bad_request(client: FlaskClient, session: Session, query: str) -> None:
    log_in(client, make_coordinator(session))
    response = client.get(f"/entscheidungen/?{query}")
    assert response.status_code == 400
    assert_error_summary_links_resolve(response.text)


def test_only_staff_see_the_log(client: FlaskClient, session: Session) -> None:
    log_in(client, make_user(session))
    assert client.get("/entscheidungen/").status_code == 403
