"""The JSON API under /api/v1: its blueprints, and the form check that keeps page and API rules one.

Partners and coordinators call it with API tokens (app.accounts.api_auth); its OpenAPI description is
served at /api/openapi.json. It uses no cookies, so it needs no CSRF token.
"""

from typing import Annotated

from apiflask import APIFlask
from apiflask.exceptions import HTTPError
from flask_wtf import FlaskForm
from pydantic import Field

from app.base import MAX_ID

API_TITLE = "Integration aktiv Matching API"
API_VERSION = "1.0"
# Row ids fit PostgreSQL's integer column (app.base.MAX_ID); anything larger is refused with a 422.
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]

# Answers besides success, validation (422) and a missing token (401), which APIFlask documents itself.
BAD_BODY = {400: "The body is missing or not JSON"}
FORBIDDEN = {403: "The token lacks the scope, or the caller's role has no such data"}
NOT_FOUND = {404: "Not found among the caller's own (another organisation's or district's is the same)"}
CONFLICT = {409: "The current state refuses it (closed, already decided, full, paused)"}
NO_CSRF = {"csrf": False}  # for forms filled from JSON: the API authenticates by token, not cookie


def check_form(form: FlaskForm) -> None:
    """Runs a page's form over what a client sent; its messages (in the caller's language) become a 422."""
    if not form.validate():
        messages = {name: [str(message) for message in errors] for name, errors in form.errors.items()}
        raise HTTPError(422, detail={"json": messages})


def register(app: APIFlask) -> None:
    from app.extensions import csrf
    from app.needs.api import bp as needs
    from app.pairings.api import bp as introductions
    from app.proposals.api import bp as proposals
    from app.vocab.api import bp as reference

    for blueprint in (reference, needs, introductions, proposals):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
