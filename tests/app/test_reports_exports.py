"""The statistics as CSV and XLSX: the page's figures, "<5" where the page hides one, headers in the
user's language, file names with the period, and names from users that no spreadsheet runs as formulas."""

import csv
import io
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.offices.models import District
from app.reports import views
from tests.app.test_reports import QUERY, build_world, login
from tests.factories import office

FORMULA = '=HYPERLINK("http://evil.example","click")'


def csv_sections(body: bytes) -> dict[str, list[list[str]]]:
    """{section title: rows (header first)} of the CSV export."""
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM German Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    sections: dict[str, list[list[str]]] = {}
    title = None
    for previous, row in zip([[], *rows], rows, strict=False):
        if not previous and len(row) == 1:
            title = row[0]
            sections[title] = []
        elif title is not None and row:
            sections[title].append(row)
    return sections


def test_the_csv_export_has_the_pages_figures(client: FlaskClient, session: Session) -> None:
    build_world(session)
    login(client, session)

    response = client.get("/statistik/statistik.csv", query_string=QUERY)

    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "statistics_2025-11_2026-02.csv" in disposition
    sections = csv_sections(response.data)
    total_header, total_row = sections["Total"]
    totals = dict(zip(total_header, total_row, strict=True))
    assert totals["Registered volunteers"] == "11" and totals["Needs posted"] == "6"
    assert totals["Acceptance rate (%)"] == "<5" and totals["Hours"] == "<5"
    header, *rows = sections["By district"]
    assert header[0] == "District"
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["Haken"]["Registered volunteers"] == "6"
    assert by_name["Bienenberg"]["Needs posted"] == "<5" and by_name["Haken"]["Needs posted"] == "<5"
    months = {row[0]: row for row in sections["By month"][1:]}
    assert len(months) == 4
    assert set(sections) >= {"Total", "By district", "By month", "By target group", "By language"}


def test_the_xlsx_export_has_one_sheet_per_breakdown(client: FlaskClient, session: Session) -> None:
    build_world(session)
    login(client, session)

    response = client.get("/statistik/statistik.xlsx", query_string=QUERY)

    assert response.status_code == 200
    assert "statistics_2025-11_2026-02.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames == ["Total", "By district", "By month", "By target group", "By language"]
    sheet = workbook["By district"]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    header_index = next(i for i, row in enumerate(rows) if row[0] == "District")
    header = rows[header_index]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[header_index + 1 :]}
    assert by_name["Haken"]["Registered volunteers"] == 6  # a number, not text
    assert by_name["Bienenberg"]["Needs posted"] == "<5"
    assert by_name["Kernstadt"]["Pairings"] == 0
    workbook.close()


def test_a_district_named_like_a_formula_stays_text(client: FlaskClient, session: Session) -> None:
    session.add(
        District(name=FORMULA, slug="evil", latitude=47.88, longitude=10.62, office_id=office(session).id)
    )
    session.commit()
    login(client, session)

    body = client.get("/statistik/statistik.csv", query_string=QUERY).data
    workbook_bytes = client.get("/statistik/statistik.xlsx", query_string=QUERY).data

    labels = [row[0] for row in csv_sections(body)["By district"]]
    assert "'" + FORMULA in labels and FORMULA not in labels
    workbook = load_workbook(io.BytesIO(workbook_bytes))
    cells = [
        c for row in workbook["By district"].iter_rows() for c in row if str(c.value).startswith(("=", "'"))
    ]
    assert [c.value for c in cells] == ["'" + FORMULA]
    assert cells[0].data_type == "s"  # text, not a formula
    # The heading names the districts too: neutral there as well.
    heading = [c.value for row in workbook["Total"].iter_rows(max_row=4) for c in row if c.value]
    assert not any(str(value).startswith("=") for value in heading)


def test_a_download_named_in_cyrillic_keeps_its_header_latin_1(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server refuses a header outside Latin-1: a translated name must go UTF-8-encoded into filename*.
    build_world(session)
    login(client, session)
    monkeypatch.setattr(views, "_", lambda text, **_: "статистика" if text == "statistics" else text)

    response = client.get("/statistik/statistik.xlsx", query_string=QUERY)

    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")
    assert f"filename*=UTF-8''{quote('статистика_2025-11_2026-02.xlsx')}" in disposition
