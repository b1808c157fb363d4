"""Fixtures of the library tests: the two lists, and helpers to propose and publish monographs."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from plugins.library.lists import LEGAL_FORMS, SECTORS
from plugins.library.models import LegalForm, Monograph, Sector
from portal.extensions import db
from tests.helpers import text


@pytest.fixture
def lists(world):
    """The default legal forms and sectors: seeded by the migration, but the tables are emptied after each
    test."""
    for model, names in ((LegalForm, LEGAL_FORMS), (Sector, SECTORS)):
        have = set(db.session.scalars(sa.select(model.name)))
        db.session.add_all([model(name=n) for n in names if n not in have])
    db.session.commit()
    return {
        "form": {f.name: f.id for f in db.session.scalars(sa.select(LegalForm))},
        "sector": {s.name: s.id for s in db.session.scalars(sa.select(Sector))},
    }


def upload(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    """A file to post."""
    return io.BytesIO(content), name


def monograph_data(lists, title: str, **fields) -> dict:
    """Valid form data for a monograph."""
    data = {
        "title": title,
        "organisation": fields.pop("organisation", f"Structure de {title}"),
        "legal_form": str(lists["form"][fields.pop("legal_form", "SCOP")]),
        "sector": str(lists["sector"][fields.pop("sector", "Habitat")]),
        "region": fields.pop("region", "Bretagne"),
        "department": "",
        "town": "",
        "year_founded": str(fields.pop("year", 2000)),
        "themes": fields.pop("themes", "habitat"),
        "summary": "",
        "body": fields.pop("body", ""),
        "source": "",
        "authors": "",
        "visibility": fields.pop("visibility", "all"),
    }
    data.update(fields)
    return data


def propose(client, lists, title: str, **fields) -> Monograph:
    """Propose a monograph through the form; returns it (a draft)."""
    response = client.post("/library/new", data=monograph_data(lists, title, **fields))
    assert response.status_code == 303, text(response)
    return db.session.scalar(sa.select(Monograph).where(Monograph.title == title))


def publish(author_client, staff_client, monograph: Monograph) -> None:
    """Submit as the author, then publish as staff."""
    assert author_client.post(f"/library/m/{monograph.id}/submit").status_code == 303
    assert staff_client.post(f"/library/m/{monograph.id}/publish").status_code == 303


@pytest.fixture
def published(world, lists, login_as):
    """A factory: publish(title, **fields) proposes as learner_a1, publishes as staff_a."""
    author, staff = login_as(world.learner_a1), login_as(world.staff_a)

    def _make(title: str, **fields) -> Monograph:
        found = propose(author, lists, title, **fields)
        publish(author, staff, found)
        return found

    return _make
