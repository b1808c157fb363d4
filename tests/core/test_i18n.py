"""The interface speaks French by default and English to those who ask for it."""

import pytest

from tests import conftest


def test_french_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="fr"' in page and "Se connecter" in page


def test_english_from_the_browser(client):
    page = client.get("/auth/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page and "Log in" in page and "Se connecter" not in page


def test_the_users_language_wins_over_the_browser(world, login_as):
    world.learner_a1.locale = "en"
    from portal.extensions import db

    db.session.commit()
    client = login_as(world.learner_a1)
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Dashboard" in page and "Log out" in page


def test_validation_messages_are_translated(client):
    page = client.post("/auth/login", data={"email": "", "password": ""}, headers={"Accept-Language": "en"})
    assert "This field is required." in page.get_data(as_text=True)


def _msgids(path, translated_only: bool = False) -> set[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return {
            m.id if isinstance(m.id, str) else m.id[0]
            for m in read_po(handle)
            if m.id and (not translated_only or (all(m.string) if isinstance(m.string, tuple) else m.string))
        }


def test_the_english_catalogues_cover_every_string(tmp_path):
    """The core's strings are in its catalogue; a plugin's in its own or the core's."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    core_po = root / "portal/translations/en/LC_MESSAGES/messages.po"
    folders = [
        root / "portal",
        *sorted(p for p in (root / "plugins").iterdir() if (p / "__init__.py").is_file()),
    ]
    pybabel = str(Path(sys.executable).parent / "pybabel")
    extract = [pybabel, "--quiet", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext"]
    untranslated = {}
    for folder in folders:
        pot = tmp_path / f"{folder.name}.pot"
        subprocess.run(
            [*extract, "-o", str(pot), str(folder)],
            cwd=root,
            check=True,
            capture_output=True,
        )
        own_po = folder / "translations/en/LC_MESSAGES/messages.po"
        translated = _msgids(core_po, True) | (_msgids(own_po, True) if own_po.is_file() else set())
        missing = sorted(_msgids(pot) - translated)
        if missing:
            untranslated[folder.name] = missing
    assert untranslated == {}


@pytest.mark.skipif("courses" not in conftest.tested_plugins(), reason="reads a page of the courses plugin")
def test_a_plugins_own_catalogue_is_used(world, login_as):
    from portal.extensions import db

    world.learner_a1.locale = "en"
    db.session.commit()
    page = login_as(world.learner_a1).get(f"/courses/programme/{world.programme.id}").get_data(as_text=True)
    assert "Skills blocks" in page and "Blocs de compétences" not in page


def test_dates_are_the_day_in_paris_in_the_readers_language(app):
    from datetime import UTC, date, datetime

    from flask import render_template_string

    late_evening = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # already 1 January in Paris
    template = "{{ a|date('long') }} | {{ b|date('long') }} | {{ a|date('short') }} | {{ c|date('long') }}"
    values = {"a": late_evening, "b": datetime(2026, 1, 1, 8, tzinfo=UTC), "c": date(2026, 3, 4)}
    # each request has its own app context, where the locale and the formatted days are cached
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert render_template_string(template, **values) == (
            "1 janvier 2026 | 1 janvier 2026 | 01/01/2026 | 4 mars 2026"
        )
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(template, **values) == (
            "January 1, 2026 | January 1, 2026 | 1/1/26 | March 4, 2026"
        )


def test_french_counts_follow_french_rules(app):
    """0 and 1 take the singular in French, from the French catalogue (gettext's fallback is English's)."""
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale("fr"):
        said = [ngettext("%(num)d fichier", "%(num)d fichiers", n) for n in (0, 1, 2, 1_000_000)]
    assert said == ["0 fichier", "1 fichier", "2 fichiers", "1000000 fichiers"]


def test_every_french_plural_has_its_forms():
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    for path in [
        root / "portal/translations/fr/LC_MESSAGES/messages.po",
        *root.glob("plugins/*/translations/fr/LC_MESSAGES/messages.po"),
    ]:
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if message.id and isinstance(message.id, tuple):
                assert all(message.string), (path, message.id)
