"""The `portal` command: a Flask CLI group around create_app, with the site's own commands."""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

INSTANCE_CONFIG = '''"""Settings of this site (never committed)."""

SECRET_KEY = "{secret}"

# PostgreSQL instead of the embedded SQLite file:
# DATABASE_URL = "postgresql+psycopg://portal@127.0.0.1/portal"
# Large sites: keep the login throttle in Redis (by default the database holds it, shared by every worker).
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


def _upgrade_every_branch_by_default() -> None:
    """`portal db upgrade` upgrades every branch ("heads"): the core and each plugin have their own Alembic
    branch, so the single "head" that Flask-Migrate upgrades to by default does not exist. It then refills
    the search index when this version's index fields differ from the old one's."""
    from flask_migrate.cli import db as db_group

    upgrade = db_group.commands["upgrade"]
    for param in upgrade.params:
        if param.name == "revision":
            param.default = "heads"
    if not getattr(upgrade.callback, "refills_search_index", False):
        upgrade.callback = _then_refill_search_index(upgrade.callback)


def _then_refill_search_index(upgrade_callback):
    """The upgrade command, followed by a rebuild of the search index when it lacks documents."""

    @functools.wraps(upgrade_callback)
    def upgrade_then_refill(*args, **kwargs):
        upgrade_callback(*args, **kwargs)
        from portal.search import needs_refill

        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        with app.app_context():
            if needs_refill():
                click.echo("The search index was built by an older version: rebuilding it.")
                click.echo(f"Indexed {_reindex(app, progress=True)} document(s).")

    upgrade_then_refill.refills_search_index = True
    return upgrade_then_refill


def register(app: Flask) -> None:
    """Attach the commands that need the app."""
    _upgrade_every_branch_by_default()

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Place the demo's dates around this day (YYYY-MM-DD) instead of the real today.",
    )
    def demo_command(if_empty: bool, today) -> None:
        """Load the demo site: the ESS manager programme, three promotions (running, new, ended), their people
        and ateliers, and every plugin's content, dated around today."""
        from portal.demo import load_demo
        from portal.extensions import db
        from portal.models import User

        if db.session.scalar(db.select(User.id).limit(1)) is not None:
            if if_empty:
                click.echo("The database has users: demo not loaded.")
                return
            raise click.ClickException("The database is not empty: the demo loads into an empty site only.")
        summary = load_demo(today.date() if today else None)
        click.echo(summary)
        click.echo(f"Search index: {_reindex(app)} document(s).")

    @app.cli.command("reindex")
    def reindex_command() -> None:
        """Rebuild the search index from the database, with every plugin's documents."""
        click.echo(f"Indexed {_reindex(app, progress=True)} document(s).")

    @app.cli.command("backup")
    @click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--verify", is_flag=True, help="Check an existing backup instead of making one.")
    def backup_command(dest: Path, verify: bool) -> None:
        """Copy the database and the stored files into DEST with a checksum manifest (or --verify it)."""
        from portal.backup import BackupError, make_backup, verify_backup

        if verify:
            problems = verify_backup(dest)
            for problem in problems:
                click.echo(f"PROBLEM: {problem}", err=True)
            if problems:
                raise click.ClickException(f"{len(problems)} problem(s) in {dest}")
            click.echo(f"{dest}: backup verified.")
            return
        try:
            manifest = make_backup(dest)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        for problem in manifest["problems"]:
            click.echo(f"PROBLEM: {problem}", err=True)
        click.echo(f"Backup written to {dest}: database and {len(manifest['files'])} file(s).")
        if manifest["problems"]:
            # Cron must notice a backup that is not a sound copy.
            raise click.ClickException(f"{len(manifest['problems'])} problem(s) found while backing up")

    @app.cli.command("sweep")
    @click.option(
        "--grace-hours", type=int, default=None, help="Keep orphans younger than this (default 24)."
    )
    def sweep_command(grace_hours: int | None) -> None:
        """Remove stored files that no record points to, once older than the grace period."""
        from portal.storage import sweep

        hours = grace_hours if grace_hours is not None else app.config["STORAGE_SWEEP_GRACE_HOURS"]
        removed, missing = sweep(hours * 3600)
        for key in missing:
            click.echo(f"PROBLEM: a record points to a missing file: {key}", err=True)
        click.echo(f"Removed {len(removed)} orphan file(s).")

    @app.cli.command("send-mail")
    def send_mail_command() -> None:
        """Send the mails waiting for a retry (run it every few minutes from cron)."""
        from portal.mail import send_due

        sent, failed = send_due()
        click.echo(f"Sent {sent} mail(s), {failed} still failing.")

    @app.cli.command("notifications")
    def notifications_command() -> None:
        """Mail the daily digests of notifications, then remove notifications older than
        NOTIFICATIONS_KEEP_DAYS (run daily from cron)."""
        from portal.notifications.service import purge, send_digests

        sent = send_digests()
        removed = purge()
        click.echo(f"Sent {sent} digest(s); removed {removed} old notification(s).")

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
        click.echo(f"Created {user.email}{' (administrator)' if admin else ''}.")


def _reindex(app: Flask, progress: bool = False) -> int:
    """Rebuild the search index from every plugin's documents; returns how many were written."""
    from itertools import chain

    from portal.plugins import loaded_plugins
    from portal.search import rebuild

    documents = rebuild(chain.from_iterable(p.search_documents() for p in loaded_plugins(app)))
    # Plugins build their documents' addresses with url_for, as they do when a page saves.
    with app.test_request_context():
        if not progress:
            return sum(1 for _ in documents)
        with click.progressbar(documents, label="Indexing", show_pos=True) as bar:
            return sum(1 for _ in bar)
