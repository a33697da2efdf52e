"""Domain exceptions and HTTP errors become a page (under /api/: a JSON body) in the user's language."""

from typing import Any

from apiflask import APIFlask
from apiflask.exceptions import HTTPError
from flask import Flask, jsonify, render_template, request
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

API_PREFIX = "/api/"

Answer = tuple[str, int] | Response


class DomainError(Exception):
    """A request that the domain rules refuse; `message` is already translated."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(DomainError):
    """A value that cannot be taken as sent (the API's validation status)."""

    status_code = 422


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check your input and try again."),
        401: _("Please log in, or send a valid API token."),
        403: _("You are not allowed to see this page."),
        404: _("This page does not exist (any more)."),
        405: _("This action is not possible here."),
        409: _("This was changed in the meantime. Please reload the page and try again."),
        413: _("What you sent is too large."),
        415: _("Please send the data as JSON."),
        422: _("Some values are missing or not valid. Please check them."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        500: _("Something went wrong on our side. Please try again later."),
    }


def for_api() -> bool:
    """Whether this request is the API's, which answers errors in JSON."""
    return request.path.startswith(API_PREFIX)


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    text = message or _messages().get(status, _messages()[500])
    return render_template("errors/error.html", status=status, message=text), status


def json_error(status: int, message: str | None = None, detail: Any = None) -> FlaskResponse:
    """The API's error body (APIFlask's shape, so the spec describes it): message and detail."""
    text = message or _messages().get(status, _messages()[500])
    response = jsonify({"message": text, "detail": detail or {}})
    response.status_code = status
    return response


def _answer(status: int, message: str | None = None, headers: Any = None) -> Answer:
    if for_api():
        response: Response = json_error(status, message)
    else:
        page, _status = render_error(status, message)
        response = Response(page, status=status, mimetype="text/html")
    for name, value in headers or ():
        # The status's own headers (Allow, Retry-After, WWW-Authenticate) survive; the body is ours.
        if name.lower() not in {"content-type", "content-length"}:
            response.headers[name] = value
    return response


def register(app: Flask) -> None:
    if isinstance(app, APIFlask):
        # Validation and authentication errors raised by APIFlask (always under /api/).
        app.error_processor(api_error)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Answer:
        return _answer(error.status_code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> Answer:
        return _answer(400, _("The form had expired. Please fill it in again and send it."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Answer:
        status = error.code or 500
        return _answer(status, headers=error.get_headers() if status in (401, 405, 429) else None)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Answer:
        app.logger.exception("unhandled error", exc_info=error)
        return _answer(500)


def api_error(error: HTTPError) -> FlaskResponse:
    response = json_error(error.status_code, detail=error.detail)
    response.headers.update(error.headers or {})
    return response
