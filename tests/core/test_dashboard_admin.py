"""The admin's dashboard: the site at a glance (promotions, people, mail queue, search index, storage), in a
bounded number of queries; nobody else sees it."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.mail import OutgoingMail
from portal.models import utcnow
from tests.helpers import text


def test_the_admin_sees_the_site_at_a_glance(world, login_as):
    db.session.add(
        OutgoingMail(
            recipient="x@example.org", subject="s", body="b", failed_dt=utcnow(), next_attempt_dt=None
        )
    )
    db.session.commit()
    page = " ".join(text(login_as(world.admin).get("/")).split())
    assert "Le site en un coup d'œil" in page
    assert "2 en cours, 0 à venir, 0 terminée" in page
    assert "10 comptes actifs" in page and "3 auditeur·rice·s en formation" in page
    assert "1 en échec" in page and "à surveiller" in page
    assert "0 fichier" in page


@pytest.mark.parametrize("who", ["coordinator", "staff_a", "tutor_a1", "learner_a1"])
def test_only_admins_see_it(world, login_as, who):
    assert "Le site en un coup d'œil" not in text(login_as(getattr(world, who)).get("/"))
