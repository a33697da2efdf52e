"""The right of access and erasure: the readable data page, an export that covers every table linked
to a person (checked against the metadata), and an erasure that leaves no trace in any table."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import JSON, Column, MetaData, String, TypeDecorator
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.api_tokens import Scope, issue_token
from app.accounts.models import ApiToken, Role, User
from app.audit.models import DecisionAction
from app.audit.services import record_decision, record_views
from app.base import utcnow
from app.extensions import db
from app.hours.models import HoursEntry, HoursStatus
from app.models import metadata
from app.needs.models import Need
from app.pages.models import AccessibilityFeedback
from app.pages.services import record_feedback
from app.pairings.models import CheckIn, CheckInParty, CheckInRating, Pairing, PairingStatus
from app.privacy.export import EXPORTED_LINKS
from app.privacy.services import export_user_data
from app.proposals.models import Proposal, ProposalStatus
from app.proposals.services import Decision, decide
from app.volunteers.models import Volunteer
from tests.app.test_volunteers_register import REGISTER, registration_form
from tests.conftest import log_in
from tests.factories import (
    PASSWORD,
    district,
    make_coordinator,
    make_need,
    make_organisation,
    make_pairing,
    make_partner,
    make_proposal,
    make_user,
    make_volunteer,
)

PAGE, EXPORT, ERASE = "/meine-daten/", "/meine-daten/export", "/meine-daten/loeschen"


def linked_columns(tables: MetaData) -> set[str]:
    """ "table.column" of every foreign key into a person's rows: their account, and the rows that are
    deleted with it (ON DELETE CASCADE, followed from table to table)."""
    owned = {"user_account"}
    while True:
        more = {
            table.name
            for table in tables.sorted_tables
            if table.name not in owned
            and any(fk.column.table.name in owned and fk.ondelete == "CASCADE" for fk in table.foreign_keys)
        }
        if not more:
            break
        owned |= more
    return {
        f"{table.name}.{fk.parent.name}"
        for table in tables.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name in owned
    }


def at(data: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        data = data[key]
    return data


def test_every_foreign_key_to_a_person_is_covered_by_the_export() -> None:
    # A new table with a user_id, a volunteer_id or a key to a pairing fails here until it is exported.
    assert linked_columns(metadata) == set(EXPORTED_LINKS)


@pytest.fixture
def everything(session: Session) -> User:
    """One person with a row in every table that links to them (a coordinator who also volunteers)."""
    person = make_coordinator(session, email="kira.lindqvist@example.org", display_name="Kira")
    volunteer = make_volunteer(
        session, user=person, first_name="Kira", last_name="Lindqvist", phone="0151 2345678",
        languages={"ru": "native", "de": "C1"}, skills=("music",),
    )  # fmt: skip
    issue_token(session=session, user=person, name="Auswertung", scopes=[Scope.PROPOSALS_READ], valid_days=90)
    organisation = make_organisation(session, name="Musikschule Kaufbeuren")
    own_need = make_need(session, organisation=organisation, title="Chorprobe", created_by_id=person.id)
    proposal = make_proposal(session, volunteer=volunteer, need=own_need)
    pairing = make_pairing(
        session, volunteer=volunteer, need=own_need, proposal_id=proposal.id, status=PairingStatus.ACTIVE,
        first_meeting_at=datetime(2026, 11, 2, 9, tzinfo=UTC), first_meeting_place="Musikschule, Raum 2",
        started_on=date(2026, 11, 2),
    )  # fmt: skip
    volunteer.calendar_token = "kalender-geheimnis-123"
    session.add(volunteer)
    session.add(
        CheckIn(
            pairing_id=pairing.id, week=4, party=CheckInParty.VOLUNTEER, token="check-in-geheimnis-456",
            sent_at=utcnow(), answered_at=utcnow(), rating=CheckInRating.GOOD, comment="Macht viel Freude",
        )
    )  # fmt: skip
    session.add(
        HoursEntry(
            volunteer_id=volunteer.id, pairing_id=pairing.id, worked_on=date(2026, 11, 20), minutes=90,
            note="Probe vor dem Konzert", status=HoursStatus.CONFIRMED, reviewed_by_id=person.id,
            reviewed_at=utcnow(),
        )
    )  # fmt: skip
    record_decision(
        session=session, action=DecisionAction.ACCEPT, volunteer_id=volunteer.id or 0, actor_id=person.id,
        need_id=own_need.id, proposal_id=proposal.id, pairing_id=pairing.id, reason="Gern!",
    )  # fmt: skip
    session.commit()
    other = make_volunteer(session, first_name="Boris", last_name="Fremd")
    record_decision(
        session=session, action=DecisionAction.END_EARLY, volunteer_id=other.id or 0, actor_id=person.id,
        reason="Boris ist umgezogen",
    )  # fmt: skip
    session.commit()
    decide(
        session=session,
        proposal_ids=[make_proposal(session, volunteer=other).id or 0],
        decision=Decision.REJECT,
        reason="Boris Fremd wohnt zu weit weg",
        decided_by_id=person.id or 0,
        district_ids=None,
    )
    colleague = make_coordinator(session, email="kollegin@kaufbeuren.example", display_name="Frau Kollegin")
    record_views(
        session=session, viewer_id=colleague.id, volunteer_ids=[volunteer.id or 0], source="proposals.queue"
    )
    record_views(
        session=session, viewer_id=person.id, volunteer_ids=[other.id or 0], source="pairings.overview"
    )
    record_feedback(
        session=session, page="/bedarfe/", message="Kontrast zu schwach", email="Kira.Lindqvist@example.org",
        locale="de",
    )  # fmt: skip
    return person


def test_the_export_holds_the_rows_of_every_linked_table(session: Session, everything: User) -> None:
    data = export_user_data(session=session, user=everything)

    for column, path in EXPORTED_LINKS.items():
        assert at(data, path), f"{column}: nothing under {path!r} in the export"
    assert data["api_tokens"][0]["name"] == "Auswertung" and data["api_tokens"][0]["scopes"] == [
        "proposals:read"
    ]
    assert [p["need_title"] for p in data["pairings"]] == ["Chorprobe"]
    assert data["access_log"][0]["viewer_organisation"] == "Integrationsbüro"
    assert data["decisions"][0]["status"] == ProposalStatus.REJECTED
    assert data["barrier_reports"][0]["message"] == "Kontrast zu schwach"
    raw = json.dumps(data, ensure_ascii=False)
    token = session.exec(select(ApiToken)).one()
    # No secret, and nothing about the other people: the colleague, the volunteer decided on.
    for left_out in (
        token.token_hash, token.prefix, everything.password_hash, everything.session_token,
        "kalender-geheimnis-123", "check-in-geheimnis-456",
    ):  # fmt: skip
        assert left_out not in raw
    for other in ("kollegin@", "Frau Kollegin", "Boris", "Fremd", "embedding", "response_token"):
        assert other not in raw


def test_the_readable_page_shows_every_part_of_the_export(
    client: FlaskClient, session: Session, everything: User
) -> None:
    everything.locale = "en"
    session.add(everything)
    session.commit()
    log_in(client, everything)
    data = export_user_data(session=session, user=everything)

    page = client.get(PAGE)

    assert page.status_code == 200
    html = page.text
    for key in data:
        assert f'id="data-{key}"' in html, key
    for part in ("languages", "skills", "availability"):
        assert f'id="data-{part}"' in html
    assert f'href="{EXPORT}"' in html
    for shown in (
        "kira.lindqvist@example.org", "Kira", "Lindqvist", "0151 2345678", "Coordinator",
        "Integrationsbüro", "Russian", "Mother tongue", "Music", "Tuesday", "14:00–18:00", "Chorprobe",
        "Musikschule Kaufbeuren", "waiting for review", "Shared skills", "active", "Auswertung",
        "Read the proposals in my districts", "rejected", "pairings.overview", "proposals.queue",
        "Kontrast zu schwach", "2026-11-01", "Volunteer profile", "Consents", "Musikschule, Raum 2",
        "Macht viel Freude", "going well", "Probe vor dem Konzert", "1:30 h", "confirmed", "Gern!",
        "offer accepted by the volunteer", "pairing ended early",
    ):  # fmt: skip
        assert shown in html, shown
    for other in ("kollegin@", "Frau Kollegin", "Boris", "Fremd", "kalender-geheimnis", "check-in-geheimnis"):
        assert other not in html


def test_the_readable_page_is_in_the_readers_language(client: FlaskClient, session: Session) -> None:
    volunteer = make_volunteer(session, skills=("music",), languages={"uk": "native"})
    user = session.get(User, volunteer.user_id)
    assert user is not None
    user.locale = "tr"
    session.add(user)
    session.commit()
    log_in(client, user)

    html = client.get(PAGE).text

    assert 'lang="tr"' in html and "Müzik" in html and "Salı" in html  # Tuesday
    # The staff's parts are there, and empty: nothing is hidden.
    assert 'id="data-api_tokens"' in html and 'id="data-decisions"' in html


def test_the_readable_page_of_someone_without_a_profile(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session, email="lehrerin@schule.example")
    log_in(client, partner)

    page = client.get(PAGE)

    assert page.status_code == 200 and "lehrerin@schule.example" in page.text
    assert 'id="data-volunteer"' not in page.text and 'id="data-account"' in page.text


def test_the_readable_page_needs_a_login(client: FlaskClient) -> None:
    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE).status_code == 405


def is_text(column: Column[Any]) -> bool:
    kind = column.type
    while isinstance(kind, TypeDecorator):  # SQLModel's AutoString wraps a String
        kind = kind.impl_instance
    return isinstance(kind, String | JSON)  # Text is a String too


def searched_columns(tables: MetaData) -> dict[str, list[Column[Any]]]:
    """Every text, varchar and JSON column, by table."""
    found = {table.name: [c for c in table.columns if is_text(c)] for table in tables.sorted_tables}
    return {name: columns for name, columns in found.items() if columns}


def traces(needles: list[str]) -> set[tuple[str, str]]:
    """("table.column", needle) wherever a needle occurs, in any row of any table (case-insensitive);
    read on a connection of its own, which sees everything committed."""
    found = set()
    with db.engine.connect() as connection:
        rows = {
            table: connection.execute(sa_select(*columns)).all()
            for table, columns in searched_columns(metadata).items()
        }
    for table, columns in searched_columns(metadata).items():
        for row in rows[table]:
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found |= {(f"{table}.{column.name}", n) for n in needles if n.casefold() in text.casefold()}
    return found


def test_erasure_leaves_no_trace_of_the_person_in_any_table(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    make_need(session)  # the sign-up is matched to both at once (Tuesday and Thursday afternoons)
    make_need(session, title="Lesepatenschaft", slots=((3, 15 * 60, 16 * 60),))
    email, first, last = "zofia.wb@example.org", "Zofia", "Wiśniewska-Brandl"
    form = registration_form(
        session, email=email, first_name=first, last_name=last, phone="08341 555019",
        district_id=district(session, "haken").id,
    )  # fmt: skip
    assert client.post(REGISTER, data=form).status_code == 200
    user = session.exec(select(User).where(User.email == email)).one()
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == user.id)).one()
    proposals = session.exec(
        select(Proposal).where(Proposal.volunteer_id == volunteer.id).order_by(col(Proposal.id))
    ).all()
    assert len(proposals) >= 2, "the sign-up should have been proposed for the needs"
    coordinator = make_coordinator(session)
    decide(
        session=session,
        proposal_ids=[proposals[0].id or 0],
        decision=Decision.APPROVE,
        reason=f"{first} {last} passt gut",
        decided_by_id=coordinator.id or 0,
        district_ids=None,
    )
    record_views(
        session=session, viewer_id=coordinator.id, volunteer_ids=[volunteer.id or 0], source="proposals.queue"
    )
    record_feedback(session=session, page="/", message="Schrift zu klein", email=email, locale="de")
    needles = [email, first, last, volunteer.phone]
    before = {column for column, _needle in traces(needles)}
    # The search finds the person where they are (it would find what erasure leaves).
    assert {
        "user_account.email", "user_account.display_name", "volunteer.first_name", "volunteer.last_name",
        "volunteer.phone", "proposal.decision_reason", "accessibility_feedback.email",
    } <= before  # fmt: skip
    assert session.exec(select(Pairing)).all()
    log_in(client, user)

    with app.app_context():  # the sign-up's anonymous user must not be cached in this request
        erased = client.post(ERASE, data={"password": form["password"]})
    assert erased.status_code == 302, erased.text
    assert erased.headers["Location"] == "/", erased.headers["Location"]

    session.expire_all()
    assert traces(needles) == set()
    # Everything else stays: the needs, the coordinator, the barrier report (without its address).
    assert len(session.exec(select(Need)).all()) == 2
    assert session.get(User, coordinator.id) is not None
    feedback = session.exec(select(AccessibilityFeedback)).one()
    assert (feedback.message, feedback.email) == ("Schrift zu klein", "")


def test_the_search_covers_every_text_column() -> None:
    columns = {f"{table}.{c.name}" for table, found in searched_columns(metadata).items() for c in found}

    assert {"user_account.email", "volunteer.about", "proposal.reasons", "outbox_message.payload"} <= columns
    assert {"match_run.error", "pairing.end_reason", "personal_data_view.source"} <= columns


def test_staff_erasure_keeps_their_decisions_without_them(client: FlaskClient, session: Session) -> None:
    coordinator = make_user(session, Role.COORDINATOR, email="weg@kaufbeuren.example")
    proposal = make_proposal(session)
    decide(
        session=session,
        proposal_ids=[proposal.id or 0],
        decision=Decision.REJECT,
        reason="zu weit",
        decided_by_id=coordinator.id or 0,
        district_ids=None,
    )
    log_in(client, coordinator)

    assert client.post(ERASE, data={"password": PASSWORD}).status_code == 302

    session.expire_all()
    assert traces(["weg@kaufbeuren.example"]) == set()
    row = session.exec(select(Proposal)).one()
    assert (row.status, row.decided_by_id) == (ProposalStatus.REJECTED, None)


def test_the_export_of_a_profile_with_an_embedding(client: FlaskClient, session: Session) -> None:
    # The stored vector is bytes that are no text: it stays out, and the download still works.
    volunteer = make_volunteer(session, embedding=bytes(range(128, 256)), embedding_key="0" * 64)
    log_in(client, session.get(User, volunteer.user_id))  # type: ignore[arg-type]

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert "embedding" not in response.text and json.loads(response.data)["volunteer"]["first_name"]
    assert client.get(PAGE).status_code == 200


# Where the readable page's template writes each part of the export, and the keys it shows otherwise:
# ids as names (district, office, organisation) or not at all, the reasons as sentences, the skills as
# labels, and the profile's lists in sections of their own.
TEMPLATE_NAMES = {
    "account": "account", "volunteer": "v", "volunteer.languages": "row", "volunteer.availability": "slot",
    "consents": "c", "proposals": "p", "pairings": "p", "access_log": "view", "api_tokens": "t",
    "needs_created": "n", "decisions": "d", "data_views": "view", "barrier_reports": "report",
    "check_ins": "c", "hours": "h", "decision_log": "d", "decisions_logged": "d", "hours_reviewed": "h",
}  # fmt: skip
SHOWN_OTHERWISE = {"id", "user_id", "volunteer_id", "need_id", "proposal_id", "district_id", "office_id"}
SHOWN_OTHERWISE |= {"pairing_id"}
SHOWN_OTHERWISE |= {"organisation_id", "reasons", "skills", "languages", "availability"}


def test_the_readable_page_names_every_field_of_the_export(session: Session, everything: User) -> None:
    template = (Path(__file__).parents[2] / "app/templates/privacy/overview.html").read_text(encoding="utf-8")
    data = export_user_data(session=session, user=everything)

    missing = []
    for part, name in TEMPLATE_NAMES.items():
        found = at(data, part)
        row = found[0] if isinstance(found, list) else found
        missing += [
            f"{part}.{key}" for key in row if key not in SHOWN_OTHERWISE and f"{name}.{key}" not in template
        ]
    assert set(TEMPLATE_NAMES) >= {path for path in EXPORTED_LINKS.values() if path != "volunteer.skills"}
    assert not missing, f"fields of the export that the readable page does not show: {missing}"
