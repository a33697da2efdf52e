"""The review queue: who sees which proposals, in which order, with which explanation."""

import re

from flask.testing import FlaskClient
from sqlmodel import Session

from app.accounts.models import Role
from app.proposals.models import ProposalStatus
from tests.conftest import log_in
from tests.factories import (
    district,
    make_coordinator,
    make_need,
    make_partner,
    make_proposal,
    make_user,
    make_volunteer,
)

EN = {"Accept-Language": "en"}


def shown_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="proposal-(\d+)"', html)]


def test_integrationsbuero_sees_all_districts_and_best_scores_first(
    client: FlaskClient, session: Session
) -> None:
    haken = make_proposal(session, need=make_need(session, district_slug="haken"), score=0.55)
    neugablonz = make_proposal(session, need=make_need(session, district_slug="neugablonz"), score=0.91)
    make_proposal(session, status=ProposalStatus.REJECTED)
    log_in(client, make_coordinator(session))

    response = client.get("/vorschlaege/", headers=EN)

    assert response.status_code == 200
    assert shown_ids(response.text) == [neugablonz.id, haken.id]


def test_stadtteilbuero_haken_sees_only_its_districts(client: FlaskClient, session: Session) -> None:
    inside = [
        make_proposal(session, need=make_need(session, district_slug=slug))
        for slug in ("haken", "kernstadt", "hirschzell")
    ]
    outside = make_proposal(session, need=make_need(session, district_slug="bienenberg"))
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken"))

    html = client.get("/vorschlaege/", headers=EN).text

    assert sorted(shown_ids(html)) == sorted(p.id for p in inside)
    assert outside.id not in shown_ids(html)
    # Nor can it be reached through the district filter.
    bienenberg = district(session, "bienenberg").id
    assert client.get(f"/vorschlaege/?district={bienenberg}", headers=EN).status_code == 400


def test_filters_by_district_and_minimum_score(client: FlaskClient, session: Session) -> None:
    low = make_proposal(session, need=make_need(session, district_slug="haken"), score=0.35)
    high = make_proposal(session, need=make_need(session, district_slug="haken"), score=0.8)
    elsewhere = make_proposal(session, need=make_need(session, district_slug="kemnat"), score=0.9)
    log_in(client, make_coordinator(session))
    haken = district(session, "haken").id

    assert shown_ids(client.get(f"/vorschlaege/?district={haken}").text) == [high.id, low.id]
    assert shown_ids(client.get("/vorschlaege/?min_score=50").text) == [elsewhere.id, high.id]
    assert client.get("/vorschlaege/?min_score=abc").status_code == 400


def test_partners_may_not_see_the_queue(client: FlaskClient, session: Session) -> None:
    make_proposal(session)
    log_in(client, make_partner(session))
    assert client.get("/vorschlaege/").status_code == 403


def test_volunteers_may_not_see_the_queue(client: FlaskClient, session: Session) -> None:
    # One user per test: the test app context outlives requests, so Flask-Login's cached user would stay.
    make_proposal(session)
    log_in(client, make_user(session, Role.VOLUNTEER))
    assert client.get("/vorschlaege/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client: FlaskClient) -> None:
    response = client.get("/vorschlaege/")
    assert response.status_code == 302 and "/konto/anmelden" in response.headers["Location"]


def test_entry_shows_need_volunteer_score_and_explanation(client: FlaskClient, session: Session) -> None:
    volunteer = make_volunteer(
        session, first_name="Ayşe", last_name="Yılmaz", district_slug="kernstadt", languages={"tr": "native"}
    )
    need = make_need(
        session, title="Hausaufgabenhilfe Mathe", district_slug="haken", skills=("homework_help",)
    )
    proposal = make_proposal(session, volunteer=volunteer, need=need, score=0.82)
    # Logged-in users see their saved language (Accept-Language only counts for visitors).
    log_in(client, make_coordinator(session, locale="en"))

    html = client.get("/vorschlaege/", headers=EN).text

    entry = html[html.index(f'id="proposal-{proposal.id}"') :]
    assert "Hausaufgabenhilfe Mathe" in entry and "Grundschule" in entry
    assert "Ayşe Y. (Kernstadt)" in entry and "Yılmaz" not in entry
    assert "Turkish (Mother tongue)" in entry
    assert "82%" in entry
    for sentence in (
        "Shared skills: Homework help",
        "Shared languages: Turkish",
        "Available at the needed times: Tue 15:00–17:00",
        "Distance: 1.2 km (same district)",
        "Requirements met: certificate of conduct, minimum age",
        "Weighed most: shared skills",
    ):
        assert sentence in entry, sentence
    assert "<time datetime=" in entry


def test_explanation_follows_the_readers_language(client: FlaskClient, session: Session) -> None:
    make_proposal(session)
    log_in(client, make_coordinator(session, locale="de"))

    html = client.get("/vorschlaege/").text

    # Labels come from the vocabulary and Babel in German, whatever the sentence catalogue says.
    assert "Hausaufgabenhilfe" in html and "Türkisch" in html and "Di. 15:00–17:00" in html
    assert "1,2 km" in html


def test_empty_queue_says_so(client: FlaskClient, session: Session) -> None:
    log_in(client, make_coordinator(session))
    response = client.get("/vorschlaege/", headers=EN)
    assert response.status_code == 200 and 'id="queue-empty"' in response.text
