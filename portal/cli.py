"""The `portal` command: a Flask CLI group around create_app, with the site's own commands."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup

INSTANCE_CONFIG = '''"""Settings of this site (never committed)."""

SECRET_KEY = "{secret}"

# PostgreSQL instead of the embedded SQLite file:
# DATABASE_URL = "postgresql+psycopg://portal@127.0.0.1/portal"
# Several workers: share the login throttle through Redis.
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379"
# Outgoing mail (without it, mail is written to instance/outbox):
# MAIL_SERVER = "smtp.example.org"
# MAIL_SENDER = "Portail ESS <portail@example.org>"
'''


def _create_app() -> Flask:
    from portal import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, set_debug_flag=True)
def cli() -> None:
    """Run and manage the learning portal."""


@cli.command("init", with_appcontext=False)
@click.option(
    "--instance",
    "instance_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Instance folder (default: instance/ beside the portal package).",
)
def init_command(instance_dir: Path | None) -> None:
    """Create the instance folder and its config.py with a random secret key (kept if it exists)."""
    import os

    instance_dir = instance_dir or Path(
        os.environ.get("PORTAL_INSTANCE_PATH") or Path(__file__).resolve().parent.parent / "instance"
    )
    instance_dir.mkdir(parents=True, exist_ok=True)
    config = instance_dir / "config.py"
    if config.exists():
        click.echo(f"{config} exists: kept.")
        return
    config.write_text(INSTANCE_CONFIG.format(secret=secrets.token_urlsafe(48)), encoding="utf-8")
    config.chmod(0o600)
    click.echo(f"{config} written with a new secret key.")


def register(app: Flask) -> None:
    """Attach the commands that need the app."""

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    def demo_command(if_empty: bool) -> None:
        """Load the demo site: the ESS manager programme, a Paris cohort, its people and ateliers."""
        from portal.demo import load_demo
        from portal.extensions import db
        from portal.models import User

        if db.session.scalar(db.select(User.id).limit(1)) is not None:
            if if_empty:
                click.echo("The database has users: demo not loaded.")
                return
            raise click.ClickException("The database is not empty: the demo loads into an empty site only.")
        summary = load_demo()
        click.echo(summary)

    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--first-name", prompt=True)
    @click.option("--last-name", prompt=True)
    @click.option("--admin", is_flag=True, help="Make the user a site administrator.")
    @click.password_option()
    def create_user_command(email: str, first_name: str, last_name: str, admin: bool, password: str) -> None:
        """Create an account (an administrator with --admin)."""
        from portal import people
        from portal.extensions import db
        from portal.models import User
        from portal.passwords import password_problem

        email = email.strip().lower()
        if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
            raise click.ClickException(f"An account already uses {email}.")
        problem = password_problem(password, [email, first_name, last_name])
        if problem:
            raise click.ClickException(problem)
        user = people.create_user(email, first_name.strip(), last_name.strip(), password, is_admin=admin)
        db.session.commit()
        people.announce_created(user)
        click.echo(f"Created {user.email}{' (administrator)' if admin else ''}.")
