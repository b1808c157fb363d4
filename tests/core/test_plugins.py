"""The plugin contract: discovery, checks on load, contributions rendered by the core."""

import pytest
from flask import Blueprint

from portal import create_app
from portal.plugins import Plugin, PluginError
from tests.conftest import EXAMPLE_PLUGIN


class Misnamed(Plugin):
    """A plugin whose blueprint does not carry its name."""

    name = "misnamed"

    def blueprint(self):
        return Blueprint("other", __name__)


class NeedsMissing(Plugin):
    """A plugin requiring one that is not enabled."""

    name = "needy"
    requires = ("nowhere",)


misnamed = Misnamed()
needs_missing = NeedsMissing()
not_a_plugin = object()


@pytest.fixture
def bare_config(app):
    config = {key: app.config[key] for key in ("SECRET_KEY", "DATABASE_URL", "TESTING")}
    config["INSTANCE_PATH"] = app.instance_path
    return config


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("tests.core.test_plugins:misnamed", "has a blueprint named 'other'"),
        ("tests.core.test_plugins:needs_missing", "requires plugin 'nowhere', which is not enabled"),
        ("tests.core.test_plugins:not_a_plugin", "is not a portal.plugins.Plugin instance"),
        ("no_such_plugin", "is enabled but not installed"),
        ("tests.nowhere:plugin", "failed to import"),
    ],
)
def test_a_broken_plugin_stops_start_up_with_a_clear_message(bare_config, reference, message):
    with pytest.raises(PluginError, match=message):
        create_app({**bare_config, "PLUGINS": [reference]})


def test_a_table_without_the_plugin_prefix_is_refused(bare_config):
    from portal.extensions import db

    try:
        with pytest.raises(PluginError, match="table 'wrong_name' of WrongName must start with 'badtables_'"):
            create_app({**bare_config, "PLUGINS": ["tests.bad_plugin:plugin"]})
    finally:
        # Keep the shared metadata as the migrations built it, for the tests that follow.
        if "wrong_name" in db.metadata.tables:
            db.metadata.remove(db.metadata.tables["wrong_name"])


def test_the_same_plugin_twice_is_refused(bare_config):
    with pytest.raises(PluginError, match="used twice"):
        create_app({**bare_config, "PLUGINS": [EXAMPLE_PLUGIN, EXAMPLE_PLUGIN]})


def test_plugins_can_be_given_as_a_comma_separated_string(bare_config):
    app = create_app({**bare_config, "PLUGINS": f" {EXAMPLE_PLUGIN} , "})
    assert "example" in app.blueprints


def test_example_plugin_contributes_navigation_and_widget(world, login_as):
    page = login_as(world.learner_a1).get("/").get_data(as_text=True)
    assert '<a class="nav-link" href="/example/">Exemple</a>' in page
    assert "Notes d&#39;exemple" in page or "Notes d'exemple" in page


def test_a_disabled_plugin_contributes_nothing(app, bare_config, world):
    other = create_app({**bare_config, "PLUGINS": []})
    assert "example" not in other.blueprints
    client = other.test_client()
    assert client.get("/example/").status_code == 404


def test_dashboard_is_built_from_contributions_only(world, login_as):
    page = login_as(world.nobody).get("/").get_data(as_text=True)
    assert "Vous n&#39;êtes inscrit·e dans aucune promotion" in page or "aucune promotion" in page
    assert "Administration" not in page


def test_staff_get_the_administration_link_and_learners_do_not(world, login_as):
    assert "Administration" in login_as(world.staff_a).get("/").get_data(as_text=True)
    assert "/admin/" not in login_as(world.learner_a1).get("/").get_data(as_text=True)


def test_base_class_contributes_nothing(world):
    from datetime import UTC, datetime

    plugin = Plugin()
    now = datetime.now(UTC)
    assert plugin.nav_items(world.nobody) == []
    assert plugin.dashboard_widgets(world.nobody) == []
    assert list(plugin.search_documents()) == []
    assert plugin.calendar_events(world.nobody, now, now) == []
    assert plugin.can_read_file(world.nobody, object()) is None
    assert plugin.user_data(world.nobody) == {}
    assert plugin.erase_user(world.nobody) is None


def test_plugin_translations_and_migrations_are_found(app):
    from portal.plugins import loaded_plugins

    example = next(p for p in loaded_plugins(app) if p.name == "example")
    assert example.migrations_dir().name == "migrations"
    assert str(example.migrations_dir()) in app.extensions["portal.migration_locations"]
