"""Start page, legal pages (with the form to report a barrier) and the language switch."""

from collections.abc import Sequence
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts import services as accounts
from app.extensions import db
from app.i18n import LANGUAGE_COOKIE
from app.mailer import send_mail
from app.pages import services
from app.pages.forms import FeedbackForm
from app.privacy.consent import CONSENT_VERSION

bp = Blueprint("pages", __name__)

# When the accessibility statement was last checked against the pages (BITV 2.0 asks for the date).
STATEMENT_REVIEWED = date(2026, 12, 7)


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html")


@bp.get("/datenschutz")
def privacy() -> str:
    return render_template("pages/privacy.html", consent_version=CONSENT_VERSION)


@bp.route("/barrierefreiheit", methods=["GET", "POST"])
def accessibility() -> Response | tuple[str, int]:
    """The accessibility statement, with its form to report a barrier (mailed to the Integrationsbüro)."""
    form = FeedbackForm(page=request.args.get("seite", ""))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("pages/accessibility.html", form=form, reviewed=STATEMENT_REVIEWED), status
    feedback = services.record_feedback(
        session=db.session,
        page=form.page.data or "",
        message=form.message.data or "",
        email=form.email.data or "",
        locale=str(get_locale() or "de"),
    )
    address = services.feedback_address(session=db.session)
    if address:
        send_mail(
            to=address,
            subject=_l("Barrier reported on the website (no. %(id)d)", id=feedback.id),
            template="accessibility_feedback",
            feedback=feedback,
        )
    flash(_("Thank you. Your report has reached the Integrationsbüro."), "success")
    return redirect(url_for("pages.accessibility"), 303)


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


def filter_args(names: Sequence[str]) -> dict[str, str]:
    """The list's filters from the query string, to keep in its links (pages, downloads): only these
    names, so a stray parameter such as `_method` never reaches url_for."""
    return {name: request.args[name] for name in names if request.args.get(name)}


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
