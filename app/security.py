"""Protections every request and response gets: security headers, no caching of personal data, trusted
proxies, no NUL characters in what is sent.

The headers come from Flask-Talisman. The policy allows only this site's own files: the pages load
no script, style, font or image from any other host, and no inline script or style at all.
"""

from collections.abc import Callable
from itertools import chain
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from app.accounts.views import limit_logins
from app.base import MAX_ID
from app.errors import DomainError, Invalid, for_api

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    # Nobody may put our pages in a frame (clickjacking); X-Frame-Options says the same to old browsers.
    "frame-ancestors": "'none'",
}
ONE_YEAR_S = 365 * 24 * 3600
# Forms that send a mail, limited per client address: nobody can use the site to flood an inbox.
MAILS_PER_ADDRESS = "5 per 15 minutes"
MAIL_SENDING_VIEWS = ("accounts.resend_confirmation", "accounts.forgot_password", "pages.accessibility")


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number beyond any row id becomes 0, which no row has, so the view
    answers 404 as for any unknown id instead of the database driver failing on the number."""

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0


def init_app(app: Flask) -> None:
    """Before the blueprints: their routes bind the converter when they are registered."""
    app.url_map.converters["int"] = RowIdConverter
    if app.config["PROXY_COUNT"]:
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    https = bool(app.config["HTTPS"])
    Talisman(
        app,
        force_https=https,
        # Sent only on HTTPS responses; other hosts of the city's domain are not ours to pin.
        strict_transport_security=True,
        strict_transport_security_max_age=ONE_YEAR_S,
        strict_transport_security_include_subdomains=False,
        session_cookie_secure=https,
        session_cookie_samesite="Lax",
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        # Response links carry tokens in their path (/vermittlungen/antwort/<token>); keep them in-house.
        referrer_policy="same-origin",
    )
    app.before_request(_refuse_nul_characters)
    app.after_request(_no_store)


def _refuse_nul_characters() -> None:
    """Refuses a NUL character in the request's path or in any value of its parameters, form or JSON,
    with a message in the user's language (a page's 400; the API's 422, as for any invalid value).
    Nobody types one, and PostgreSQL cannot store or even compare it in text: any field or token that
    reached a query with it failed with a 500. Names are not checked: unknown ones are ignored anyway."""
    texts = list(chain.from_iterable(request.args.listvalues()))
    if request.routing_exception is None:  # an address that matches no page stays a 404
        texts.append(request.path)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        texts += chain.from_iterable(request.form.listvalues())
        if request.is_json:
            texts += _strings(request.get_json(silent=True))
    if any("\x00" in text for text in texts):
        message = _("What you sent contains a NUL character, which cannot be saved. Please remove it.")
        raise Invalid(message) if for_api() else DomainError(message)


def init_rate_limits(app: Flask) -> None:
    """A limiter of this app's own (storage and fallback from RATELIMIT_* in app.config) on the login and
    mail-sending views; its own, because a shared one keeps the first app's settings and state."""
    limiter = Limiter(key_func=get_remote_address)
    limiter.init_app(app)
    limit_logins(app, limiter)
    mails = limiter.limit(MAILS_PER_ADDRESS, methods=["POST"])
    views: dict[str, Callable[..., Any]] = app.view_functions
    for endpoint in MAIL_SENDING_VIEWS:
        views[endpoint] = mails(views[endpoint])


def _no_store(response: Response) -> Response:
    """Nothing but the static files may be kept by a browser or proxy: most pages show someone's data,
    and every page shows who is logged in."""
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _strings(value: Any) -> list[str]:
    """Every text in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []
