"""`flask ...` commands: thin wrappers over services."""

import click
from flask import Flask, current_app

from app import migrate, reference
from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("db-upgrade")
    def db_upgrade() -> None:
        """Apply all Alembic migrations."""
        migrate.upgrade(current_app.config["SQLALCHEMY_DATABASE_URI"])
        click.echo("database is at the newest schema")

    @app.cli.command("load-reference")
    def load_reference() -> None:
        """Load offices, districts and the vocabulary shipped in app/data."""
        with db.new_session() as session:
            reference.load_reference_data(session=session)
        click.echo("offices, districts and vocabulary loaded")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load Kaufbeuren demo data (idempotent) and print one login per role."""
        from app import demo

        with db.new_session() as session:
            reference.load_reference_data(session=session)
            logins = demo.seed_demo(session=session)
        for role, (email, password) in logins.items():
            click.echo(f"  {role:<20} {email:<50} {password}")

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Administration", help="Name shown in the app.")
    @click.password_option(help="Asked for (twice) when not given.")
    def create_admin(email: str, name: str, password: str) -> None:
        """Create an admin account (the admin pages manage everyone else)."""
        from app.accounts.models import Role
        from app.accounts.services import MIN_PASSWORD_LENGTH, set_password
        from app.admin.services import invite_user
        from app.offices.services import Taken

        if len(password) < MIN_PASSWORD_LENGTH:
            raise click.BadParameter(f"at least {MIN_PASSWORD_LENGTH} characters", param_hint="password")
        with db.new_session() as session:
            try:
                user = invite_user(session=session, role=Role.ADMIN, email=email, display_name=name)
            except Taken:
                raise click.ClickException(f"{email} has an account already") from None
            set_password(session=session, user=user, password=password)
        click.echo(f"admin {user.email} created")
