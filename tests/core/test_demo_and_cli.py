"""The `portal` command: init, demo, create-user; and the demo site true to the programme."""

from datetime import timedelta

import sqlalchemy as sa
from click.testing import CliRunner

from portal.cli import cli
from portal.dates import today
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Atelier, AtelierMember, Bloc, Cohort, Enrolment, Programme, Role, User


def test_init_writes_a_private_config_with_a_random_secret(tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--instance", str(tmp_path)]).exit_code == 0
    config = tmp_path / "config.py"
    first = config.read_text()
    assert "SECRET_KEY" in first and "change-me" not in first
    assert oct(config.stat().st_mode)[-3:] == "600"
    runner.invoke(cli, ["init", "--instance", str(tmp_path)])
    assert config.read_text() == first


def test_demo_loads_the_programme_and_its_people(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    programme = db.session.scalar(sa.select(Programme))
    assert (programme.rncp_code, programme.level, programme.hours) == ("RNCP 35080", 7, 511)
    hours = {b.number: (b.hours, b.is_certifying) for b in db.session.scalars(sa.select(Bloc))}
    assert hours == {1: (161, True), 2: (70, True), 3: (56, True), 4: (224, True), 5: (35, False)}
    seminars = {b.number: len(b.seminars) for b in programme.blocs}
    assert seminars == {1: 11, 2: 7, 3: 6, 4: 6, 5: 4}
    by_centre = {c.centre: c for c in db.session.scalars(sa.select(Cohort))}
    paris, lille, dijon = by_centre["Paris"], by_centre["Lille"], by_centre["Dijon"]
    # Dated around the day it is loaded: Paris in its second year, Lille new, Dijon ended.
    day = today()
    assert 13 * 30 <= (day - paris.start_date).days <= 15 * 30
    assert 9 * 30 <= (paris.end_date - day).days <= 11 * 30
    assert 0 < (day - lille.start_date).days <= 90 and lille.end_date > day
    assert dijon.end_date < day - timedelta(days=120)
    learners = db.session.scalar(
        sa.select(sa.func.count()).where(Enrolment.cohort_id == paris.id, Enrolment.role == Role.LEARNER)
    )
    assert learners == 30
    sizes = [
        db.session.scalar(
            sa.select(sa.func.count()).where(
                AtelierMember.atelier_id == a.id, AtelierMember.role == Role.LEARNER
            )
        )
        for a in db.session.scalars(sa.select(Atelier).where(Atelier.cohort_id == paris.id))
    ]
    assert sizes == [6, 6, 6, 6, 6]
    for email in (
        "admin@example.org",
        "coordination@example.org",
        "equipe@example.org",
        "tuteur@example.org",
        "intervenant@example.org",
        "auditrice@example.org",
        "ancienne@example.org",
    ):
        assert db.session.scalar(sa.select(User).where(User.email == email)).check_password(DEMO_PASSWORD)


def test_demo_refuses_a_non_empty_site_and_if_empty_skips(app, world):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code != 0
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 1


def _demo_client(app, email):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303
    return client


def test_each_demo_account_sees_what_its_role_allows(app):
    app.test_cli_runner().invoke(args=["demo"])
    lille = db.session.scalar(sa.select(Cohort).where(Cohort.centre == "Lille"))
    paris = db.session.scalar(sa.select(Cohort).where(Cohort.centre == "Paris"))

    admin = _demo_client(app, "admin@example.org")
    assert admin.get(f"/admin/cohorts/{lille.id}").status_code == 200

    staff = _demo_client(app, "equipe@example.org")
    assert staff.get(f"/admin/cohorts/{paris.id}").status_code == 200
    assert staff.get(f"/admin/cohorts/{lille.id}").status_code == 404
    assert "Lille" not in staff.get("/admin/cohorts").get_data(as_text=True)
    assert "vermeulen@example.org" not in staff.get("/admin/users?q=Vermeulen").get_data(as_text=True)
    assert "0 personne" in staff.get("/admin/users?q=Vermeulen").get_data(as_text=True)

    for email in ("tuteur@example.org", "intervenant@example.org", "auditrice@example.org"):
        client = _demo_client(app, email)
        assert client.get("/admin/").status_code == 404, email
        assert client.get("/admin/users").status_code == 404, email
        page = client.get("/").get_data(as_text=True)
        assert paris.name in page and "Lille" not in page, email

    learner_page = _demo_client(app, "auditrice@example.org").get("/").get_data(as_text=True)
    assert "Atelier A" in learner_page and "Atelier B" not in learner_page
    tutor_page = _demo_client(app, "tuteur@example.org").get("/").get_data(as_text=True)
    assert "Atelier A" in tutor_page and "Atelier B" in tutor_page and "Atelier C" not in tutor_page


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "New@Example.org",
            "--first-name",
            "Nina",
            "--last-name",
            "Kern",
            "--admin",
            "--password",
            "une-phrase-vraiment-solide",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user.is_admin and user.check_password("une-phrase-vraiment-solide")


def test_create_user_command_refuses_a_weak_password_and_a_duplicate(app, world):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "create-user",
            "--email",
            "w@example.org",
            "--first-name",
            "W",
            "--last-name",
            "X",
            "--password",
            "password",
        ]
    )
    assert weak.exit_code != 0 and "trop courant" in weak.output
    duplicate = runner.invoke(
        args=[
            "create-user",
            "--email",
            world.admin.email,
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--password",
            "une-phrase-vraiment-solide",
        ]
    )
    assert duplicate.exit_code != 0 and "already" in duplicate.output
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == "w@example.org"))
        == 0
    )
