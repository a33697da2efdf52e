"""Statistics for the funder: exact figures on a small known world, months across a year boundary, the
suppression of small counts, a district office's scope, and bad filters."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from app.accounts.models import User
from app.hours.models import HoursEntry, HoursStatus
from app.needs.models import Need, TargetGroup
from app.pairings.models import Pairing, PairingStatus
from app.proposals.models import ProposalStatus
from app.reports.charts import bar_chart
from app.reports.services import Period, last_months, statistics
from app.reports.tables import HIDDEN, Cell, cell, suppressed
from app.volunteers.models import Volunteer
from tests.conftest import log_in
from tests.factories import (
    district,
    make_coordinator,
    make_need,
    make_organisation,
    make_pairing,
    make_proposal,
    make_volunteer,
)
from tests.support.pages import assert_error_summary_links_resolve

PERIOD = Period(date(2025, 11, 1), date(2026, 2, 1))
QUERY = {"from_month": "2025-11", "to_month": "2026-02"}


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    haken: list[Volunteer]
    bienenberg: list[Volunteer]
    needs: list[Need]
    pairings: list[Pairing]


def build_world(session: Session) -> World:
    """Six volunteers in Haken (December, German and Turkish), five in Bienenberg (January, Arabic), one
    from long ago; five needs for children in Haken (November), one for older people in Bienenberg
    (January); six offers accepted around New Year, one declined, one open; hours in January and February."""
    haken = [
        make_volunteer(session, languages={"de": "native", "tr": "B1"}, created_at=at(2025, 12, 15))
        for _ in range(6)
    ]
    bienenberg = [
        make_volunteer(
            session, district_slug="bienenberg", languages={"ar": "native"}, created_at=at(2026, 1, 10)
        )
        for _ in range(5)
    ]
    make_volunteer(session, created_at=at(2024, 6, 1))  # before the period
    school = make_organisation(session)
    needs = [
        make_need(
            session, organisation=school, target_group=TargetGroup.CHILDREN, created_at=at(2025, 11, 20)
        )
        for _ in range(5)
    ]
    needs.append(
        make_need(
            session,
            district_slug="bienenberg",
            target_group=TargetGroup.SENIORS,
            created_at=at(2026, 1, 5),
        )
    )
    dec_31, jan_1 = at(2025, 12, 31, 23, 30), at(2026, 1, 1, 0, 30)  # either side of New Year (UTC)
    steps = [
        (PairingStatus.ACTIVE, dec_31, {"started_on": date(2026, 1, 10)}),
        (PairingStatus.COMPLETED, dec_31, {"started_on": date(2026, 1, 2), "ended_at": at(2026, 2, 20)}),
        (PairingStatus.ENDED_EARLY, dec_31, {"started_on": date(2026, 1, 3), "ended_at": at(2026, 1, 20)}),
        (PairingStatus.MEETING, jan_1, {"created_at": at(2025, 12, 20)}),
        (PairingStatus.INTRODUCED, jan_1, {}),
        (PairingStatus.INTRODUCED, jan_1, {}),
    ]
    pairings = []
    for index, (status, answered_at, fields) in enumerate(steps):
        volunteer, need = haken[index], needs[index % 5]
        pairings.append(
            make_pairing(
                session, volunteer=volunteer, need=need, status=status, answered_at=answered_at, **fields
            )
        )
    pairings.append(
        make_pairing(
            session,
            volunteer=bienenberg[0],
            need=needs[5],
            status=PairingStatus.DECLINED,
            answered_at=at(2026, 1, 15),
        )
    )
    pairings.append(
        make_pairing(session, volunteer=bienenberg[1], need=needs[5], status=PairingStatus.OFFERED)
    )
    for pairing in pairings:  # eight approved proposals, computed and decided in December
        make_proposal(
            session,
            volunteer=session.get(Volunteer, pairing.volunteer_id),
            need=session.get(Need, pairing.need_id),
            status=ProposalStatus.APPROVED,
            computed_at=at(2025, 12, 10),
            decided_at=at(2025, 12, 20),
        )
    for volunteer in haken[4:6]:  # two rejected in January
        make_proposal(
            session,
            volunteer=volunteer,
            need=needs[3],
            status=ProposalStatus.REJECTED,
            computed_at=at(2026, 1, 18),
            decided_at=at(2026, 1, 20),
        )
    hours = [
        (pairings[0], 150, date(2026, 1, 20), HoursStatus.CONFIRMED),
        (pairings[1], 90, date(2026, 2, 1), HoursStatus.CONFIRMED),
        (pairings[2], 60, date(2026, 1, 15), HoursStatus.CONFIRMED),
        (pairings[0], 600, date(2026, 1, 21), HoursStatus.LOGGED),  # not confirmed: does not count
        (pairings[1], 300, date(2026, 1, 22), HoursStatus.REJECTED),
        (pairings[0], 60, date(2025, 10, 31), HoursStatus.CONFIRMED),  # before the period
    ]
    for pairing, minutes, worked_on, status in hours:
        session.add(
            HoursEntry(
                volunteer_id=pairing.volunteer_id,
                pairing_id=pairing.id or 0,
                minutes=minutes,
                worked_on=worked_on,
                status=status,
            )
        )
    session.commit()
    return World(haken, bienenberg, needs, pairings)


def test_the_figures_of_a_known_world(session: Session) -> None:
    build_world(session)
    haken, bienenberg = district(session, "haken").id, district(session, "bienenberg").id

    figures = statistics(session=session, period=PERIOD, district_ids=None)

    assert figures.totals == {
        "volunteers": 11,
        "active_volunteers": 4,  # active, completed, ended early after starting, and the arranged meeting
        "needs": 6,
        "proposals": 10,
        "proposals_decided": 10,
        "proposals_approved": 8,
        "offers_answered": 7,
        "pairings": 6,
        "hours_minutes": 300,
        "hours_volunteers": 3,
    }
    by_district = figures.by["district"]
    assert by_district["volunteers"] == {haken: 6, bienenberg: 5}
    assert by_district["needs"] == {haken: 5, bienenberg: 1}
    assert by_district["offers_answered"] == {haken: 6, bienenberg: 1}
    assert by_district["active_volunteers"] == {haken: 4}
    by_group = figures.by["target_group"]
    assert by_group["needs"] == {"children": 5, "seniors": 1}
    assert by_group["pairings"] == {"children": 6}
    assert "volunteers" not in by_group  # volunteers have no target group
    by_language = figures.by["language"]
    # A volunteer counts under each language they speak.
    assert by_language["volunteers"] == {"de": 6, "tr": 6, "ar": 5}
    assert by_language["pairings"] == {"de": 6, "tr": 6}
    assert by_language["offers_answered"] == {"de": 6, "tr": 6, "ar": 1}
    assert by_language["hours_minutes"] == {"de": 300, "tr": 300}


def test_months_are_counted_across_the_year_boundary(session: Session) -> None:
    build_world(session)

    by_month = statistics(session=session, period=PERIOD, district_ids=None).by["month"]

    assert by_month["pairings"] == {"2025-12": 3, "2026-01": 3}  # 23:30 on New Year's Eve, 00:30 after
    assert by_month["volunteers"] == {"2025-12": 6, "2026-01": 5}
    assert by_month["needs"] == {"2025-11": 5, "2026-01": 1}
    assert by_month["hours_minutes"] == {"2026-01": 210, "2026-02": 90}
    assert by_month["proposals"] == {"2025-12": 8, "2026-01": 2}
    # Running pairings count in every month they overlap.
    assert by_month["active_volunteers"] == {"2025-11": 0, "2025-12": 1, "2026-01": 4, "2026-02": 3}


def test_the_default_period_is_the_last_twelve_months() -> None:
    period = last_months(date(2026, 3, 17))

    assert (period.first, period.last) == (date(2025, 4, 1), date(2026, 3, 1))
    assert len(period.months()) == 12


@pytest.mark.parametrize(("count", "text"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (12, "12")])
def test_counts_below_five_are_suppressed(count: int, text: str) -> None:
    assert cell("needs", {"needs": count}).text == text
    assert suppressed(count) == (text == "<5")


def test_rates_and_hours_hide_what_small_counts_would_reveal() -> None:
    # 6 yes and 1 no: the rate would give the single "no" away.
    assert cell("acceptance_rate", {"pairings": 6, "offers_answered": 7}).text == "<5"
    assert cell("acceptance_rate", {"pairings": 15, "offers_answered": 20}) == Cell(75, "75")
    assert cell("acceptance_rate", {"pairings": 0, "offers_answered": 0}).text == "–"
    assert cell("hours", {"hours_minutes": 6000, "hours_volunteers": 4}).text == "<5"
    assert cell("hours", {"hours_minutes": 6000, "hours_volunteers": 5}).text == "100"


def test_a_chart_draws_the_shown_figures_and_mirrors_for_right_to_left() -> None:
    rows = [("<Haken>", Cell(10, "10")), ("Bienenberg", HIDDEN), ("Kernstadt", Cell(5, "5"))]

    ltr = bar_chart(chart_id="c", title="Pairings", description="per district", rows=rows)
    rtl = bar_chart(chart_id="c", title="Pairings", description="per district", rows=rows, rtl=True)

    assert ltr.count("<rect") == 2  # none for the hidden "<5"
    assert "&lt;Haken&gt;" in ltr and "&lt;5" in ltr and "<Haken>" not in ltr
    assert 'role="img"' in ltr and '<title id="c-title">Pairings</title>' in ltr
    assert 'direction="ltr"' in ltr and 'direction="rtl"' in rtl
    # The longest bar starts after the labels on the left, or ends before them on the right.
    assert 'x="150" y="12" width="260.0"' in ltr and 'x="70.0" y="12" width="260.0"' in rtl
    assert "style=" not in ltr + rtl


def login(client: FlaskClient, session: Session, office: str = "Integrationsbüro") -> User:
    coordinator = make_coordinator(session, office, locale="en")
    log_in(client, coordinator)
    return coordinator


def total(page: str, column: str) -> str:
    """The text of a headline figure on the page."""
    found = re.search(rf'id="total-{column}"><span dir="ltr">([^<]*)</span>', page)
    assert found, column
    return found.group(1)


def cells(page: str, table: str, key: object) -> dict[str, str]:
    """{column: text} of one row of a table on the page."""

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.table = ""
            self.row: str | None = None
            self.column: str | None = None
            self.found: dict[str, str] = {}

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if tag == "table":
                self.table = values.get("id") or ""
            elif tag == "tr":
                self.row = values.get("data-key")
            elif tag == "td":
                self.column = values.get("data-column")

        def handle_data(self, data: str) -> None:
            if self.table == f"table-{table}" and self.row == str(key) and self.column:
                self.found[self.column] = data.strip()

        def handle_endtag(self, tag: str) -> None:
            if tag == "td":
                self.column = None

    parser = Rows()
    parser.feed(page)
    return parser.found


def test_the_page_shows_suppressed_figures_and_hides_a_lonely_small_cell(
    client: FlaskClient, session: Session
) -> None:
    build_world(session)
    login(client, session)
    haken, bienenberg = district(session, "haken").id, district(session, "bienenberg").id

    response = client.get("/statistik/", query_string=QUERY)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert total(page, "volunteers") == "11" and total(page, "needs") == "6"
    assert total(page, "acceptance_rate") == "&lt;5" and total(page, "approval_rate") == "&lt;5"
    assert cells(page, "district", haken)["volunteers"] == "6"
    assert cells(page, "district", bienenberg)["volunteers"] == "5"
    # One need in Bienenberg is "<5"; Haken's five would give it away (6 - 5), so they are hidden too.
    assert cells(page, "district", bienenberg)["needs"] == "<5"
    assert cells(page, "district", haken)["needs"] == "<5"
    assert cells(page, "district", district(session, "kernstadt").id)["needs"] == "0"
    assert cells(page, "target_group", "children")["volunteers"] == "–"
    assert cells(page, "language", "de")["pairings"] == "6"
    assert cells(page, "month", "2025-12")["volunteers"] == "6"
    # Four charts, each an image with a title, with bars for the figures shown.
    assert page.count('<svg class="chart"') == 4 and page.count('role="img"') >= 4
    assert 'class="chart-bar" data-value="6"' in page
    assert "style=" not in page


def test_a_district_office_sees_only_its_districts(client: FlaskClient, session: Session) -> None:
    build_world(session)
    login(client, session, "Stadtteilbüro Bienenberg")
    bienenberg = district(session, "bienenberg").id

    page = client.get("/statistik/", query_string=QUERY).get_data(as_text=True)

    assert total(page, "volunteers") == "5"
    assert total(page, "pairings") == "0"
    assert cells(page, "district", bienenberg)["volunteers"] == "5"
    assert cells(page, "district", district(session, "haken").id) == {}
    assert "Haken" not in page.split('id="table-district"')[1].split("</table>")[0]


def test_the_district_filter_narrows_the_figures(client: FlaskClient, session: Session) -> None:
    build_world(session)
    login(client, session)

    page = client.get(
        "/statistik/", query_string={**QUERY, "district": district(session, "haken").id}
    ).get_data(as_text=True)

    assert total(page, "volunteers") == "6" and total(page, "pairings") == "6"


@pytest.mark.parametrize(
    "query",
    [
        {"from_month": "2026-13"},
        {"from_month": "26-01"},
        {"to_month": "2026-01-01"},
        {"from_month": "2026-03", "to_month": "2026-01"},
        {"from_month": "2000-01", "to_month": "2026-01"},
        {"district": "abc"},
        {"district": "999999"},
    ],
)
def test_bad_filters_are_refused_with_a_message(
    client: FlaskClient, session: Session, query: dict[str, str]
) -> None:
    login(client, session)

    page = client.get("/statistik/", query_string=query)
    download = client.get("/statistik/statistik.csv", query_string=query)

    assert page.status_code == 400
    assert_error_summary_links_resolve(page.get_data(as_text=True))
    assert download.status_code == 400


def test_a_district_outside_the_scope_is_refused(client: FlaskClient, session: Session) -> None:
    login(client, session, "Stadtteilbüro Haken")

    response = client.get("/statistik/", query_string={"district": district(session, "bienenberg").id})

    assert response.status_code == 400


def test_only_coordinators_and_admins_see_the_statistics(client: FlaskClient, session: Session) -> None:
    from tests.factories import make_partner

    log_in(client, make_partner(session))

    assert client.get("/statistik/").status_code == 403
    assert client.get("/statistik/statistik.xlsx").status_code == 403


def test_stray_parameters_stay_out_of_the_download_links(client: FlaskClient, session: Session) -> None:
    # url_for reads _method, _external and _anchor as its own options: only the filters may reach it.
    login(client, session)
    stray = {"from_month": "2025-11", "_method": "POST", "_external": "1"}

    page = client.get("/statistik/", query_string=stray)

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<a href="/statistik/statistik.xlsx?from_month=2025-11" id="download-xlsx"' in html
    assert '<a href="/statistik/statistik.csv?from_month=2025-11" id="download-csv"' in html
