"""An admin sets up a partner organisation and a staff member, who sets a password from the invitation."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlmodel import select

from app.accounts.models import Role, User
from app.accounts.services import authenticate
from app.extensions import db
from tests.browser.conftest import LiveServer, fill, follow, submit
from tests.factories import PASSWORD, make_user
from tests.support.mail import Mailbox

pytestmark = pytest.mark.browser

STAFF_EMAIL = "hatice.demir@fz-haken.example"
STAFF_PASSWORD = "Bienenberg-2026!"


def left(driver: WebDriver, path_part: str) -> None:
    """Waits until the browser has moved on from the page whose URL contains `path_part`."""
    WebDriverWait(driver, 10).until(lambda d: path_part not in d.current_url)


def test_admin_invites_partner_staff_who_sets_a_password(
    browser: WebDriver, live_server: LiveServer, mailbox: Mailbox
) -> None:
    with db.new_session() as session:
        admin = make_user(session, Role.ADMIN)

    browser.get(live_server.url + "/konto/anmelden")
    fill(browser, "email", admin.email)
    fill(browser, "password", PASSWORD)
    submit(browser, "login-submit")
    left(browser, "/konto/anmelden")

    browser.get(live_server.url + "/verwaltung/")
    follow(browser, browser.find_element(By.ID, "admin-organisations"))
    follow(browser, browser.find_element(By.ID, "new-organisation"))
    fill(browser, "name", "Familienzentrum Haken")
    Select(browser.find_element(By.ID, "kind")).select_by_value("family_centre")
    Select(browser.find_element(By.ID, "district_id")).select_by_visible_text("Haken")
    fill(browser, "contact_email", "info@fz-haken.example")
    submit(browser, "organisation-submit")
    left(browser, "/partner/neu")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Familienzentrum Haken"

    fill(browser, "display_name", "Hatice Demir")
    fill(browser, "email", STAFF_EMAIL)
    submit(browser, "staff-submit")
    assert STAFF_EMAIL in browser.find_element(By.TAG_NAME, "table").text

    # The staff member, in a browser of their own, follows the link from the real mail.
    link = mailbox.link(STAFF_EMAIL, live_server.url)
    browser.delete_all_cookies()
    browser.get(link)
    fill(browser, "password", STAFF_PASSWORD)
    fill(browser, "password_repeat", STAFF_PASSWORD)
    submit(browser, "reset-submit")
    left(browser, "/passwort-setzen/")

    browser.get(live_server.url + "/")
    assert browser.find_element(By.CSS_SELECTOR, ".account .who").text == "Hatice Demir"
    with db.new_session() as session:
        staff = session.exec(select(User).where(User.email == STAFF_EMAIL)).one()
        assert staff.role == Role.PARTNER and staff.organisation_id is not None
        assert authenticate(session=session, email=STAFF_EMAIL, password=STAFF_PASSWORD) is not None
