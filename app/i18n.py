"""Which language a page is shown in, and which way it is written."""

from babel import Locale
from babel.dates import get_day_names
from flask import Flask, current_app, g, request
from flask_babel import get_locale, refresh
from flask_login import current_user

from app.extensions import babel

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The user's saved choice, then the language cookie, then the browser's wish, then German.

    An API call's user is the owner of its token (app.accounts.api_auth), not a login cookie.
    """
    supported: tuple[str, ...] = current_app.config["LOCALES"]
    user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    if user is not None and user.locale in supported:
        return str(user.locale)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in supported:
        return str(chosen)
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction() -> str:
    locale = get_locale()
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def language_name(code: str) -> str:
    """A UI language's name in that language itself, for the language switcher."""
    return Locale.parse(code).get_display_name(code) or code


def weekday_name(weekday: int) -> str:
    """Monday is 0, as in datetime.weekday()."""
    return str(get_day_names("wide", locale=get_locale() or "de")[weekday])


def time_of_day(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Babel caches the locale per app context, which can outlive a request (tests, CLI); every request
    # chooses anew.
    app.before_request(refresh)
    app.jinja_env.globals.update(
        text_direction=text_direction,
        language_name=language_name,
        current_locale=lambda: str(get_locale()),
        weekday_name=weekday_name,
        time_of_day=time_of_day,
    )
