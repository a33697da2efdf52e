"""The partner API for needs: the same rules and messages as the form, only the organisation's own needs."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.api_tokens import Scope
from app.needs.models import Need, NeedLanguage, NeedStatus
from app.outbox.models import OutboxMessage
from tests.factories import district, make_need, make_organisation, make_pairing, make_partner, make_volunteer
from tests.support.api import bearer

EN = {"Accept-Language": "en"}


def need_body(session: Session, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Lesepatin für die 2b",
        "description": "Einmal pro Woche mit zwei Kindern lesen.",
        "district_id": district(session, "haken").id,
        "languages": [{"code": "tr", "required": False}],
        "slots": [{"weekday": 1, "start": "15:00", "end": "16:30"}],
        "places": 2,
    }
    return body | fields


def test_a_partner_posts_a_need_and_reads_it_back(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session)
    headers = bearer(session, partner)

    posted = client.post("/api/v1/needs/", json=need_body(session), headers=headers)

    assert posted.status_code == 201, posted.text
    need_id = posted.json["id"]
    stored = session.get(Need, need_id)
    assert stored is not None and stored.organisation_id == partner.organisation_id
    assert stored.title == "Lesepatin für die 2b" and stored.places == 2
    assert (
        session.exec(select(NeedLanguage).where(NeedLanguage.need_id == need_id)).one().language_code == "tr"
    )
    # Like the form: the need asks for matching in the same commit.
    assert session.exec(select(OutboxMessage)).all()
    read = client.get(f"/api/v1/needs/{need_id}", headers=headers)
    assert read.status_code == 200
    assert read.json["slots"] == [{"weekday": 1, "start": "15:00", "end": "16:30"}]
    assert read.json["status"] == "open" and read.json["introductions"] == 0
    listed = client.get("/api/v1/needs/", headers=headers)
    assert [item["id"] for item in listed.json["items"]] == [need_id]


def test_the_form_rules_answer_in_the_token_owners_language(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session)  # locale "de"
    past = (date.today() - timedelta(days=1)).isoformat()
    body = need_body(
        session,
        schedule="one_off",
        one_off_date=past,
        one_off_start="10:00",
        one_off_end="09:00",
        languages=[{"code": "tr"}, {"code": "tr", "required": True}],
    )

    response = client.post("/api/v1/needs/", json=body, headers=bearer(session, partner, **EN))

    assert response.status_code == 422
    detail = response.json["detail"]["json"]
    assert detail["one_off_date"] == ["Das Datum darf nicht in der Vergangenheit liegen."]
    assert detail["one_off_end"] == ["Das Ende muss nach dem Beginn liegen."]
    assert detail["languages"] == ["Bitte nennen Sie jede Sprache nur einmal."]
    assert response.json["message"].startswith("Einige Angaben fehlen")
    assert session.exec(select(Need)).all() == []


def test_unknown_fields_types_and_choices_are_refused(client: FlaskClient, session: Session) -> None:
    headers = bearer(session, make_partner(session))
    cases = [
        need_body(session, surprise=1),
        need_body(session, places="viele"),
        need_body(session, places=0),
        need_body(session, district_id=999_999),
        need_body(session, skill_ids=[999_999]),
        need_body(session, slots=[{"weekday": 1, "start": "25:00", "end": "26:00"}]),
        {"title": "ohne Bezirk"},
    ]
    for body in cases:
        response = client.post("/api/v1/needs/", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json["detail"]
    not_json = client.post(
        "/api/v1/needs/", data="{kaputt", headers=headers | {"Content-Type": "application/json"}
    )
    assert not_json.status_code in (400, 422)
    assert session.exec(select(Need)).all() == []


def test_replacing_pausing_and_closing_a_need(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session)
    headers = bearer(session, partner)
    need = make_need(
        session, organisation=session.get(type(make_organisation(session)), partner.organisation_id)
    )

    replaced = client.put(f"/api/v1/needs/{need.id}", json=need_body(session, title="Neu"), headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json["title"] == "Neu"
    paused = client.post(f"/api/v1/needs/{need.id}/status", json={"status": "paused"}, headers=headers)
    assert paused.json["status"] == "paused"
    closed = client.post(f"/api/v1/needs/{need.id}/status", json={"status": "closed"}, headers=headers)
    assert closed.json["status"] == "closed"

    reopened = client.post(f"/api/v1/needs/{need.id}/status", json={"status": "open"}, headers=headers)
    changed = client.put(
        f"/api/v1/needs/{need.id}", json=need_body(session, title="Zu spät"), headers=headers
    )

    assert reopened.status_code == 409 and changed.status_code == 409
    session.expire_all()
    stored = session.get(Need, need.id)
    assert stored is not None and stored.status == NeedStatus.CLOSED and stored.title == "Neu"


def test_introductions_show_contacts_of_accepted_volunteers_only(
    client: FlaskClient, session: Session
) -> None:
    partner = make_partner(session)
    organisation = session.get(type(make_organisation(session)), partner.organisation_id)
    need = make_need(session, organisation=organisation)
    accepted = make_pairing(session, need=need, volunteer=make_volunteer(session, first_name="Ayşe"))
    make_pairing(session, need=need, volunteer=make_volunteer(session, first_name="Offen"), status="offered")

    response = client.get("/api/v1/introductions/", headers=bearer(session, partner))

    assert response.status_code == 200
    items = response.json["items"]
    assert [(item["pairing_id"], item["first_name"]) for item in items] == [(accepted.id, "Ayşe")]
    assert "@" in items[0]["email"]
    assert (items[0]["first_meeting_at"], items[0]["started_on"]) == (None, None)


def test_introductions_tell_the_first_meeting_and_the_start(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session)
    organisation = session.get(type(make_organisation(session)), partner.organisation_id)
    need = make_need(session, organisation=organisation)
    make_pairing(
        session,
        need=need,
        status="active",
        first_meeting_at=datetime(2026, 7, 14, 14, 30, tzinfo=UTC),
        first_meeting_place="Familienzentrum",
        started_on=date(2026, 7, 14),
    )

    [item] = client.get("/api/v1/introductions/", headers=bearer(session, partner)).json["items"]
    assert item["status"] == "active" and item["first_meeting_place"] == "Familienzentrum"
    assert datetime.fromisoformat(item["first_meeting_at"]) == datetime(2026, 7, 14, 14, 30, tzinfo=UTC)
    assert item["started_on"] == "2026-07-14"


def test_scopes_limit_what_a_token_may_do(client: FlaskClient, session: Session) -> None:
    partner = make_partner(session)
    read_only = bearer(session, partner, scopes=[Scope.NEEDS_READ])

    assert client.get("/api/v1/needs/", headers=read_only).status_code == 200
    refused = client.post("/api/v1/needs/", json=need_body(session), headers=read_only)
    assert refused.status_code == 403
    assert client.get("/api/v1/introductions/", headers=read_only).status_code == 403
    assert session.exec(select(Need)).all() == []
