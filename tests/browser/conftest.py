"""A live server on a free port and Debian's headless Chromium, driven by Selenium."""

import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from app import reference
from app.extensions import db
from tests.conftest import empty_all_tables, make_test_app
from tests.factories import PASSWORD
from tests.support.mail import Mailbox
from tests.support.services import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app.config["BASE_URL"] = self.url
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_app(
    database_url: str, smtp: tuple[int, Mailbox], mailbox: Mailbox, tmp_path: Path
) -> Iterator[Flask]:
    """Like `app`, but with CSRF protection on, as in production."""
    flask_app = make_test_app(database_url, smtp[0], tmp_path)
    with flask_app.app_context():
        with db.new_session() as session:
            empty_all_tables(session)
            reference.load_reference_data(session=session)
        yield flask_app
        db.engine.dispose()


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[WebDriver]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if shutil.which(path) is None:
            pytest.fail(
                f"{path} is missing: install Debian's chromium and chromium-driver "
                "(bin/test does this with apt-get).",
                pytrace=False,
            )
    profile = tempfile.mkdtemp(prefix="iam-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--lang=de-DE",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
    # The network events of the pages, so a test can see every request a page makes (requested_urls).
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(3)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(chromium: WebDriver, live_server: LiveServer) -> Iterator[WebDriver]:
    """A phone-sized window (390 × 844, like a common smartphone), starting logged out."""
    chromium.set_window_size(390, 844)
    chromium.get(live_server.url + "/impressum")
    chromium.delete_all_cookies()
    yield chromium
    chromium.delete_all_cookies()


def fill(driver: WebDriver, field_id: str, value: str) -> None:
    element = driver.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)


def submit(driver: WebDriver, button_text_or_id: str) -> None:
    """Clicks a submit button by id, or else by its visible text, and waits for the next page.

    Without the wait, a lookup right after the click can still find the old page's element, which then
    goes stale as the new page arrives.
    """
    buttons = driver.find_elements(By.ID, button_text_or_id) or driver.find_elements(
        By.XPATH, f"//button[normalize-space()='{button_text_or_id}']"
    )
    assert buttons, f"no button {button_text_or_id!r} on {driver.current_url}"
    follow(driver, buttons[0])


def follow(driver: WebDriver, element: WebElement) -> None:
    """Clicks a link or button that leads to another page, and waits until that page has loaded."""
    # On a narrow screen the element may lie outside the view; a click there would miss it.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    with next_page(driver):
        element.click()


@contextmanager
def next_page(driver: WebDriver) -> Iterator[None]:
    """Waits after the block until the page it started on has been replaced and the new one has loaded.

    Waiting for a path is not enough where a form returns to the page it was sent from: the old page
    matches at once, and the test would read the database before the server has handled the form.
    """
    old_page = driver.find_element(By.TAG_NAME, "html")
    yield
    WebDriverWait(driver, 10).until(lambda _: _gone(old_page))
    WebDriverWait(driver, 10).until(_loaded)


def click(driver: WebDriver, element_id: str) -> None:
    """Clicks the link or button with this id and waits for the page it leads to."""
    follow(driver, driver.find_element(By.ID, element_id))


def log_in(driver: WebDriver, server: LiveServer, email: str) -> None:
    """Logs in through the login form, as whoever was logged in before logs out by leaving."""
    driver.delete_all_cookies()
    driver.get(server.url + "/konto/anmelden")
    fill(driver, "email", email)
    fill(driver, "password", PASSWORD)
    click(driver, "login-submit")


def _loaded(driver: WebDriver) -> bool:
    try:
        return bool(driver.execute_script("return document.readyState") == "complete")
    except WebDriverException:
        return False


def _gone(element: WebElement) -> bool:
    """True once the element's page has been replaced. While Chromium swaps documents, asking about
    the old node can fail with other errors than "stale" (e.g. "node does not belong to the document")."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def requested_urls(driver: WebDriver) -> list[str]:
    """The URLs the pages requested since the last call (Chromium's performance log, drained by reading)."""
    urls = []
    for entry in driver.get_log("performance"):
        event = json.loads(entry["message"])["message"]
        if event.get("method") == "Network.requestWillBeSent":
            urls.append(str(event["params"]["request"]["url"]))
    return urls


def wait_for_path(driver: WebDriver, path: str) -> None:
    """A click on submit does not wait for the next page; this does."""
    WebDriverWait(driver, 10).until(lambda d: d.current_url.split("?")[0].endswith(path))
