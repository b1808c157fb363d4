"""Login, logout, sessions, password change and reset, profile: the accounts a user relies on."""

import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import User
from tests.conftest import TEST_PASSWORD
from tests.factories import make_user

NEW_PASSWORD = "une-phrase-de-passe-solide"


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_login_page_is_public_and_french(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Connexion" in page and 'lang="fr"' in page


def test_login_sets_hardened_session_cookie(client, world):
    response = client.post("/auth/login", data={"email": world.learner_a1.email, "password": TEST_PASSWORD})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_login_is_case_insensitive_on_email(auth, world):
    assert auth.login(world.learner_a1.email.upper()).status_code == 303


@pytest.mark.parametrize("case", ["wrong-password", "unknown-account", "inactive"])
def test_failed_login_gives_one_answer_whatever_the_reason(client, world, case):
    email = {
        "wrong-password": world.learner_a1.email,
        "unknown-account": "ghost@example.org",
        "inactive": world.learner_a2.email,
    }[case]
    if case == "inactive":
        world.learner_a2.active = False
        db.session.commit()
    password = "not-the-password" if case == "wrong-password" else TEST_PASSWORD
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Adresse électronique ou mot de passe incorrect." in page
    assert "désactivé" not in page and "inconnu" not in page
    assert client.get("/").status_code == 302


def test_login_with_empty_fields_says_what_is_missing(client):
    page = client.post("/auth/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert page.count("Ce champ est obligatoire.") == 2


def test_login_redirects_only_to_local_next(client, world):
    response = client.post(
        "/auth/login?next=https://evil.example/x",
        data={"email": world.learner_a1.email, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/"
    client.post("/auth/logout")
    response = client.post(
        "/auth/login?next=/auth/profile", data={"email": world.learner_a1.email, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"] == "/auth/profile"


#: `next` values as they appear in the login URL's query string (percent-encoded or raw): each one would take
#: the browser off the site, inject a header, or hide a control character.
HOSTILE_NEXT = [
    "https://evil.example/x",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "%09//evil.example",
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:%20stolen=1",
    "/\r\n/evil.example",
    "/%7f/evil.example",
    "/%C2%85/evil.example",
    "/%2509/evil.example",
    "/%252F/evil.example",
    "/%2F/evil.example",
    "javascript:alert(1)",
    "JavaScript%3Aalert(1)",
    "http:/evil.example",
    "mailto:someone@evil.example",
    "%20/evil.example",
    "evil.example",
]


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_login_sends_a_hostile_next_to_the_dashboard(client, world, hostile):
    response = client.post(
        f"/auth/login?next={hostile}", data={"email": world.learner_a1.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "stolen" not in response.headers.get("Set-Cookie", "")


def test_a_nul_in_next_is_a_bad_request_that_logs_nobody_in(client, world):
    # NUL is refused in every query string of the site (PostgreSQL cannot hold it), before any view runs.
    for hostile in ("/%00", "/ok%00/evil.example"):
        response = client.post(
            f"/auth/login?next={hostile}", data={"email": world.learner_a1.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 400 and "Location" not in response.headers
        assert client.get("/").status_code == 302


@pytest.mark.parametrize("hostile", ["/\t/evil.example", "/\r\nX-Injected: 1", "//evil.example"])
def test_login_sends_a_decoded_control_character_to_the_dashboard(client, world, hostile):
    # Given as a value, the test client percent-encodes it: the view reads it decoded, as from a browser.
    response = client.post(
        "/auth/login",
        query_string={"next": hostile},
        data={"email": world.learner_a1.email, "password": TEST_PASSWORD},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize(
    "target", ["/auth/profile", "/forum/?page=2#derniers", "/search/?q=%C3%A9conomie+sociale", "/"]
)
def test_login_keeps_a_same_site_next(client, world, target):
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": world.learner_a1.email, "password": TEST_PASSWORD},
    )
    assert response.status_code == 303 and response.headers["Location"] == target


def test_login_is_throttled_per_account(app, client, world):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    for _ in range(3):
        assert (
            client.post("/auth/login", data={"email": world.learner_a1.email, "password": "bad"}).status_code
            == 200
        )
    blocked = client.post("/auth/login", data={"email": world.learner_a1.email, "password": TEST_PASSWORD})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    # Another account from the same address is not blocked by this account's counter.
    assert (
        client.post(
            "/auth/login", data={"email": world.learner_a2.email, "password": TEST_PASSWORD}
        ).status_code
        == 303
    )


def test_login_is_throttled_per_address(app, client, world):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    for n in range(4):
        client.post("/auth/login", data={"email": f"ghost{n}@example.org", "password": "bad"})
    response = client.post("/auth/login", data={"email": world.learner_a1.email, "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(app, world, login_as):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(4):
        login_as(world.learner_a1)


def test_logout_ends_every_session_of_the_user(world, login_as):
    laptop, phone = login_as(world.learner_a1), login_as(world.learner_a1)
    assert phone.get("/").status_code == 200
    assert laptop.post("/auth/logout").status_code == 303
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302


def test_logout_needs_post_with_csrf(world, login_as):
    client = login_as(world.learner_a1)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout", csrf=False).status_code == 400
    assert client.get("/").status_code == 200


def test_remember_me_cookie_dies_with_the_session_token(app, world):
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": world.learner_a1.email, "password": TEST_PASSWORD, "remember": "y"}
    )
    assert "remember_token" in "".join(response.headers.getlist("Set-Cookie"))
    remember = client.get_cookie("remember_token").value
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/").status_code == 200
    user = reload(world.learner_a1)
    user.end_sessions()
    db.session.commit()
    stale = app.test_client()
    stale.set_cookie("remember_token", remember)
    assert stale.get("/").status_code == 302


def test_change_password_keeps_this_session_and_ends_others(world, login_as):
    here, elsewhere = login_as(world.learner_a1), login_as(world.learner_a1)
    response = here.post(
        "/auth/password",
        data={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert reload(world.learner_a1).check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong", NEW_PASSWORD, NEW_PASSWORD, "Le mot de passe actuel est incorrect."),
        (TEST_PASSWORD, "court", "court", "au moins 8 caractères"),
        (TEST_PASSWORD, "password123", "password123", "trop courant"),
        (TEST_PASSWORD, "azertyuiop", "azertyuiop", "trop courant"),
        (TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "Les deux mots de passe diffèrent."),
    ],
)
def test_change_password_refuses_bad_input_and_keeps_the_old_one(
    world, login_as, current, new, confirm, message
):
    client = login_as(world.learner_a1)
    response = client.post(
        "/auth/password", data={"current_password": current, "new_password": new, "confirm": confirm}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert reload(world.learner_a1).check_password(TEST_PASSWORD)


def test_password_close_to_the_users_name_is_refused(app, world, login_as):
    user = make_user(TEST_PASSWORD, first_name="Bernadette", last_name="Soubirous", email="bs@example.org")
    client = login_as(user)
    page = client.post(
        "/auth/password",
        data={"current_password": TEST_PASSWORD, "new_password": "Soubirous1", "confirm": "Soubirous1"},
    ).get_data(as_text=True)
    assert "trop courant" in page


def test_production_hash_is_scrypt(app):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    user = make_user("une-autre-phrase-solide")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("une-autre-phrase-solide")
    assert not user.check_password("une-autre-phrase-solidE")


def _reset_link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://localhost(/auth/reset/\S+)", body).group(1)


def test_reset_by_mail_is_single_use(client, world, mailbox):
    response = client.post("/auth/reset", data={"email": world.learner_a1.email})
    assert response.status_code == 303
    [message] = mailbox.wait_for(1)
    assert message["To"] == world.learner_a1.email
    link = _reset_link(message)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert reload(world.learner_a1).check_password(NEW_PASSWORD)
    again = client.post(
        link, data={"new_password": "encore-une-phrase-solide", "confirm": "encore-une-phrase-solide"}
    )
    assert again.status_code == 303 and again.headers["Location"].endswith("/auth/reset")
    assert reload(world.learner_a1).check_password(NEW_PASSWORD)


def test_reset_ends_existing_sessions(client, world, mailbox, login_as):
    other = login_as(world.learner_a1)
    client.post("/auth/reset", data={"email": world.learner_a1.email})
    link = _reset_link(mailbox.wait_for(1)[0])
    client.post(link, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other.get("/").status_code == 302


def test_reset_answer_does_not_tell_whether_the_account_exists(client, world, mailbox):
    known = client.post("/auth/reset", data={"email": world.learner_a1.email}, follow_redirects=True)
    unknown = client.post("/auth/reset", data={"email": "ghost@example.org"}, follow_redirects=True)
    text = "Si un compte correspond à cette adresse"
    assert text in known.get_data(as_text=True) and text in unknown.get_data(as_text=True)
    assert len(mailbox.wait_for(1)) == 1


def test_reset_link_expires(app, client, world, mailbox):
    client.post("/auth/reset", data={"email": world.learner_a1.email})
    link = _reset_link(mailbox.wait_for(1)[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 303
    assert "plus valable" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("token", ["forged", "eyJ1c2VyIjoxfQ.abc.def", "x" * 300])
def test_forged_reset_token_is_refused(client, world, token):
    response = client.post(
        f"/auth/reset/{token}", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303
    assert reload(world.learner_a1).check_password(TEST_PASSWORD)


def test_reset_request_with_a_malformed_address_is_refused(client, mailbox):
    page = client.post("/auth/reset", data={"email": "not an address"}).get_data(as_text=True)
    assert "Saisissez une adresse électronique valide." in page
    assert 'value="not an address"' in page
    assert mailbox.messages == []


def test_smtp_failure_does_not_break_the_page(app, client, world, caplog):
    app.config["MAIL_PORT"] = 1  # nothing listens there
    response = client.post("/auth/reset", data={"email": world.learner_a1.email})
    assert response.status_code == 303
    assert "could not send mail" in caplog.text


def test_profile_edit_and_language(world, login_as):
    client = login_as(world.learner_a1)
    response = client.post(
        "/auth/profile", data={"first_name": "Amina", "last_name": "Benali", "locale": "en"}
    )
    assert response.status_code == 303
    user = reload(world.learner_a1)
    assert (user.first_name, user.locale) == ("Amina", "en")
    assert 'lang="en"' in client.get("/auth/profile").get_data(as_text=True)


def test_profile_refuses_empty_names_and_keeps_input(world, login_as):
    client = login_as(world.learner_a1)
    page = client.post("/auth/profile", data={"first_name": "  ", "last_name": "Nouveau", "locale": "fr"})
    text = page.get_data(as_text=True)
    assert "Ce champ est obligatoire." in text and 'value="Nouveau"' in text
    assert reload(world.learner_a1).last_name == "LEARNER A1"


def test_profile_refuses_an_unknown_language(world, login_as):
    client = login_as(world.learner_a1)
    client.post("/auth/profile", data={"first_name": "A", "last_name": "B", "locale": "xx"})
    assert reload(world.learner_a1).locale == "fr"


def test_deactivation_ends_sessions(world, login_as):
    learner = login_as(world.learner_a1)
    admin = login_as(world.admin)
    assert admin.post(f"/admin/users/{world.learner_a1.id}/deactivate").status_code == 303
    assert learner.get("/").status_code == 302
    count = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.active.is_(False)))
    assert count == 1


def test_workers_share_the_login_throttle_through_redis(app, world):
    """Two app processes behind one address count failed logins together when they use Redis."""
    import secrets

    import redis

    from portal import create_app

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (CI runs it)")
    prefix = f"portal-test-{secrets.token_hex(4)}"
    config = {
        key: app.config[key]
        for key in ("SECRET_KEY", "DATABASE_URL", "TESTING", "PLUGINS", "PASSWORD_HASH_METHOD")
    }
    config.update(
        INSTANCE_PATH=app.instance_path,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes",
    )
    first, second = create_app(config), create_app(config)
    data = {"email": world.learner_a1.email, "password": "bad"}
    for worker in (first, second, first):
        client = worker.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/auth/login", data={**data, "csrf_token": token}).status_code == 200
    client = second.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/auth/login", data={**data, "csrf_token": token}).status_code == 429


def test_personal_data_export_includes_every_plugins_contribution(world, login_as):
    client = login_as(world.learner_a1)
    client.post("/example/", data={"text": "ma note"})
    response = client.get("/auth/profile/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.get_json()
    assert data["account"]["email"] == world.learner_a1.email
    assert data["enrolments"] == [
        {"cohort": "Promotion A", "centre": "Paris", "role": "learner", "ends_on": None, "access_until": None}
    ]
    assert data["example"] == {"notes": ["ma note"]}
    assert data["notifications"] == []
    assert "password" not in response.get_data(as_text=True)


def test_personal_data_export_needs_login(client):
    assert client.get("/auth/profile/export").status_code == 302
