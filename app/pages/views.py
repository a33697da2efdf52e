"""Start page, legal pages and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts import services as accounts
from app.extensions import db
from app.i18n import LANGUAGE_COOKIE
from app.privacy.consent import CONSENT_VERSION

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html")


@bp.get("/datenschutz")
def privacy() -> str:
    return render_template("pages/privacy.html", consent_version=CONSENT_VERSION)


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    return render_template("pages/accessibility.html")


@bp.get("/impressum")
def imprint() -> str:
    return render_template("pages/imprint.html")


def safe_next(target: str | None, fallback: str) -> str:
    """Only local paths, so a crafted link cannot send people to another site."""
    if not target:
        return fallback
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host", and they drop control characters before parsing.
    odd = "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target)
    if odd or parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/sprache")
def set_language() -> Response:
    language = request.form.get("language", "")
    target = safe_next(request.form.get("next"), url_for("pages.home"))
    response = redirect(target)
    if language in current_app.config["LOCALES"]:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax")
        if current_user.is_authenticated:
            accounts.set_locale(session=db.session, user=current_user, locale=language)
    return response
