"""Bearer-token authentication for the JSON API: a token's scopes act as its roles."""

from apiflask import HTTPTokenAuth
from flask import g
from flask_babel import refresh

from app.accounts import api_tokens
from app.accounts.api_tokens import ApiCaller
from app.errors import api_error
from app.extensions import db

token_auth = HTTPTokenAuth(
    scheme="Bearer",
    # The spec is written for developers, in English; messages to callers go through Babel.
    description="An API token from the account page (Konto → API-Schlüssel): 'Authorization: Bearer iam_…'.",
)

token_auth.error_processor(api_error)  # a JSON body in the caller's language for 401 and 403


@token_auth.verify_token
def _verify(secret: str) -> ApiCaller | None:
    caller = api_tokens.caller_for(session=db.session, secret=secret)
    if caller is not None:
        g.api_user = caller.user  # messages in the token owner's language (app.i18n)
        refresh()
    return caller


@token_auth.get_user_roles
def _scopes(caller: ApiCaller) -> list[str]:
    return [scope for scope in api_tokens.allowed_scopes(caller.user) if caller.may(scope)]


def current_caller() -> ApiCaller:
    """The authenticated caller; only valid inside a view guarded by token_auth."""
    caller = token_auth.current_user
    assert isinstance(caller, ApiCaller)
    return caller
