"""A crawler of the site through the Flask test client: the links and forms of every page a user reaches,
for sweeps that try every route and every form (hostile input, huge ids)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

#: Never followed: leaving the session, downloads that are not pages, and feeds.
SKIPPED_PREFIXES = ("/auth/logout", "/static/", "/files/")
SKIPPED_SUFFIXES = (".ics", ".zip", ".csv", ".pdf")


@dataclass
class Form:
    """A form of a page: where it posts and its fields, as a browser would send them untouched."""

    action: str
    method: str
    #: (name, value, kind): kind is "text" (one line), "textarea", "hidden", "select", "check" or "file"
    fields: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        """Whether the form has a field a person types in."""
        return any(kind in ("text", "textarea") for _, _, kind in self.fields)


class _PageParser(HTMLParser):
    """Collects the links and the forms of one page."""

    TEXT_TYPES = frozenset({"text", "email", "search", "url", "tel", "password", "number", "date", "time"})

    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._textarea_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        """Record links, forms and their fields."""
        a = dict(attrs)
        if tag == "option":
            if self._select is not None and self._select_value is None:
                self._select_value = a.get("value", "")
        elif tag == "a" and a.get("href"):
            self.links.append(urljoin(self.base, a["href"]))
        elif tag == "form":
            action = urljoin(self.base, a.get("action") or self.base)
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in self.TEXT_TYPES:
                self._form.fields.append((a["name"], a.get("value") or "", "text"))
            elif kind == "hidden":
                self._form.fields.append((a["name"], a.get("value") or "", "hidden"))
            elif kind in ("checkbox", "radio") and "checked" in a:
                self._form.fields.append((a["name"], a.get("value") or "on", "check"))
            elif kind == "file":
                self._form.fields.append((a["name"], "", "file"))
        elif tag == "textarea":
            self._textarea, self._textarea_text = a["name"], []
        elif tag == "select":
            self._select, self._select_value = a["name"], None

    def handle_data(self, data):
        """Keep a textarea's text."""
        if self._textarea is not None:
            self._textarea_text.append(data)

    def handle_endtag(self, tag):
        """Close textareas, selects and forms."""
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._textarea_text), "textarea"))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append((self._select, self._select_value or "", "select"))
            self._select = None
        elif tag == "form":
            self._form = None


def parse(url: str, page: str) -> tuple[list[str], list[Form]]:
    """The same-site links (paths with their query) and the forms of a page."""
    parser = _PageParser(url)
    parser.feed(page)
    links = []
    for link in parser.links:
        parts = urlsplit(link)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links, parser.forms


@dataclass
class Visit:
    """A page reached by the crawl."""

    url: str
    endpoint: str
    status: int
    forms: list[Form]


def crawl(
    app, client, start: tuple[str, ...] = ("/",), per_endpoint: int = 2, limit: int = 400
) -> list[Visit]:
    """Follow the site's links from the `start` addresses as `client`, visiting at most `per_endpoint`
    addresses of each endpoint and `limit` pages in all; every page reached, with its status and forms."""
    adapter = app.url_map.bind("localhost")
    seen: set[str] = set()
    per: dict[str, int] = {}
    visits: list[Visit] = []
    queue = deque(start)
    while queue and len(visits) < limit:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
            continue
        seen.add(url)
        try:
            endpoint, _ = adapter.match(path, method="GET")
        except Exception:  # noqa: S112 - a link to no route of the site: nothing to crawl there
            continue
        if per.get(endpoint, 0) >= per_endpoint:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        response = client.get(url)
        forms: list[Form] = []
        if response.status_code == 200 and response.mimetype == "text/html":
            links, forms = parse(url, response.get_data(as_text=True))
            queue.extend(link for link in links if link not in seen)
        visits.append(Visit(url, endpoint, response.status_code, forms))
    return visits
