"""Posting and editing needs: what gets stored, what is refused, and that matching is requested."""

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, func, select

from app.needs.models import Need, NeedLanguage, NeedSkill, NeedSlot, NeedStatus, Schedule
from app.outbox.models import OutboxMessage
from app.outbox.services import MATCH_NEED
from tests.conftest import log_in
from tests.factories import district, make_need, make_organisation, make_partner, skill
from tests.support.pages import assert_error_summary_links_resolve


def need_form(session: Session, **overrides: Any) -> dict[str, Any]:
    """A valid weekly need as the browser would post it."""
    form: dict[str, Any] = {
        "title": "Hausaufgabenhilfe Klasse 3",
        "description": "Zwei Kinder brauchen Hilfe in Mathe.",
        "skill_ids": [skill(session, "homework_help").id, skill(session, "maths_tutoring").id],
        "languages-0-language": "tr",
        "languages-0-importance": "welcome",
        "languages-1-language": "de",
        "languages-1-importance": "required",
        "district_id": district(session, "neugablonz").id,
        "address": "Schulstraße 1",
        "schedule": "weekly",
        "slots-0-weekday": "1",
        "slots-0-start": "15:00",
        "slots-0-end": "17:00",
        "slots-1-weekday": "3",
        "slots-1-start": "15:00",
        "slots-1-end": "17:00",
        "start_date": "2030-01-07",
        "end_date": "2030-07-31",
        "places": "2",
        "target_group": "children",
        "requires_certificate": "y",
        "min_age": "18",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def need_messages(session: Session, need_id: int) -> list[OutboxMessage]:
    session.expire_all()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.task_name == MATCH_NEED)).all()
    return [row for row in rows if row.payload.get("need_id") == need_id]


@pytest.fixture
def partner_client(client: FlaskClient, session: Session) -> FlaskClient:
    log_in(client, make_partner(session))
    return client


def test_form_renders_for_partner(partner_client: FlaskClient) -> None:
    response = partner_client.get("/bedarfe/neu")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for element in ('id="title"', 'id="languages-3-language"', 'id="slots-3-start"', 'type="time"'):
        assert element in page


def test_create_weekly_need_stores_everything_and_asks_for_matching(
    partner_client: FlaskClient, session: Session
) -> None:
    response = partner_client.post("/bedarfe/neu", data=need_form(session))
    assert response.status_code == 302
    need = session.exec(select(Need)).one()
    assert response.headers["Location"].endswith(f"/bedarfe/{need.id}")
    assert need.title == "Hausaufgabenhilfe Klasse 3"
    assert need.status == NeedStatus.OPEN
    assert need.schedule == Schedule.WEEKLY and need.one_off_date is None
    assert (need.places, need.target_group, need.requires_certificate, need.min_age) == (
        2,
        "children",
        True,
        18,
    )
    assert (need.start_date, need.end_date) == (date(2030, 1, 7), date(2030, 7, 31))
    languages = session.exec(select(NeedLanguage).where(NeedLanguage.need_id == need.id)).all()
    assert {row.language_code: row.required for row in languages} == {"tr": False, "de": True}
    skills = session.exec(select(NeedSkill.skill_id).where(NeedSkill.need_id == need.id)).all()
    assert set(skills) == {skill(session, "homework_help").id, skill(session, "maths_tutoring").id}
    slots = session.exec(select(NeedSlot).where(NeedSlot.need_id == need.id)).all()
    assert sorted((s.weekday, s.start_minute, s.end_minute) for s in slots) == [
        (1, 900, 1020),
        (3, 900, 1020),
    ]
    assert len(need_messages(session, need.id or 0)) == 1


def test_weekly_need_without_slots_has_flexible_times(partner_client: FlaskClient, session: Session) -> None:
    form = need_form(
        session, **{f"slots-{i}-{part}": "" for i in range(2) for part in ("weekday", "start", "end")}
    )
    assert partner_client.post("/bedarfe/neu", data=form).status_code == 302
    assert count(session, Need) == 1
    assert count(session, NeedSlot) == 0


def test_one_off_need_stores_date_and_one_slot_on_its_weekday(
    partner_client: FlaskClient, session: Session
) -> None:
    day = date.today() + timedelta(days=10)
    form = need_form(
        session, schedule="one_off", one_off_date=day.isoformat(), one_off_start="10:00", one_off_end="12:30"
    )
    assert partner_client.post("/bedarfe/neu", data=form).status_code == 302
    need = session.exec(select(Need)).one()
    assert need.schedule == Schedule.ONE_OFF and need.one_off_date == day
    slots = session.exec(select(NeedSlot).where(NeedSlot.need_id == need.id)).all()
    assert [(s.weekday, s.start_minute, s.end_minute) for s in slots] == [(day.weekday(), 600, 750)]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"title": ""}, id="title missing"),
        pytest.param({"title": "x" * 161}, id="title too long"),
        pytest.param({"slots-0-end": "14:00"}, id="to before from"),
        pytest.param({"slots-0-start": ""}, id="half a slot"),
        pytest.param({"end_date": "2029-12-31"}, id="end before start"),
        pytest.param({"end_date": "9999-12-31"}, id="end beyond the calendar's range"),
        pytest.param({"places": "0"}, id="no places"),
        pytest.param({"places": "51"}, id="too many places"),
        pytest.param({"min_age": "12"}, id="min age too low"),
        pytest.param({"schedule": "one_off"}, id="one-off without date"),
        pytest.param(
            {
                "schedule": "one_off",
                "one_off_date": "2020-01-01",
                "one_off_start": "10:00",
                "one_off_end": "11:00",
            },
            id="one-off in the past",
        ),
        pytest.param(
            {
                "schedule": "one_off",
                "one_off_date": "2099-01-01",
                "one_off_start": "10:00",
                "one_off_end": "09:00",
            },
            id="one-off ends before it starts",
        ),
        pytest.param({"languages-1-language": "tr"}, id="duplicate language"),
        pytest.param({"slots-0-start": "25:99"}, id="not a time"),
        pytest.param({"district_id": "999999"}, id="unknown district"),
    ],
)
def test_invalid_need_is_refused_with_400_and_nothing_is_written(
    partner_client: FlaskClient, session: Session, overrides: dict[str, str]
) -> None:
    response = partner_client.post("/bedarfe/neu", data=need_form(session, **overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert_error_summary_links_resolve(page)
    assert "{" not in page.split('id="error-summary"')[1].split("</div>")[0]  # messages, not row dicts
    assert count(session, Need) == 0
    assert count(session, OutboxMessage) == 0


def test_edit_replaces_skills_languages_and_slots(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    log_in(client, make_partner(session, organisation))
    need = make_need(
        session, organisation=organisation, languages={"ru": True}, skills=("sports",), slots=((4, 600, 660),)
    )
    assert client.get(f"/bedarfe/{need.id}/bearbeiten").status_code == 200
    form = need_form(session, title="Neuer Titel", **{"languages-1-language": ""})
    form["skill_ids"] = [skill(session, "reading_aloud").id]
    assert client.post(f"/bedarfe/{need.id}/bearbeiten", data=form).status_code == 302
    session.expire_all()
    stored = session.get(Need, need.id)
    assert stored is not None and stored.title == "Neuer Titel"
    languages = session.exec(select(NeedLanguage).where(NeedLanguage.need_id == need.id)).all()
    assert {row.language_code: row.required for row in languages} == {"tr": False}
    skills = session.exec(select(NeedSkill.skill_id).where(NeedSkill.need_id == need.id)).all()
    assert list(skills) == [skill(session, "reading_aloud").id]
    slots = session.exec(select(NeedSlot).where(NeedSlot.need_id == need.id)).all()
    assert sorted((s.weekday, s.start_minute) for s in slots) == [(1, 900), (3, 900)]
    assert len(need_messages(session, need.id or 0)) == 1


def test_edit_form_is_prefilled_with_the_stored_need(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    log_in(client, make_partner(session, organisation))
    need = make_need(session, organisation=organisation, languages={"ru": True}, slots=((4, 600, 660),))
    page = client.get(f"/bedarfe/{need.id}/bearbeiten").get_data(as_text=True)
    assert 'value="10:00"' in page and 'value="11:00"' in page
    assert '<option selected value="ru">' in page
    assert '<option selected value="required">' in page


def test_failed_edit_leaves_the_need_unchanged(client: FlaskClient, session: Session) -> None:
    organisation = make_organisation(session)
    log_in(client, make_partner(session, organisation))
    need = make_need(session, organisation=organisation, languages={"ru": True}, skills=("sports",))
    form = need_form(session, title="Geändert", places="0")
    assert client.post(f"/bedarfe/{need.id}/bearbeiten", data=form).status_code == 400
    session.expire_all()
    stored = session.get(Need, need.id)
    assert stored is not None and stored.title == need.title and stored.places == 1
    assert session.exec(select(NeedLanguage.language_code).where(NeedLanguage.need_id == need.id)).all() == [
        "ru"
    ]
    assert count(session, NeedSkill) == 1
    assert session.exec(select(func.count()).where(col(NeedSlot.need_id) == need.id)).one() == 1
    assert need_messages(session, need.id or 0) == []
