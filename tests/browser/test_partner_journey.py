"""A partner logs in on a phone, posts a weekly need, edits it, pauses it and closes it."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlmodel import select

from app.extensions import db
from app.needs.models import Need, NeedLanguage, NeedSlot
from tests.browser.conftest import LiveServer, fill, follow, submit, wait_for_path
from tests.factories import PASSWORD, make_organisation, make_partner, skill

pytestmark = pytest.mark.browser


def set_time(driver: WebDriver, field_id: str, value: str) -> None:
    """Chromium's time input takes the digits of hh:mm in 24-hour locales."""
    element = driver.find_element(By.ID, field_id)
    element.send_keys(value.replace(":", ""))
    assert element.get_attribute("value") == value


def status_of_row(driver: WebDriver, need_id: int) -> str | None:
    return driver.find_element(By.ID, f"need-row-{need_id}").get_attribute("data-status")


def test_partner_posts_edits_pauses_and_closes_a_need(browser: WebDriver, live_server: LiveServer) -> None:
    with db.new_session() as session:
        organisation = make_organisation(session, "Grundschule Neugablonz", district_slug="neugablonz")
        partner = make_partner(session, organisation, display_name="Frau Berger")
        homework_id = skill(session, "homework_help").id

    browser.get(live_server.url + "/konto/anmelden")
    fill(browser, "email", partner.email)
    fill(browser, "password", PASSWORD)
    submit(browser, "login-submit")
    wait_for_path(browser, "/bedarfe/unsere")

    follow(browser, browser.find_element(By.ID, "new-need"))
    fill(browser, "title", "Hausaufgabenhilfe für zwei Drittklässler")
    fill(browser, "description", "Dienstags und donnerstags in der Schulbibliothek.")
    browser.find_element(By.ID, f"skill-{homework_id}").click()
    Select(browser.find_element(By.ID, "languages-0-language")).select_by_value("tr")
    Select(browser.find_element(By.ID, "languages-0-importance")).select_by_value("welcome")
    Select(browser.find_element(By.ID, "district_id")).select_by_visible_text("Neugablonz")
    for row, weekday in ((0, "1"), (1, "3")):
        Select(browser.find_element(By.ID, f"slots-{row}-weekday")).select_by_value(weekday)
        set_time(browser, f"slots-{row}-start", "15:00")
        set_time(browser, f"slots-{row}-end", "17:00")
    fill(browser, "places", "2")
    Select(browser.find_element(By.ID, "target_group")).select_by_value("children")
    submit(browser, "need-save")

    assert browser.find_element(By.ID, "need-status").get_attribute("data-status") == "open"
    with db.new_session() as session:
        need = session.exec(select(Need)).one()
        assert need.organisation_id == organisation.id and need.places == 2
        languages = session.exec(select(NeedLanguage).where(NeedLanguage.need_id == need.id)).all()
        assert [(row.language_code, row.required) for row in languages] == [("tr", False)]
        slots = session.exec(select(NeedSlot).where(NeedSlot.need_id == need.id)).all()
        assert sorted((s.weekday, s.start_minute, s.end_minute) for s in slots) == [
            (1, 900, 1020),
            (3, 900, 1020),
        ]
    need_id = need.id or 0

    browser.get(live_server.url + "/bedarfe/unsere")
    assert status_of_row(browser, need_id) == "open"

    follow(browser, browser.find_element(By.LINK_TEXT, "Hausaufgabenhilfe für zwei Drittklässler"))
    follow(browser, browser.find_element(By.ID, "edit-need"))
    fill(browser, "title", "Hausaufgabenhilfe Mathe")
    submit(browser, "need-save")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Hausaufgabenhilfe Mathe"

    submit(browser, "status-paused")
    assert browser.find_element(By.ID, "need-status").get_attribute("data-status") == "paused"
    browser.get(live_server.url + "/bedarfe/unsere")
    assert status_of_row(browser, need_id) == "paused"

    follow(browser, browser.find_element(By.LINK_TEXT, "Hausaufgabenhilfe Mathe"))
    submit(browser, "status-closed")
    assert browser.find_element(By.ID, "need-status").get_attribute("data-status") == "closed"
    assert browser.find_elements(By.ID, "edit-need") == []
    with db.new_session() as session:
        stored = session.get(Need, need_id)
        assert stored is not None and (stored.title, stored.status) == ("Hausaufgabenhilfe Mathe", "closed")
