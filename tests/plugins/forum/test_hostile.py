"""Hostile HTML and Markdown in subjects and messages is shown as text or dropped, never run."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.helpers import text
from tests.plugins.forum.conftest import answer, first_post, start

#: Payloads people paste to make a page run their code; none may survive as markup.
PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=5></circle></svg>",
    '<a href="javascript:alert(1)">clic</a>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](  javascript:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](javascript:alert(1))",
    "![image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](https://example.org/x.png)',
    '[clic](https://example.org "titre" onmouseover=alert(1))',
    "<!--><script>alert(1)</script>-->",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">style</div>',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[a](vbscript:msgbox(1))",
    '<object data="javascript:alert(1)"></object>',
    "`<script>alert(1)</script>`",
]

FORBIDDEN_TAGS = {"script", "svg", "iframe", "object", "embed", "style", "math", "details", "link", "meta"}


class _Elements(HTMLParser):
    """The elements and attributes a browser would build from the page (text stays text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        """Flag a forbidden element, an event handler, or a link or image that is not http(s)/mailto/local."""
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction", "data") and value:
                scheme = re.match(r"\s*([a-z][a-z0-9+.-]*):", value, re.I)
                if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
                    self.problems.append(f"{tag}[{name}={value[:30]}]")

    def handle_comment(self, data):
        """A comment from user text could hide markup from reviewers."""
        self.problems.append("<!--comment-->")


def problems(html: str) -> list[str]:
    """What in this HTML could run or load something unexpected."""
    parser = _Elements()
    parser.feed(html)
    return parser.problems


def body_of(page: str) -> str:
    """The main content of a page, without the layout's own scripts."""
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_rendered_harmless(world, forums, login_as, payload):
    learner = login_as(world.learner_a1)
    discussion = start(learner, forums.a1, f"Sujet {payload}", f"Avant {payload} après")
    answer(learner, first_post(discussion), f"Réponse {payload}")
    for url in (f"/forum/discussion/{discussion.id}", f"/forum/{forums.a1.id}", "/forum/", "/"):
        raw = body_of(learner.get(url).get_data(as_text=True))
        assert problems(raw) == [], url
    raw = body_of(
        learner.get(f"/forum/post/{first_post(discussion).id}/reply?quote=1").get_data(as_text=True)
    )
    # In the quote form the payload is the textarea's escaped text: no tag can open.
    assert problems(raw) == []


def test_markdown_still_formats(world, forums, login_as):
    learner = login_as(world.learner_a1)
    body = "**gras**, *italique*, [lien](https://www.ess-france.org)\n\n- un\n- deux\n\n> citation"
    discussion = start(learner, forums.a1, "Mise en forme", body)
    page = learner.get(f"/forum/discussion/{discussion.id}").get_data(as_text=True)
    assert "<strong>gras</strong>" in page and "<em>italique</em>" in page
    assert '<a href="https://www.ess-france.org" rel="noopener noreferrer nofollow">lien</a>' in page
    assert "<li>un</li>" in page and "<blockquote>" in page
    assert "Mise en forme" in text(learner.get(f"/forum/{forums.a1.id}"))
