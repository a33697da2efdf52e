"""A coordinator opens the statistics in Chromium, sees the charts and the tables, downloads the XLSX and
the CSV, and the files opened afterwards hold the figures the page showed, "<5" included."""

import csv
import io
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from app.extensions import db
from tests.app.test_reports import QUERY, build_world
from tests.app.test_reports_exports import csv_sections
from tests.browser.conftest import LiveServer, fill, follow, submit, wait_for_path
from tests.factories import PASSWORD, make_coordinator

pytestmark = pytest.mark.browser

TABLES = {"district": "By district", "month": "By month", "target_group": "By target group"}


def downloaded(folder: Path, suffix: str) -> Path:
    """The file Chromium saved into `folder`, once it is complete."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file arrived in {folder}: {list(folder.iterdir())}")


def page_table(driver: WebDriver, dimension: str) -> list[list[str]]:
    """Header and rows of a table on the page, as text."""
    table = driver.find_element(By.ID, f"table-{dimension}")
    rows = table.find_elements(By.CSS_SELECTOR, "thead tr, tbody tr")
    return [[c.text for c in row.find_elements(By.CSS_SELECTOR, "th, td")] for row in rows]


def xlsx_table(path: Path, title: str) -> list[list[str]]:
    workbook = load_workbook(path, read_only=True)
    rows = [list(r) for r in workbook[title].iter_rows(values_only=True)]
    workbook.close()
    texts = [["" if v is None else str(v) for v in row] for row in rows]
    start = next(i for i, row in enumerate(texts) if row[1:] and row[1] == "Registered volunteers")
    return [row for row in texts[start:] if any(row)]


def test_a_coordinator_downloads_the_statistics_and_finds_the_pages_figures(
    browser: WebDriver, live_server: LiveServer, tmp_path: Path
) -> None:
    with db.new_session() as session:
        build_world(session)
        coordinator = make_coordinator(session, locale="en")
    browser.execute_cdp_cmd(  # type: ignore[attr-defined]
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )

    browser.get(live_server.url + "/konto/anmelden")
    fill(browser, "email", coordinator.email)
    fill(browser, "password", PASSWORD)
    submit(browser, "login-submit")
    follow(browser, browser.find_element(By.LINK_TEXT, "Statistics"))
    wait_for_path(browser, "/statistik/")
    browser.execute_script(
        "document.getElementById('from_month').value = arguments[0];"
        "document.getElementById('to_month').value = arguments[1];",
        QUERY["from_month"],
        QUERY["to_month"],
    )
    submit(browser, "report-submit")

    chart = browser.find_element(By.ID, "chart-pairings-month")
    assert chart.get_attribute("role") == "img"
    assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent") == "Pairings per month"
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect.chart-bar")) == 0  # 3 and 3: both "<5"
    district_chart = browser.find_element(By.ID, "chart-pairings-district")
    bars = district_chart.find_elements(By.TAG_NAME, "rect")
    assert [bar.get_attribute("data-value") for bar in bars] == ["6"]
    assert browser.find_element(By.ID, "total-volunteers").text == "11"
    shown = {dimension: page_table(browser, dimension) for dimension in TABLES}
    haken = next(row for row in shown["district"] if row[0] == "Haken")
    assert haken == ["Haken", "6", "<5", "<5", "<5", "6", "100", "<5", "<5"]

    browser.find_element(By.ID, "download-xlsx").click()
    workbook = downloaded(tmp_path, ".xlsx")
    browser.find_element(By.ID, "download-csv").click()
    table = downloaded(tmp_path, ".csv")

    assert workbook.name == "statistics_2025-11_2026-02.xlsx"
    assert table.name == "statistics_2025-11_2026-02.csv"
    sections = csv_sections(table.read_bytes())
    for dimension, title in TABLES.items():
        assert xlsx_table(workbook, title) == shown[dimension], title
        assert sections[title] == shown[dimension], title
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert any(row == ["Total"] for row in rows)
