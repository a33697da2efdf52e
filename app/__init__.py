"""Integration aktiv Matching: the web application."""

from flask import Flask

from app.config import Settings


def create_app(settings: Settings | None = None, **overrides: object) -> Flask:
    """Build the app: config, extensions, queue, blueprints, error handlers, commands."""
    app = Flask(__name__)
    app.config.from_mapping((settings or Settings()).flask_config())
    app.config.from_mapping(overrides)

    from app import cli, errors, i18n, labels, navigation, queue
    from app.accounts import access
    from app.extensions import csrf, db, login_manager, mail

    db.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    access.init_login(login_manager)
    i18n.init_app(app)
    labels.init_app(app)
    queue.celery_init_app(app)
    _register_blueprints(app)
    errors.register(app)
    cli.register(app)
    app.jinja_env.globals["main_menu"] = navigation.menu
    return app


def _register_blueprints(app: Flask) -> None:
    from app.accounts.views import bp as accounts
    from app.admin.views import bp as admin
    from app.matching_runs.views import bp as matching_runs
    from app.needs.views import bp as needs
    from app.pages.views import bp as pages
    from app.pairings.views import bp as pairings
    from app.privacy.views import bp as privacy
    from app.proposals.views import bp as proposals
    from app.volunteers.views import bp as volunteers

    for blueprint in (pages, accounts, volunteers, needs, proposals, matching_runs, pairings, privacy, admin):
        app.register_blueprint(blueprint)
