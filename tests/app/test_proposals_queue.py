"""The review queue: who sees which proposals, in which order, with which explanation."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlmodel import Session

from app.accounts.models import Role
from app.extensions import db
from app.proposals import views
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
from tests.support.pages import assert_error_summary_links_resolve

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
    proposal = make_proposal(session)
    log_in(client, make_coordinator(session, locale="de"))

    html = client.get("/vorschlaege/").text

    # The reasons' list alone: the need's title and the volunteer's side name some of these words too.
    reasons = html.split(f'id="reasons-{proposal.id}">')[1].split("</ul>")[0]
    # Labels come from the vocabulary and Babel in German, whatever the sentence catalogue says.
    assert "Gemeinsame Fähigkeiten: Hausaufgabenhilfe" in reasons
    assert "Türkisch" in reasons and "Di. 15:00–17:00" in reasons
    assert "1,2 km" in reasons


def test_empty_queue_says_so(client: FlaskClient, session: Session) -> None:
    log_in(client, make_coordinator(session))
    response = client.get("/vorschlaege/", headers=EN)
    assert response.status_code == 200 and 'id="queue-empty"' in response.text


# --- review at speed: more filters, pages, both sides, reasons, the decision log ---


def test_filters_by_need_volunteer_language_and_title(client: FlaskClient, session: Session) -> None:
    reading = make_need(session, title="Lesepatenschaft 2b")
    homework = make_need(session, title="Hausaufgabenhilfe Mathe")
    arabic = make_volunteer(session, languages={"ar": "native"})
    turkish = make_volunteer(session, languages={"tr": "B2"})
    reading_arabic = make_proposal(session, volunteer=arabic, need=reading, score=0.9)
    reading_turkish = make_proposal(session, volunteer=turkish, need=reading, score=0.8)
    homework_arabic = make_proposal(session, volunteer=arabic, need=homework, score=0.7)
    log_in(client, make_coordinator(session, locale="en"))

    by_need = client.get(f"/vorschlaege/?need={reading.id}")
    assert shown_ids(by_need.text) == [reading_arabic.id, reading_turkish.id]
    assert 'id="filter-need"' in by_need.text and "Lesepatenschaft 2b" in by_need.text
    assert shown_ids(client.get(f"/vorschlaege/?volunteer={arabic.id}").text) == [
        reading_arabic.id,
        homework_arabic.id,
    ]
    assert shown_ids(client.get("/vorschlaege/?language=tr").text) == [reading_turkish.id]
    assert shown_ids(client.get("/vorschlaege/?need_title=mathe").text) == [homework_arabic.id]
    # Filters combine; a % in the search is a character, not a wildcard.
    assert shown_ids(client.get(f"/vorschlaege/?volunteer={arabic.id}&language=ar&need_title=lese").text) == [
        reading_arabic.id
    ]
    assert 'id="queue-empty"' in client.get("/vorschlaege/?need_title=%25").text


def test_filters_by_age_of_the_proposal(client: FlaskClient, session: Session) -> None:
    now = datetime.now(UTC)
    new = make_proposal(session, computed_at=now - timedelta(hours=2), score=0.9)
    week_old = make_proposal(session, computed_at=now - timedelta(days=10), score=0.8)
    month_old = make_proposal(session, computed_at=now - timedelta(days=40), score=0.7)
    log_in(client, make_coordinator(session))

    assert shown_ids(client.get("/vorschlaege/?age=new").text) == [new.id]
    assert shown_ids(client.get("/vorschlaege/?age=week").text) == [week_old.id, month_old.id]
    assert shown_ids(client.get("/vorschlaege/?age=month").text) == [month_old.id]
    assert len(shown_ids(client.get("/vorschlaege/?age=").text)) == 3


@pytest.mark.parametrize(
    "query",
    [
        "need=abc",
        "need=0",
        "need=99999999999",
        "need=987654",  # no such need
        "volunteer=-3",
        "volunteer=987654",  # no such volunteer
        "language=xx",
        "age=ancient",
        "min_score=101",
        "page=0",
        "page=x",
        "select=some",
        "need_title=" + "x" * 161,
    ],
)
def test_bad_filter_values_are_a_bad_request(client: FlaskClient, session: Session, query: str) -> None:
    proposal = make_proposal(session)
    log_in(client, make_coordinator(session, locale="en"))

    response = client.get(f"/vorschlaege/?{query}")

    assert response.status_code == 400
    assert_error_summary_links_resolve(response.text)
    # The other filters still apply: the page shows the queue, not an error page.
    assert shown_ids(response.text) == [proposal.id]


def test_a_need_outside_the_districts_is_refused(client: FlaskClient, session: Session) -> None:
    outside = make_proposal(session, need=make_need(session, district_slug="bienenberg"))
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken", locale="en"))

    response = client.get(f"/vorschlaege/?need={outside.need_id}")

    assert response.status_code == 400 and outside.id not in shown_ids(response.text)


def test_pages_keep_the_filters_and_show_the_total(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    need = make_need(session)
    proposals = [make_proposal(session, need=need, score=0.9 - i / 10) for i in range(5)]
    make_proposal(session, score=0.95)  # another need: filtered out
    log_in(client, make_coordinator(session, locale="en"))

    first = client.get(f"/vorschlaege/?need={need.id}&min_score=10")
    third = client.get(f"/vorschlaege/?need={need.id}&min_score=10&page=3")
    beyond = client.get(f"/vorschlaege/?need={need.id}&min_score=10&page=9")

    assert shown_ids(first.text) == [proposals[0].id, proposals[1].id]
    assert 'data-total="5"' in first.text and "Page 1 of 3." in first.text
    next_link = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert next_link is not None
    target = html.unescape(next_link.group(1))
    assert f"need={need.id}" in target and "min_score=10" in target and "page=2" in target
    assert shown_ids(client.get(target).text) == [proposals[2].id, proposals[3].id]
    assert shown_ids(third.text) == [proposals[4].id] and 'rel="next"' not in third.text
    # A page beyond the end (decisions emptied it) shows the last one.
    assert beyond.status_code == 200 and shown_ids(beyond.text) == [proposals[4].id]


def test_select_all_checks_every_box_on_the_page_without_javascript(
    client: FlaskClient, session: Session
) -> None:
    proposals = [make_proposal(session) for _ in range(3)]
    log_in(client, make_coordinator(session))

    plain = client.get("/vorschlaege/").text
    selected = client.get("/vorschlaege/?select=all").text

    assert 'id="select-all"' in plain and " checked" not in plain
    for proposal in proposals:
        assert re.search(rf'id="select-{proposal.id}"\s+checked', selected)
    assert 'id="select-none"' in selected


def test_volunteer_and_need_side_by_side(client: FlaskClient, session: Session) -> None:
    volunteer = make_volunteer(
        session,
        languages={"ar": "native", "de": "B1"},
        skills=("homework_help",),
        travel_radius_km=7,
        about="Ich helfe gern bei Mathe.",
        birth_date=date(2000, 1, 1),
    )
    need = make_need(
        session,
        title="Mathe in der 4a",
        languages={"de": True, "ar": False},
        skills=("homework_help",),
        requires_certificate=True,
        min_age=18,
        target_group="children",
        description="Zweimal pro Woche nachmittags.",
    )
    proposal = make_proposal(session, volunteer=volunteer, need=need)
    log_in(client, make_coordinator(session, locale="en"))

    page = client.get("/vorschlaege/").text

    volunteer_side = between(page, f'id="volunteer-side-{proposal.id}"', "</section>")
    need_side = between(page, f'id="need-side-{proposal.id}"', "</section>")
    languages = ("Arabic (Mother tongue)", "German (B1 – conversational)")
    for text in (*languages, "Homework help", "Tue 14:00–18:00"):
        assert text in volunteer_side, text
    assert "up to 7 km" in volunteer_side and "Ich helfe gern bei Mathe." in volunteer_side
    assert 'class="volunteer-certificate">no' in volunteer_side
    assert re.search(r'class="volunteer-age">\d+ years', volunteer_side)
    for text in ("Grundschule", "Tue 15:00–17:00", "German (required)", "Arabic (welcome)", "Children"):
        assert text in need_side, text
    assert "Homework help" in need_side and "Zweimal pro Woche nachmittags." in need_side
    assert "at least 18 years old" in need_side


def test_the_page_costs_the_same_queries_for_2_or_20_proposals(client: FlaskClient, session: Session) -> None:
    log_in(client, make_coordinator(session))

    def queries_for_page() -> int:
        statements: list[str] = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731 (the listener's signature)
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert client.get("/vorschlaege/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        return len(statements)

    for _ in range(2):
        make_proposal(session, volunteer=make_volunteer(session, skills=("homework_help",)))
    queries_for_page()  # the first request also loads what the app keeps for later
    few = queries_for_page()
    for _ in range(18):
        make_proposal(session, volunteer=make_volunteer(session, skills=("homework_help",)))
    many = queries_for_page()

    assert many == few


def between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin)]


def test_a_district_office_sees_only_volunteers_linked_to_its_districts(
    client: FlaskClient, session: Session
) -> None:
    elsewhere = make_volunteer(session, first_name="Geheim", district_slug="bienenberg")
    helping_here = make_volunteer(session, first_name="Pendlerin", district_slug="bienenberg")
    proposal = make_proposal(session, volunteer=helping_here, need=make_need(session, district_slug="haken"))
    log_in(client, make_coordinator(session, "Stadtteilbüro Haken", locale="en"))

    refused = client.get(f"/vorschlaege/?volunteer={elsewhere.id}")
    unknown = client.get("/vorschlaege/?volunteer=987654")
    shown = client.get(f"/vorschlaege/?volunteer={helping_here.id}")

    assert refused.status_code == unknown.status_code == 400
    assert "Geheim" not in refused.text
    # The same words for both, so the answer does not tell who exists in other districts.
    message = "This volunteer does not exist or is outside your districts."
    assert message in refused.text and message in unknown.text
    assert shown.status_code == 200 and "Pendlerin" in shown.text and shown_ids(shown.text) == [proposal.id]
