"""A volunteer signs up on a phone, confirms the address, sees the profile, edits and pauses it."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlmodel import select

from app.extensions import db
from app.privacy.consent import CONSENT_VERSION
from app.privacy.models import ConsentRecord
from app.vocab.services import language_labels_by_code
from app.volunteers.models import Volunteer, VolunteerLanguage, VolunteerSkill, VolunteerSlot
from tests.browser.conftest import LiveServer, fill, follow, submit, wait_for_path
from tests.factories import district, skill
from tests.support.mail import Mailbox

pytestmark = pytest.mark.browser

EMAIL = "olena@example.org"
# Every form control must have a label a screen reader can announce (hidden inputs aside).
UNLABELLED = """
return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
  .filter(el => el.labels === null || el.labels.length === 0)
  .map(el => el.name || el.id);
"""


def set_date(driver: WebDriver, field_id: str, iso: str) -> None:
    """Sets a date input; typing depends on the date order of the OS locale, which headless Chromium
    does not take from --lang, so the value is set the way a date picker sets it."""
    element = driver.find_element(By.ID, field_id)
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        element,
        iso,
    )
    assert element.get_attribute("value") == iso


def tick(driver: WebDriver, element_id: str) -> None:
    element = driver.find_element(By.ID, element_id)
    # On a narrow screen the grid scrolls; bring the box into view before clicking it.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    assert element.is_selected()


def test_volunteer_signs_up_confirms_edits_and_pauses(
    browser: WebDriver, live_server: LiveServer, mailbox: Mailbox
) -> None:
    with db.new_session() as session:
        music, sports = skill(session, "music").id, skill(session, "sports").id
        haken = district(session, "haken").id
        ukrainian = language_labels_by_code(session=session, locale="de")["uk"]

    browser.get(live_server.url + "/")
    links = browser.find_elements(By.CSS_SELECTOR, "a[href='/ehrenamt/registrieren']")
    follow(browser, next(link for link in links if link.is_displayed()))
    assert browser.current_url.endswith("/ehrenamt/registrieren")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert browser.execute_script(UNLABELLED) == []

    fill(browser, "email", EMAIL)
    fill(browser, "password", "ein langes Passwort")
    fill(browser, "password_repeat", "ein langes Passwort")
    fill(browser, "first_name", "Olena")
    fill(browser, "last_name", "Kovalenko")
    fill(browser, "phone", "08341 12345")
    set_date(browser, "birth_date", "1985-03-02")
    fill(browser, "postcode", "87600")
    Select(browser.find_element(By.ID, "district_id")).select_by_value(str(haken))
    Select(browser.find_element(By.ID, "travel_radius_km")).select_by_value("5")
    Select(browser.find_element(By.ID, "languages-0-language")).select_by_value("uk")
    Select(browser.find_element(By.ID, "languages-0-level")).select_by_value("native")
    tick(browser, f"skill-{music}")
    tick(browser, f"skill-{sports}")
    fill(browser, "about", "Chor und Fußball mit Kindern")
    tick(browser, "availability-1-afternoon")
    tick(browser, "availability-5-morning")
    fill(browser, "max_active_pairings", "1")
    tick(browser, "has_certificate")
    set_date(browser, "certificate_date", "2026-01-15")
    tick(browser, "consent")
    submit(browser, "register-submit")
    assert browser.find_element(By.CSS_SELECTOR, "[role=status]").is_displayed()  # "check your mail"

    link = mailbox.link(EMAIL, "/konto/bestaetigen/")
    browser.get(link)

    wait_for_path(browser, "/ehrenamt/profil")
    assert "Olena Kovalenko" in browser.find_element(By.ID, "profile-facts").text
    assert browser.find_element(By.ID, "home-district").text == "Haken"
    assert "5" in browser.find_element(By.ID, "travel-radius").text
    assert ukrainian in browser.find_element(By.ID, "profile-languages").text
    skills_text = browser.find_element(By.ID, "profile-skills").text
    assert "Musik" in skills_text and "Sport" in skills_text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#profile-availability .badge")) == 2
    assert "Chor und Fußball" in browser.find_element(By.ID, "profile-about").text
    with db.new_session() as session:
        volunteer = session.exec(select(Volunteer)).one()
        assert volunteer.certificate_inspected_on is not None
        assert volunteer.certificate_inspected_on.isoformat() == "2026-01-15"
        assert session.exec(select(ConsentRecord)).one().text_version == CONSENT_VERSION
        assert len(session.exec(select(VolunteerSkill)).all()) == 2
        assert len(session.exec(select(VolunteerSlot)).all()) == 2
        assert [row.language_code for row in session.exec(select(VolunteerLanguage))] == ["uk"]

    follow(browser, browser.find_element(By.ID, "edit-profile"))
    wait_for_path(browser, "/ehrenamt/profil/bearbeiten")
    assert browser.execute_script(UNLABELLED) == []
    Select(browser.find_element(By.ID, "travel_radius_km")).select_by_value("20")
    submit(browser, "profile-save")
    wait_for_path(browser, "/ehrenamt/profil")
    assert "20" in browser.find_element(By.ID, "travel-radius").text

    assert not browser.find_elements(By.ID, "paused-note")
    submit(browser, "pause-toggle")
    assert browser.find_element(By.ID, "paused-note").is_displayed()
    with db.new_session() as session:
        volunteer = session.exec(select(Volunteer)).one()
        assert volunteer.paused and volunteer.travel_radius_km == 20
