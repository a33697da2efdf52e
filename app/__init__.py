"""Integration aktiv Matching: the web application."""

from apiflask import APIFlask

from app.api import API_TITLE, API_VERSION
from app.config import Settings


def create_app(settings: Settings | None = None, **overrides: object) -> APIFlask:
    """Build the app: config, extensions, security, queue, blueprints and API, error handlers, commands."""
    # APIFlask is Flask plus the OpenAPI description of the /api blueprints; the pages stay plain Flask
    # blueprints. No docs UI: it would load scripts from other hosts. Error pages stay ours (app.errors).
    app = APIFlask(
        __name__,
        title=API_TITLE,
        version=API_VERSION,
        spec_path="/api/openapi.json",
        docs_path=None,
        json_errors=False,
    )
    app.config.from_mapping((settings or Settings()).flask_config())
    app.config.from_mapping(overrides)

    from app import api, cli, errors, i18n, labels, navigation, queue, security
    from app.accounts import access
    from app.extensions import csrf, db, login_manager, mail

    db.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    access.init_login(login_manager)
    i18n.init_app(app)
    labels.init_app(app)
    queue.celery_init_app(app)
    _register_blueprints(app)
    api.register(app)
    security.init_rate_limits(app)
    errors.register(app)
    cli.register(app)
    app.jinja_env.globals["main_menu"] = navigation.menu
    return app


def _register_blueprints(app: APIFlask) -> None:
    from app.accounts.settings_views import bp as account
    from app.accounts.views import bp as accounts
    from app.admin.views import bp as admin
    from app.audit.views import bp as audit
    from app.calendar.views import bp as calendar
    from app.hours.views import bp as hours
    from app.matching_runs.views import bp as matching_runs
    from app.needs.views import bp as needs
    from app.pages.views import bp as pages
    from app.pairings.views import bp as pairings
    from app.privacy.views import bp as privacy
    from app.proposals.views import bp as proposals
    from app.reports.views import bp as reports
    from app.volunteers.views import bp as volunteers

    for blueprint in (
        pages,
        accounts,
        account,
        volunteers,
        needs,
        proposals,
        matching_runs,
        pairings,
        reports,
        hours,
        calendar,
        audit,
        privacy,
        admin,
    ):
        # Pages are no part of the API description; APIFlask 3.1 asks every blueprint with a
        # before_request function (admin) for this flag, and fails on a plain Flask one without it.
        blueprint.enable_openapi = False  # type: ignore[attr-defined]
        app.register_blueprint(blueprint)
