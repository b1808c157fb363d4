"""The page frame and the shared macros as served: vendored assets, user menu, breadcrumbs, form fields."""

import re

import pytest

from portal.security import CONTENT_SECURITY_POLICY
from tests.helpers import text

ASSETS = {
    "/static/vendor/bootstrap/css/bootstrap.min.css": "text/css",
    "/static/vendor/bootstrap/js/bootstrap.bundle.min.js": "text/javascript",
    "/static/vendor/bootstrap-icons/bootstrap-icons.min.css": "text/css",
    "/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2": "font/woff2",
    "/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff": "font/woff",
    "/static/css/portal.css": "text/css",
    "/static/img/favicon.svg": "image/svg+xml",
    "/static/img/favicon-32.png": "image/png",
}


def crumbs(page: str) -> list[str]:
    """The breadcrumb trail's items as read, the current page marked with a star."""
    trail = re.search(r'<ol class="breadcrumb">(.*?)</ol>', page, re.S).group(1)
    return [
        " ".join(re.sub(r"<[^>]+>", " ", item).split()) + ("*" if 'aria-current="page"' in attrs else "")
        for attrs, item in re.findall(r"<li([^>]*)>(.*?)</li>", trail, re.S)
    ]


@pytest.mark.parametrize(("path", "content_type"), ASSETS.items())
def test_the_vendored_assets_are_served_from_the_site(client, path, content_type):
    response = client.get(path)
    assert response.status_code == 200 and response.content_type.startswith(content_type)
    assert len(response.data) > 200


def test_pages_use_only_the_sites_own_assets_under_the_same_policy(client):
    response = client.get("/auth/login")
    page = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    for directive in ("script-src 'self'", "style-src 'self'", "font-src 'self'"):
        assert directive in CONTENT_SECURITY_POLICY
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in sources
    assert "/static/img/favicon.svg" in sources and "/static/img/favicon-32.png" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "style=" not in page and "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and not re.search(r"\son[a-z]+=", page)


def test_the_user_menu_offers_profile_language_data_and_a_posted_logout(world, login_as):
    page = text(login_as(world.learner_a1).get("/"))
    menu = re.search(r'<div class="dropdown user-menu">(.*?)</ul>\s*</div>', page, re.S).group(1)
    assert "Learner LEARNER A1" in menu and "learner_a1@example.org" in menu
    assert 'href="/auth/profile"' in menu and 'href="/auth/profile#locale"' in menu
    assert "Langue" in menu and "(Français)" in menu and "Préférences" in menu
    assert 'href="/auth/profile/export"' in menu and "Mes données" in menu
    logout = re.search(r'<form method="post" action="/auth/logout">(.*?)</form>', menu, re.S).group(1)
    assert 'name="csrf_token"' in logout and "Se déconnecter" in logout


def test_signed_out_pages_have_no_menu_nor_navigation(client):
    page = text(client.get("/auth/login"))
    assert "user-menu" not in page and "Navigation principale" not in page and "Fil d'Ariane" not in page


def test_the_current_section_is_marked_in_the_navigation(world, login_as):
    page = text(login_as(world.admin).get("/admin/users"))
    assert '<a class="nav-link active" href="/admin/" aria-current="page">Administration</a>' in page


def test_breadcrumbs_lead_from_home_to_the_current_page(world, login_as):
    client = login_as(world.admin)
    atelier = text(client.get(f"/admin/ateliers/{world.atelier_a1.id}"))
    assert crumbs(atelier) == ["Accueil", "Administration", "Promotions", "Promotion A", "Atelier A1*"]
    assert f'href="/admin/cohorts/{world.cohort_a.id}">Promotion A</a>' in atelier
    edit = text(client.get(f"/admin/cohorts/{world.cohort_a.id}/edit"))
    trail = ["Accueil", "Administration", "Promotions", "Promotion A", "Modifier la promotion*"]
    assert crumbs(edit) == trail
    bloc = text(client.get(f"/admin/blocs/{world.programme.blocs[0].id}/edit"))
    assert crumbs(bloc) == ["Accueil", "Administration", "Formations", "Formation", "Modifier le bloc*"]
    assert crumbs(text(client.get("/auth/profile"))) == ["Accueil", "Mon profil*"]
    assert "Fil d'Ariane" not in text(client.get("/"))


def test_a_wrong_field_is_marked_and_described_by_its_error(client):
    page = text(client.post("/auth/reset", data={"email": "not an address"}))
    field = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)
    assert 'class="form-control is-invalid"' in field and 'aria-invalid="true"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1)
    assert re.search(rf'<div class="invalid-feedback d-block" id="{described}">', page)
    # The asterisk follows the label on its line, outside it, so the label stays the field's exact name.
    assert re.search(r'<label class="form-label" for="email">[^<]+</label><span class="required"', page)
    assert '<div class="alert alert-danger" role="alert">' in page


def test_flash_messages_are_dismissible_alerts(world, login_as):
    client = login_as(world.learner_a1)
    client.post("/auth/logout")
    page = text(client.get("/auth/login"))
    alert = re.search(
        r'<div class="alert alert-success alert-dismissible" role="status">(.*?)</div>',
        page,
        re.S,
    )
    assert "Vous êtes déconnecté·e." in alert.group(1)
    assert 'data-bs-dismiss="alert" aria-label="Fermer"' in alert.group(1)


def test_tables_stack_on_phones_with_a_label_per_cell(world, login_as):
    page = text(login_as(world.admin).get("/admin/cohorts"))
    assert '<table class="table table-stack' in page
    assert '<td data-label="Centre">' in page and '<td data-label="Formation">' in page


def test_the_ui_macros_write_what_the_style_guide_says(app):
    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        html = render_template_string(
            """{% from "_ui.html" import page_header, dl, empty_state, badge, icon, table_region, card %}
            {% call page_header("Titre", [("Ajouter", "/add", "plus-lg"), ("Exporter", "/export")],
                                badge=("brouillon", "warning")) %}<button>Publier</button>{% endcall %}
            {{ dl([("Forme", "SCOP"), ("Année", None), ("Vide", "")]) }}
            {{ empty_state("inbox", "Rien ici.", "Faites ceci.", "/do", "Le faire") }}
            {{ badge("rendu", "success", "check2") }} {{ icon("bell", "Notifications") }}
            {% call table_region("Grille") %}<table></table>{% endcall %}
            {% call card("Membres", icon="people", id="members") %}corps{% endcall %}"""
        )
    assert '<h1>Titre <span class="badge rounded-pill text-bg-warning">brouillon</span></h1>' in html
    primary = '<a class="btn btn-primary" href="/add"><i class="bi bi-plus-lg" aria-hidden="true"></i> Ajou'
    assert primary in html
    assert '<a class="btn btn-outline-primary" href="/export">Exporter</a>' in html
    assert "<button>Publier</button>" in html
    assert "<dt>Forme</dt><dd>SCOP</dd>" in html and "Année" not in html and "Vide" not in html
    assert '<p class="empty-state-title">Rien ici.</p>' in html and 'href="/do">Le faire</a>' in html
    assert '<i class="bi bi-bell" role="img" aria-label="Notifications"></i>' in html
    assert '<div class="table-responsive" role="region" aria-label="Grille" tabindex="0"><table>' in html
    assert '<section class="card portal-card" aria-labelledby="members">' in html and "corps" in html
