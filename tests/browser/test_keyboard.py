"""Keyboard only, in Chromium: a volunteer signs up, a partner posts a need, a coordinator approves.

No click and no script sets a value: Tab moves on (every stop on the way must show where the focus
is), typing fills a field or picks an option, Space ticks a box, Enter sends a form or follows a link.
"""

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlmodel import select

from app.extensions import db
from app.needs.models import Need
from app.pairings.models import Pairing
from app.volunteers.models import Volunteer
from tests.browser.conftest import LiveServer, next_page, wait_for_path
from tests.factories import PASSWORD, make_coordinator, make_partner, make_proposal
from tests.support.mail import Mailbox

MAX_TABS = 150
FOCUS_SHOWN = """
const element = document.activeElement, style = getComputedStyle(element);
return element !== document.body && (style.outlineStyle !== "none" || style.boxShadow !== "none");
"""


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def active_id(driver: WebDriver) -> str:
    return str(driver.execute_script("return document.activeElement.id"))


def tab_to(driver: WebDriver, element_id: str) -> None:
    """Tabs forward until `element_id` has the focus; every element passed on the way shows its focus."""
    for _ in range(MAX_TABS):
        press(driver, Keys.TAB)
        try:  # the key event is handled asynchronously: give the focus a moment to arrive
            WebDriverWait(driver, 2).until(lambda d: d.execute_script(FOCUS_SHOWN))
        except TimeoutException:
            raise AssertionError(f"no visible focus on {active_id(driver)!r}") from None
        if active_id(driver) == element_id:
            return
    raise AssertionError(f"{element_id!r} is not reachable with Tab on {driver.current_url}")


def type_into(driver: WebDriver, element_id: str, text: str) -> None:
    tab_to(driver, element_id)
    press(driver, text)


def enter_and_wait(driver: WebDriver, path: str) -> None:
    with next_page(driver):
        press(driver, Keys.ENTER)
    wait_for_path(driver, path)


def log_in(driver: WebDriver, server: LiveServer, email: str, landing: str) -> None:
    driver.get(server.url + "/konto/anmelden")
    type_into(driver, "email", email)
    type_into(driver, "password", PASSWORD)
    enter_and_wait(driver, landing)


def test_a_volunteer_signs_up_with_the_keyboard_alone(
    browser: WebDriver, live_server: LiveServer, mailbox: Mailbox
) -> None:
    browser.get(live_server.url + "/")
    tab_to(browser, "main-register")
    enter_and_wait(browser, "/ehrenamt/registrieren")
    type_into(browser, "email", "samir@example.org")
    type_into(browser, "password", "ein langes Passwort")
    type_into(browser, "password_repeat", "ein langes Passwort")
    type_into(browser, "first_name", "Samir")
    type_into(browser, "last_name", "Haddad")
    type_into(browser, "district_id", "Neugablonz")  # typing picks the option
    type_into(browser, "languages-0-language", "Arabisch")
    type_into(browser, "languages-0-level", "Muttersprache")
    tab_to(browser, "consent")
    press(browser, Keys.SPACE)
    tab_to(browser, "register-submit")
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "[role=status], #error-summary")
    )
    errors = browser.find_elements(By.ID, "error-summary")
    assert not errors, errors[0].text

    browser.get(mailbox.link("samir@example.org", "/konto/bestaetigen/"))
    wait_for_path(browser, "/ehrenamt/profil")
    with db.new_session() as session:
        volunteer = session.exec(select(Volunteer)).one()
        assert (volunteer.first_name, volunteer.last_name) == ("Samir", "Haddad")
    assert browser.find_element(By.ID, "home-district").text == "Neugablonz"


def test_a_partner_posts_a_need_with_the_keyboard_alone(browser: WebDriver, live_server: LiveServer) -> None:
    with db.new_session() as session:
        email = make_partner(session).email
    log_in(browser, live_server, email, "/bedarfe/unsere")
    tab_to(browser, "new-need")
    enter_and_wait(browser, "/bedarfe/neu")
    type_into(browser, "title", "Lesepatenschaft in der 2b")
    type_into(browser, "description", "Einmal pro Woche mit zwei Kindern lesen.")
    type_into(browser, "district_id", "Haken")
    tab_to(browser, "need-save")
    press(browser, Keys.ENTER)
    browser.find_element(By.CSS_SELECTOR, ".flashes")  # waits for the need's page
    with db.new_session() as session:
        need = session.exec(select(Need)).one()
        assert need.title == "Lesepatenschaft in der 2b"
    assert browser.current_url.endswith(f"/bedarfe/{need.id}")


def test_a_coordinator_approves_with_the_keyboard_alone(
    browser: WebDriver, live_server: LiveServer, mailbox: Mailbox
) -> None:
    with db.new_session() as session:
        email = make_coordinator(session).email
        proposal = make_proposal(session)
    log_in(browser, live_server, email, "/vorschlaege/")
    tab_to(browser, f"approve-{proposal.id}")
    enter_and_wait(browser, "/vorschlaege/")
    assert "1 freigegeben" in browser.find_element(By.CSS_SELECTOR, ".flashes").text
    with db.new_session() as session:
        assert session.exec(select(Pairing)).one().proposal_id == proposal.id
    assert len(mailbox.messages) == 1
