"""Admin pages for districts, skills and languages: saved data and 400 with messages on bad input."""

from flask.testing import FlaskClient
from sqlmodel import Session, select

from app.accounts.models import Role
from app.offices.models import District
from app.vocab.models import Language, Skill
from tests.conftest import log_in
from tests.factories import district, make_user, office, skill

EN = {"Accept-Language": "en"}


def as_admin(session: Session, client: FlaskClient) -> None:
    log_in(client, make_user(session, Role.ADMIN, locale="en"))


def test_add_a_district(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    bienenberg = office(session, "Stadtteilbüro Bienenberg")
    data = {"name": "Märzisried", "slug": "maerzisried", "latitude": "47,8512", "longitude": "10.6010"}
    response = client.post("/verwaltung/stadtteile/neu", data={**data, "office_id": bienenberg.id})
    assert response.status_code == 302
    added = session.exec(select(District).where(District.slug == "maerzisried")).one()
    assert (added.name, added.latitude, added.longitude) == ("Märzisried", 47.8512, 10.601)
    assert added.office_id == bienenberg.id
    assert "maerzisried" in client.get("/verwaltung/bueros").get_data(as_text=True)


def test_bad_or_duplicate_district_input_is_400(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    good = {"name": "Neu", "slug": "neu", "latitude": "47.9", "longitude": "10.6", "office_id": 0}
    cases = {
        "Only small letters a–z, digits and hyphens.": {"slug": "Neu Stadt"},
        "The latitude lies between -90 and 90.": {"latitude": "91"},
        "The longitude lies between -180 and 180.": {"longitude": "-181"},
        "Please enter a number, e.g. 47.88.": {"latitude": "north"},
        "This name is used already.": {"name": "Haken"},
        "This short name is used already.": {"slug": "haken"},
    }
    for message, change in cases.items():
        response = client.post("/verwaltung/stadtteile/neu", data={**good, **change}, headers=EN)
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True), change
    assert session.exec(select(District).where(District.slug == "neu")).first() is None


def test_edit_a_districts_office_and_centre(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    haken = district(session, "haken")
    central = office(session)
    path = f"/verwaltung/stadtteile/{haken.id}"
    assert (
        client.post(path, data={"office_id": central.id, "latitude": "95", "longitude": "10"}).status_code
        == 400
    )
    response = client.post(path, data={"office_id": central.id, "latitude": "47.5", "longitude": "10.5"})
    assert response.status_code == 302
    session.refresh(haken)
    assert (haken.office_id, haken.latitude, haken.longitude, haken.slug) == (central.id, 47.5, 10.5, "haken")
    client.post(path, data={"office_id": 0, "latitude": "47.5", "longitude": "10.5"})
    session.refresh(haken)
    assert haken.office_id is None


def test_add_a_skill_with_labels_and_synonyms(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    page = client.get("/verwaltung/faehigkeiten/neu").get_data(as_text=True)
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    response = client.post(
        "/verwaltung/faehigkeiten/neu",
        data={
            "key": "beekeeping",
            "label_de": "Imkerei",
            "label_en": "Beekeeping",
            "label_ar": "تربية النحل",
            "label_tr": "",
            "synonyms": "Bienen, bees , arıcılık,, пчеловодство",
        },
    )
    assert response.status_code == 302
    added = skill(session, "beekeeping")
    assert added.labels == {"de": "Imkerei", "en": "Beekeeping", "ar": "تربية النحل"}
    assert added.synonyms == ["Bienen", "bees", "arıcılık", "пчеловодство"]


def test_bad_or_duplicate_skill_is_400(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    cases = {
        "This key is used already.": {"key": "homework_help", "label_de": "Doppelt"},
        "Only small letters a–z, digits and underscores.": {"key": "Bee-Keeping", "label_de": "X"},
        "The German name is required.": {"key": "beekeeping", "label_en": "Beekeeping"},
    }
    for message, data in cases.items():
        response = client.post("/verwaltung/faehigkeiten/neu", data=data, headers=EN)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert session.exec(select(Skill).where(Skill.key == "beekeeping")).first() is None


def test_edit_a_skill_keeps_its_key(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    homework = skill(session, "homework_help")
    path = f"/verwaltung/faehigkeiten/{homework.id}"
    assert "Hausaufgabenhilfe" in client.get(path).get_data(as_text=True)
    data = {"key": "renamed", "label_de": "Hausaufgaben", "synonyms": "Lernhilfe"}
    assert client.post(path, data=data).status_code == 302
    session.refresh(homework)
    assert (homework.key, homework.labels, homework.synonyms) == (
        "homework_help",
        {"de": "Hausaufgaben"},
        ["Lernhilfe"],
    )
    assert client.post(path, data={"label_de": ""}).status_code == 400


def test_add_a_language_named_by_babel(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    # The reference data ships Persian; take it out to add it again.
    session.delete(session.get(Language, "fa"))
    session.commit()
    response = client.post("/verwaltung/sprachen/neu", data={"code": " FA "})
    assert response.status_code == 302
    persian = session.get(Language, "fa")
    assert persian is not None
    assert persian.labels["de"] == "Persisch"
    assert persian.labels["en"] == "Persian"
    assert set(persian.labels) == {"de", "en", "tr", "ar", "ru", "uk"}


def test_unknown_or_listed_language_is_400(session: Session, client: FlaskClient) -> None:
    as_admin(session, client)
    for code, message in (
        ("xx", "This is not a known two-letter language code"),
        ("fas", "This is not a known two-letter language code"),
        ("", "Please enter a language code."),
        ("pl", "This language is in the list already."),
    ):
        response = client.post("/verwaltung/sprachen/neu", data={"code": code}, headers=EN)
        assert response.status_code == 400, code
        assert message in response.get_data(as_text=True), code
    assert session.get(Language, "xx") is None
