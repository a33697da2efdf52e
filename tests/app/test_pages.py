"""Layout, language and legal pages shared by every feature."""

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.i18n import LANGUAGE_COOKIE

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def test_pages_are_german_by_default_and_left_to_right(client: FlaskClient) -> None:
    for path in ("/", "/datenschutz", "/barrierefreiheit", "/impressum"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="de" dir="ltr">' in response.text


def test_browser_language_is_honoured_when_we_have_it(client: FlaskClient) -> None:
    assert '<html lang="en"' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="tr" dir="ltr"' in client.get("/", headers={"Accept-Language": "tr"}).text
    arabic = client.get("/", headers={"Accept-Language": "ar-SY,ar;q=0.9"}).text
    assert '<html lang="ar" dir="rtl"' in arabic and "Integration aktiv" in arabic
    # No Polish catalogue: German, not a half-translated page.
    assert '<html lang="de"' in client.get("/", headers={"Accept-Language": "pl"}).text


def test_language_switch_sets_a_cookie_and_returns_to_the_page(client: FlaskClient) -> None:
    response = client.post("/sprache", data={"language": "en", "next": "/impressum"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/impressum"
    assert client.get_cookie(LANGUAGE_COOKIE).value == "en"  # type: ignore[union-attr]
    assert '<html lang="en"' in client.get("/impressum").text


def test_language_switch_ignores_unknown_languages_and_foreign_targets(client: FlaskClient) -> None:
    response = client.post("/sprache", data={"language": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert client.get_cookie(LANGUAGE_COOKIE) is None


def test_right_to_left_languages_turn_the_page(app: Flask) -> None:
    app.config["LOCALES"] = ("de", "en", "ar")
    client = app.test_client()
    client.set_cookie(LANGUAGE_COOKIE, "ar")
    assert '<html lang="ar" dir="rtl">' in client.get("/impressum").text


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/gibt-es-nicht", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "This page does not exist" in response.text


def test_no_template_loads_anything_from_another_host() -> None:
    external = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.IGNORECASE)
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if external.search(path.read_text())
    ]
    assert offenders == []
