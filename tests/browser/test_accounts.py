"""In Chromium: forgot the password, set a new one from the mail, log out, log in with it."""

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from app.extensions import db
from tests.browser.conftest import LiveServer, fill, follow, submit, wait_for_path
from tests.factories import make_user, make_volunteer
from tests.support.mail import Mailbox

EMAIL = "ayse@example.org"
NEW_PASSWORD = "Kaufbeuren 2026 neu"


def test_reset_password_then_log_out_and_in_again(
    browser: WebDriver, live_server: LiveServer, mailbox: Mailbox
) -> None:
    with db.new_session() as session:
        make_volunteer(session, user=make_user(session, email=EMAIL))

    browser.get(live_server.url + "/konto/anmelden")
    follow(browser, browser.find_element(By.ID, "forgot-password-link"))
    wait_for_path(browser, "/konto/passwort-vergessen")
    fill(browser, "email", EMAIL)
    submit(browser, "forgot-submit")
    assert browser.find_element(By.CSS_SELECTOR, "[role=status]").is_displayed()

    browser.get(mailbox.link(EMAIL, "/konto/passwort-setzen/"))
    fill(browser, "password", NEW_PASSWORD)
    fill(browser, "password_repeat", NEW_PASSWORD)
    submit(browser, "reset-submit")
    wait_for_path(browser, "/ehrenamt/profil")

    follow(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/konto/abmelden'] button"))
    WebDriverWait(browser, 10).until(lambda d: d.current_url == live_server.url + "/")
    assert browser.find_elements(By.CSS_SELECTOR, "a[href$='/konto/anmelden']")

    browser.get(live_server.url + "/konto/anmelden")
    fill(browser, "email", EMAIL)
    fill(browser, "password", NEW_PASSWORD)
    submit(browser, "login-submit")
    wait_for_path(browser, "/ehrenamt/profil")
