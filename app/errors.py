"""Domain exceptions and HTTP errors become a friendly page in the user's language."""

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A request that the domain rules refuse; `message` is already translated."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check your input and try again."),
        403: _("You are not allowed to see this page."),
        404: _("This page does not exist (any more)."),
        405: _("This action is not possible here."),
        409: _("This was changed in the meantime. Please reload the page and try again."),
        413: _("What you sent is too large."),
        500: _("Something went wrong on our side. Please try again later."),
    }


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    text = message or _messages().get(status, _messages()[500])
    return render_template("errors/error.html", status=status, message=text), status


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        return render_error(error.status_code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return render_error(400, _("The form had expired. Please fill it in again and send it."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(500)
