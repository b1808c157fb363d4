"""Accessibility in a real Chromium: axe-core (WCAG 2.1 A/AA, best practice), reflow and focus rings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, user_menu

pytestmark = pytest.mark.e2e

FORM_ERROR = "Le formulaire contient des erreurs : corrigez les champs signalés."
REQUIRED_NOTE = "Les champs marqués d'un astérisque (*) sont obligatoires."

BAD_CSV = (
    "email,firstname,lastname,cohort1,role1\n"
    "not-an-address,Ana,Martin,Promotion A,learner\n"
    "bob@example.org,,Durand,Promotion Z,learner\n"
)
GOOD_CSV = (
    "email,firstname,lastname,cohort1,role1,group1\n"
    "ana.martin@example.org,Ana,Martin,Promotion A,learner,A9\n"
)


def submit(label: str) -> Callable[[Page], None]:
    """An action: press the form's button with this label, fields left as they are (empty or invalid)."""
    return lambda page: page.get_by_role("button", name=label, exact=True).click()


def upload(content: str) -> Callable[[Page], None]:
    """An action: send a CSV file through the import form."""

    def _upload(page: Page) -> None:
        page.get_by_label("Fichier CSV").set_input_files(
            files=[{"name": "personnes.csv", "mimeType": "text/csv", "buffer": content.encode()}]
        )
        page.get_by_role("button", name="Vérifier le fichier").click()

    return _upload


def wrong_passwords(page: Page) -> None:
    """An action: the change-password form with a wrong current password and a good new one."""
    page.get_by_label("Mot de passe actuel").fill("not-my-password")
    page.get_by_label("Nouveau mot de passe", exact=True).fill("a long enough passphrase")
    page.get_by_label("Confirmez le nouveau mot de passe").fill("a long enough passphrase")
    page.get_by_role("button", name="Changer le mot de passe").click()


def wrong_login(page: Page) -> None:
    """An action: the login form with an unknown account."""
    page.get_by_label("Adresse électronique").fill("nobody@example.net")
    page.get_by_label("Mot de passe", exact=True).fill("not-a-password")
    page.get_by_role("button", name="Se connecter").click()


def clear_first_name(page: Page) -> None:
    """An action: the profile saved without a first name."""
    page.get_by_label("Prénom").fill("")
    page.get_by_role("button", name="Enregistrer", exact=True).click()


def deactivate(page: Page) -> None:
    """An action: deactivate the account, accepting the confirmation dialog."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Désactiver le compte").click()


@dataclass
class Case:
    """A page to check: where, what its main heading says, what to do first, what it then shows."""

    name: str
    path: Callable
    heading: str
    act: Callable[[Page], None] | None = None
    #: Text the page must show once `act` ran (an error, a success message).
    shows: str | None = None
    status: int = 200


#: Pages grouped by who looks at them: one app, one login and one test per group keeps the run short.
GROUPS = {
    "anonymous": (
        None,
        [
            Case("login", lambda w: "/auth/login", "Connexion"),
            Case(
                "login with a wrong password",
                lambda w: "/auth/login",
                "Connexion",
                wrong_login,
                "Adresse électronique ou mot de passe incorrect.",
            ),
            Case("reset request", lambda w: "/auth/reset", "Mot de passe oublié"),
            Case(
                "reset request, empty",
                lambda w: "/auth/reset",
                "Mot de passe oublié",
                submit("Envoyer le lien"),
                FORM_ERROR,
            ),
            Case("404", lambda w: "/no/such/page", "Page introuvable", status=404),
        ],
    ),
    "learner": (
        "learner_a1",
        [
            Case("dashboard", lambda w: "/", "Bonjour Learner"),
            Case("profile", lambda w: "/auth/profile", "Mon profil"),
            Case(
                "profile without a first name",
                lambda w: "/auth/profile",
                "Mon profil",
                clear_first_name,
                FORM_ERROR,
            ),
            Case("change password", lambda w: "/auth/password", "Changer de mot de passe"),
            Case(
                "change password, wrong",
                lambda w: "/auth/password",
                "Changer de mot de passe",
                wrong_passwords,
                "Le mot de passe actuel est incorrect.",
            ),
            Case("404", lambda w: "/no/such/page", "Page introuvable", status=404),
            Case("search", lambda w: "/search/?q=atelier", "Recherche"),
            Case(
                "search without result",
                lambda w: "/search/?q=introuvable",
                "Recherche",
                shows="Aucun document que vous pouvez consulter ne correspond.",
            ),
        ],
    ),
    "admin-people": (
        "admin",
        [
            Case("dashboard", lambda w: "/", "Bonjour Admin"),
            Case("staff home", lambda w: "/admin/", "Administration"),
            Case("users", lambda w: "/admin/users", "Personnes"),
            Case("new user", lambda w: "/admin/users/new", "Nouveau compte"),
            Case(
                "new user, empty",
                lambda w: "/admin/users/new",
                "Nouveau compte",
                submit("Créer le compte"),
                FORM_ERROR,
            ),
            Case("user", lambda w: f"/admin/users/{w.learner_a1.id}", "Learner LEARNER A1"),
            Case(
                "user deactivated",
                lambda w: f"/admin/users/{w.nobody.id}",
                "Nobody NOBODY désactivé",
                deactivate,
                "Le compte de Nobody NOBODY est désactivé.",
            ),
        ],
    ),
    "admin-import": (
        "admin",
        [
            Case("import", lambda w: "/admin/users/import", "Importer des personnes (CSV)"),
            Case(
                "import, no file",
                lambda w: "/admin/users/import",
                "Importer des personnes (CSV)",
                submit("Vérifier le fichier"),
                FORM_ERROR,
            ),
            Case(
                "preview of a bad file",
                lambda w: "/admin/users/import",
                "Aperçu de l'import",
                upload(BAD_CSV),
                "Le fichier est refusé : 3 erreurs.",
            ),
            Case(
                "preview of a good file",
                lambda w: "/admin/users/import",
                "Aperçu de l'import",
                upload(GOOD_CSV),
                "1 ligne valide.",
            ),
        ],
    ),
    "admin-cohorts": (
        "admin",
        [
            Case("cohorts", lambda w: "/admin/cohorts", "Promotions et ateliers"),
            Case("new cohort", lambda w: "/admin/cohorts/new", "Nouvelle promotion"),
            Case(
                "new cohort, empty",
                lambda w: "/admin/cohorts/new",
                "Nouvelle promotion",
                submit("Enregistrer"),
                FORM_ERROR,
            ),
            Case("cohort", lambda w: f"/admin/cohorts/{w.cohort_a.id}", "Promotion A"),
            Case("cohort edit", lambda w: f"/admin/cohorts/{w.cohort_a.id}/edit", "Modifier la promotion"),
            Case("atelier", lambda w: f"/admin/ateliers/{w.atelier_a1.id}", "Atelier A1"),
        ],
    ),
    "admin-programmes": (
        "admin",
        [
            Case("programmes", lambda w: "/admin/programmes", "Formations, blocs et séminaires"),
            Case("new programme", lambda w: "/admin/programmes/new", "Nouvelle formation"),
            Case("programme", lambda w: f"/admin/programmes/{w.programme.id}", "Manager ESS"),
            Case("bloc edit", lambda w: f"/admin/blocs/{w.programme.blocs[0].id}/edit", "Modifier le bloc"),
            Case(
                "seminar edit",
                lambda w: f"/admin/seminars/{w.programme.blocs[0].seminars[0].id}/edit",
                "Modifier le séminaire",
            ),
        ],
    ),
}


def check_pages(page: Page, server, world, cases: list[Case]) -> list[str]:
    """Visit each page, act, check that it is the expected page, run axe; the problems found, page by page."""
    problems = []
    for case in cases:
        response = page.goto(server(case.path(world)))
        assert response.status == case.status, f"{case.name}: status {response.status}"
        if case.act:
            case.act(page)
        expect(page.get_by_role("heading", level=1), case.name).to_have_text(case.heading)
        if case.shows:
            expect(page.get_by_text(case.shows).first, case.name).to_be_visible()
        if page.locator(".required").count():
            expect(
                page.get_by_text(REQUIRED_NOTE).first, f"{case.name}: the asterisk is explained"
            ).to_be_visible()
        problems += [f"[{case.name}] {problem}" for problem in axe_violations(page)]
    return problems


@pytest.mark.parametrize("group", list(GROUPS))
def test_pages_have_no_axe_violation(group, page, live_server, login, world):
    user, cases = GROUPS[group]
    if user:
        login(getattr(world, user))
    problems = check_pages(page, live_server, world, cases)
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize(
    ("user", "cases"),
    [
        ("learner_a1", [Case("dashboard", lambda w: "/", "Bonjour Learner")]),
        (
            "admin",
            [
                Case("users", lambda w: "/admin/users", "Personnes"),
                Case("cohort", lambda w: f"/admin/cohorts/{w.cohort_a.id}", "Promotion A"),
            ],
        ),
    ],
    ids=["learner", "admin"],
)
def test_narrow_viewport(user, cases, page, live_server, login, world):
    page.set_viewport_size({"width": 375, "height": 812})
    login(getattr(world, user))
    problems = []
    for case in cases:
        page.set_viewport_size({"width": 375, "height": 812})
        problems += check_pages(page, live_server, world, [case])
        # The user menu (and its "Se déconnecter") stays in the header; the navigation folds under a button.
        expect(user_menu(page)).to_be_in_viewport()
        first_link = page.get_by_role("navigation", name="Navigation principale").get_by_role("link").first
        expect(first_link).to_be_hidden()
        menu = page.get_by_role("button", name="Menu", exact=True)
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(first_link).to_be_visible()
        menu.click()
        # WCAG 1.4.10 asks for no sideways scrolling down to 320 CSS pixels; 375 px is a common phone.
        for width in (375, 320):
            page.set_viewport_size({"width": width, "height": 812})
            if overflow := horizontal_overflow(page):
                problems.append(f"[{case.name}] {overflow}px wider than a {width}px screen (WCAG 1.4.10)")
    assert not problems, "\n".join(problems)


#: The focused element's ring, and the background just outside it (where the ring is drawn).
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const width = parseFloat(style.outlineWidth) || 0;
  const x = rect.left - (parseFloat(style.outlineOffset) || 0) - width - 1;
  const y = rect.top + rect.height / 2;
  const outside = document.elementsFromPoint(x, y).find((e) => e !== el && !el.contains(e));
  const behind = outside || el.parentElement;
  let background = "rgb(255, 255, 255)";
  for (let node = behind; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { background = colour; break; }
  }
  const name = (el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent).trim().slice(0, 40);
  const index = Array.prototype.indexOf.call(document.querySelectorAll("*"), el);
  return {key: index, name: `${el.tagName} « ${name} »`,
          style: style.outlineStyle, width, colour: style.outlineColor, background};
}"""


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""

    def luminance(colour: str) -> float:
        channels = [float(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focus_rings(page: Page) -> tuple[int, list[str]]:
    """Tab round the whole page: how many elements took the focus, and those without a clear ring."""
    problems, seen = [], []
    for _ in range(100):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring is None:
            continue
        if seen and ring["key"] == seen[0]:
            return len(seen), problems
        seen.append(ring["key"])
        if ring["style"] == "none" or ring["width"] < 2:
            problems.append(f"{ring['name']}: no visible focus ring")
        elif (ratio := contrast(ring["colour"], ring["background"])) < 3:
            colours = f"{ring['colour']} on {ring['background']}"
            problems.append(f"{ring['name']}: focus ring {colours} is {ratio:.1f}:1, under 3:1")
    raise AssertionError("Tab never came back to the first element")


@pytest.mark.parametrize(
    ("user", "path", "minimum"),
    [
        # Skip link, brand, 2 fields, checkbox, button, link.
        (None, lambda w: "/auth/login", 7),
        # Header (skip link, brand, 3 links, name, logout), 3 tabs, ateliers, 2 forms, 5 people.
        ("admin", lambda w: f"/admin/cohorts/{w.cohort_a.id}", 25),
    ],
    ids=["login", "cohort"],
)
def test_keyboard_focus_is_visible(user, path, minimum, page, live_server, login, world):
    """WCAG 2.4.7 and 1.4.11: the focus ring is there and contrasts with what surrounds it."""
    if user:
        login(getattr(world, user))
    page.goto(live_server(path(world)))
    visited, problems = focus_rings(page)
    assert visited >= minimum
    assert not problems, f"focus rings on {page.url}:\n" + "\n".join(problems)
