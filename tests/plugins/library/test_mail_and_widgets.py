"""The author's mail when staff publish or request changes, and the library's dashboard widgets, through real
requests and a real SMTP server."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from plugins.library.models import Monograph, Status
from portal.extensions import db
from tests.helpers import text
from tests.plugins.library.conftest import propose


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    """The text of a mail, with the line ends it was typed with (SMTP sends CRLF)."""
    text = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return text.replace("\r\n", "\n")


@pytest.fixture
def submitted(world, lists, login_as):
    """A monograph proposed and submitted by learner_a1."""
    author = login_as(world.learner_a1)
    monograph = propose(author, lists, "La Fabrique solidaire")
    assert author.post(f"/library/m/{monograph.id}/submit").status_code == 303
    return monograph


# -- mail ---------------------------------------------------------------------------------------------
def test_submitting_mails_nobody_and_publishing_mails_the_author_once_with_a_link(
    world, submitted, login_as, mailbox
):
    assert mailbox.messages == []
    assert login_as(world.staff_a).post(f"/library/m/{submitted.id}/publish").status_code == 303
    [message] = mailbox.wait_for(1)
    assert message["To"] == world.learner_a1.email
    assert subject(message) == "Votre monographie est publiée : La Fabrique solidaire"
    content = body(message)
    assert "« La Fabrique solidaire »" in content
    assert f"http://localhost/library/m/{submitted.id}" in content
    # Unpublishing and publishing again: one more mail, still to the author only.
    staff = login_as(world.staff_b)
    assert staff.post(f"/library/m/{submitted.id}/unpublish").status_code == 303
    assert staff.post(f"/library/m/{submitted.id}/publish").status_code == 303
    messages = mailbox.wait_for(2)
    assert [m["To"] for m in messages] == [world.learner_a1.email] * 2


def test_a_request_for_changes_mails_the_comment_and_the_edit_link_to_the_author(
    world, submitted, login_as, mailbox
):
    response = login_as(world.staff_a).post(
        f"/library/m/{submitted.id}/request-changes",
        data={"comment": "Précisez le modèle économique\net la gouvernance."},
    )
    assert response.status_code == 303
    [message] = mailbox.wait_for(1)
    assert message["To"] == world.learner_a1.email
    assert subject(message) == "Modifications demandées : La Fabrique solidaire"
    content = body(message)
    assert "Précisez le modèle économique\net la gouvernance." in content
    assert f"http://localhost/library/m/{submitted.id}/edit" in content
    # The link works for the author.
    assert login_as(world.learner_a1).get(f"/library/m/{submitted.id}/edit").status_code == 200


def test_the_mail_speaks_the_authors_language(world, submitted, login_as, mailbox):
    world.learner_a1.locale = "en"
    db.session.commit()
    login_as(world.staff_a).post(
        f"/library/m/{submitted.id}/request-changes", data={"comment": "Plus court."}
    )
    [message] = mailbox.wait_for(1)
    assert subject(message) == "Changes requested: La Fabrique solidaire"
    assert "Plus court." in body(message) and "demande" not in body(message)


def test_refused_actions_mail_nobody(world, lists, submitted, login_as, mailbox):
    author, staff = login_as(world.learner_a1), login_as(world.staff_a)
    assert author.post(f"/library/m/{submitted.id}/publish").status_code == 403
    assert author.post(f"/library/m/{submitted.id}/request-changes", data={"comment": "x"}).status_code == 403
    for who in (world.tutor_a1, world.learner_b1, world.lecturer_a):
        client = login_as(who)
        assert client.post(f"/library/m/{submitted.id}/publish").status_code == 404
        response = client.post(f"/library/m/{submitted.id}/request-changes", data={"comment": "x"})
        assert response.status_code == 404 and "La Fabrique solidaire" not in text(response)
    response = staff.post(f"/library/m/{submitted.id}/request-changes", data={"comment": "  "})
    assert response.status_code == 400
    response = staff.post(f"/library/m/{submitted.id}/publish", data={}, csrf=False)
    assert response.status_code == 400
    draft = propose(author, lists, "Brouillon sans relecture")
    assert staff.post(f"/library/m/{draft.id}/publish").status_code == 404
    assert staff.post(f"/library/m/{draft.id}/request-changes", data={"comment": "x"}).status_code == 404
    assert staff.post("/library/m/999999/publish").status_code == 404
    assert db.session.get(Monograph, submitted.id).status == Status.SUBMITTED
    assert mailbox.messages == []


def test_no_mail_when_the_author_was_erased(world, submitted, login_as, mailbox):
    from plugins.library.plugin import LibraryPlugin

    LibraryPlugin().erase_user(world.learner_a1)
    db.session.commit()
    staff = login_as(world.staff_a)
    assert staff.post(f"/library/m/{submitted.id}/publish").status_code == 303
    assert staff.post(f"/library/m/{submitted.id}/unpublish").status_code == 303
    response = staff.post(f"/library/m/{submitted.id}/request-changes", data={"comment": "Plus court."})
    assert response.status_code == 303
    assert db.session.get(Monograph, submitted.id).status == Status.DRAFT
    assert mailbox.messages == []


# -- dashboard widgets -----------------------------------------------------------------------------------
REVIEW_WIDGET = "Monographies à relire"
CHANGES_WIDGET = "Monographies à modifier"


def dashboard(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return text(response)


def test_staff_see_how_many_monographs_wait_for_review_only_when_some_do(world, lists, login_as):
    staff = login_as(world.staff_b)
    assert REVIEW_WIDGET not in dashboard(staff)
    author = login_as(world.learner_a1)
    for title in ("Première", "Seconde"):
        monograph = propose(author, lists, title)
        author.post(f"/library/m/{monograph.id}/submit")
    propose(author, lists, "Encore un brouillon")
    for who in (world.staff_a, world.staff_b, world.admin):
        page = dashboard(login_as(who))
        assert REVIEW_WIDGET in page
        assert '<a href="/library/review">2 monographies attendent votre relecture</a>' in page
    # Nobody else is told about the queue, nor sees the titles.
    for who in (world.learner_a2, world.learner_b1, world.tutor_a1, world.lecturer_a):
        page = dashboard(login_as(who))
        assert REVIEW_WIDGET not in page and "Première" not in page


def test_an_author_sees_their_proposals_sent_back_and_nobody_elses(world, lists, login_as):
    author, staff = login_as(world.learner_a1), login_as(world.staff_a)
    assert CHANGES_WIDGET not in dashboard(author)
    sent_back = propose(author, lists, "À reprendre")
    author.post(f"/library/m/{sent_back.id}/submit")
    staff.post(f"/library/m/{sent_back.id}/request-changes", data={"comment": "Ajoutez des chiffres."})
    propose(author, lists, "Simple brouillon")
    waiting = propose(author, lists, "En attente")
    author.post(f"/library/m/{waiting.id}/submit")
    page = dashboard(author)
    assert CHANGES_WIDGET in page
    assert f'<a href="/library/m/{sent_back.id}">À reprendre</a>' in page
    assert "Simple brouillon" not in page and "En attente" not in page
    # Another learner, of the same cohort or not, and staff see no one's proposals.
    for who in (world.learner_a2, world.learner_b1, world.staff_a):
        page = dashboard(login_as(who))
        assert CHANGES_WIDGET not in page and "À reprendre" not in page
    # Once submitted again, it is no longer waiting for the author.
    author.post(f"/library/m/{sent_back.id}/submit")
    assert CHANGES_WIDGET not in dashboard(author)


def test_the_changes_widget_lists_a_handful_and_links_to_all(world, lists, login_as):
    from plugins.library.plugin import CHANGES_ROWS

    author, staff = login_as(world.learner_a1), login_as(world.staff_a)
    for n in range(CHANGES_ROWS + 1):
        monograph = propose(author, lists, f"Proposition {n}")
        author.post(f"/library/m/{monograph.id}/submit")
        staff.post(f"/library/m/{monograph.id}/request-changes", data={"comment": "Encore."})
    page = dashboard(author)
    assert sum(f"Proposition {n}" in page for n in range(CHANGES_ROWS + 1)) == CHANGES_ROWS
    assert '<a href="/library/mine">Voir toutes mes propositions</a>' in page


# -- the review page at a large site ------------------------------------------------------------------
def test_the_review_page_lists_the_published_monographs_50_a_page(world, lists, login_as):
    from datetime import UTC, datetime, timedelta

    from plugins.library.views import REVIEW_PAGE_SIZE

    start = datetime(2024, 1, 1, tzinfo=UTC)
    db.session.add_all(
        Monograph(
            title=f"Publiée n° {n:03d}",
            status=Status.PUBLISHED,
            created_by_id=world.learner_a1.id,
            updated_dt=start + timedelta(days=n),
        )
        for n in range(REVIEW_PAGE_SIZE + 1)
    )
    db.session.commit()
    staff = login_as(world.staff_a)
    first = text(staff.get("/library/review"))
    assert 'Publiées <span class="muted">(51)</span>' in first and "Page 1 sur 2" in first
    assert f"Publiée n° {REVIEW_PAGE_SIZE:03d}" in first and "Publiée n° 000" not in first
    second = text(staff.get("/library/review", query_string={"page": 2}))
    assert "Publiée n° 000" in second and "Publiée n° 001" not in second
    response = login_as(world.learner_a1).get("/library/review", query_string={"page": 2})
    assert response.status_code == 404 and "Publiée n°" not in text(response)


def test_a_title_with_line_breaks_is_refused_by_the_form(world, lists, login_as):
    from tests.plugins.library.conftest import monograph_data

    response = login_as(world.learner_a1).post(
        "/library/new", data=monograph_data(lists, "Titre\r\nBcc: intrus@example.org")
    )
    assert response.status_code == 400 and "retirez les retours à la ligne" in text(response)
    assert db.session.query(Monograph).count() == 0


def test_a_title_with_line_breaks_gives_a_one_line_subject(world, lists, login_as, mailbox):
    author = login_as(world.learner_a1)
    monograph = propose(author, lists, "Titre")
    # A title written before forms refused line breaks, or by another way in.
    monograph.title = "Titre\r\nBcc: intrus@example.org"
    db.session.commit()
    assert author.post(f"/library/m/{monograph.id}/submit").status_code == 303
    assert login_as(world.staff_a).post(f"/library/m/{monograph.id}/publish").status_code == 303
    [message] = mailbox.wait_for(1)
    assert subject(message) == "Votre monographie est publiée : Titre Bcc: intrus@example.org"
    assert message["Bcc"] is None and message["To"] == world.learner_a1.email
