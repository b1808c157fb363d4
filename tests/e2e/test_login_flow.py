"""Logging in and out in a real Chromium: the form, the French error, keyboard use and the skip link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import log_in, log_out, user_menu

pytestmark = pytest.mark.e2e


def test_login_dashboard_logout(page, live_server, world):
    log_in(page, live_server, world.learner_a1.email)

    page.wait_for_url(live_server("/"))
    expect(page).to_have_title(re.compile(r"^Tableau de bord · "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Learner")
    cohorts = page.get_by_role("region", name="Mes promotions")
    expect(cohorts).to_contain_text("Promotion A")
    expect(cohorts).to_contain_text("Atelier A1")
    expect(cohorts).not_to_contain_text("Promotion B")
    assert any(c["name"] == "session" and c["secure"] for c in page.context.cookies())

    expect(user_menu(page)).to_have_accessible_name("Learner LEARNER A1")
    log_out(page)

    page.wait_for_url(live_server("/auth/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté·e.")
    page.goto(live_server("/"))
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))


def test_wrong_password_shows_french_error(page, live_server, world):
    log_in(page, live_server, world.learner_a1.email, "not-the-password")

    expect(page.get_by_text("Adresse électronique ou mot de passe incorrect.")).to_be_visible()
    password = page.get_by_label("Mot de passe", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Adresse électronique ou mot de passe incorrect.")
    expect(password).to_have_value("")
    expect(user_menu(page)).to_have_count(0)
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    assert page.url == live_server("/auth/login")


def test_keyboard_only_login(page, live_server, world):
    page.goto(live_server("/auth/login"))
    email = page.get_by_label("Adresse électronique")
    expect(email).to_be_focused()  # autofocus

    page.keyboard.type(world.learner_a1.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Tab")
    remember = page.get_by_label("Rester connecté·e sur cet appareil")
    expect(remember).to_be_focused()
    page.keyboard.press("Space")
    expect(remember).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Se connecter")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(live_server("/"))
    expect(page.get_by_role("region", name="Mes promotions")).to_contain_text("Atelier A1")
    assert any(c["name"] == "remember_token" for c in page.context.cookies())


def test_skip_link_moves_focus_to_main(page, live_server, world, login):
    login(world.admin)
    page.goto(live_server("/admin/"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("/admin/#main")
    # The next Tab goes on from the main content, past the header's links.
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("navigation", name="Administration").get_by_role("link", name="Personnes")
    ).to_be_focused()
