"""Words for people (issue #20): no page or export a user sees shows an internal code.

The demo district is seeded, then the office, a company administrator and a trainee each follow every link of
the portal from their home page (in Chinese and in English), and every export linked from those pages is
downloaded. The text a person reads (not markup, scripts or attribute values other than the ones read aloud)
may not contain snake_case keys, Python tuples, lists or None, model names with ids, raw audit event codes,
or times in UTC.
"""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from portal.domain.workforce.audit_labels import ACTIONS as AUDIT_LABELS
from portal.domain.content.sync import sync_content
from portal.domain.demo import DEMO_PASSWORD, seed_demo
from portal.domain.platform.localtime import local_today
from tests.conftest import FIXTURE_CONTENT

READ_ALOUD = {"alt", "title", "aria-label", "placeholder"}
NOT_TEXT = {"script", "style", "template", "code", "pre", "textarea"}  # code shown as code (the rules file)
PAGES_PER_ROLE = 160
MINIMUM_PAGES = {"office": 100, "company": 40, "trainee": 10}
# a page that only differs from one already read by its query string is read at most this often
VARIANTS_PER_PATH = 3
SKIP = re.compile(r"^/(static|auth/logout|lang/|media/|me/courses/[^/]+/lessons/[^/]+/time)|/sessions/end$")

INTERNAL = {
    "snake_case key": re.compile(r"(?<![\w./@-])[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9](?![\w@]|\.\w)"),
    "Python tuple, list or dict": re.compile(r"\(\s*'[^']*',|\[\s*'[^']*'\s*[,\]]|\{\s*'[^']*'\s*:"),
    "Python None/True/False": re.compile(r"(?<![\w-])(None|True|False)(?![\w-]| [a-z])"),  # not "None yet."
    "model name with an id": re.compile(r"\b(Trainee|Assignment|Organization|Person|User|Employment|Course|"
                                        r"Locality|Completion|Certificate)[ \t]*(#|id[ \t]*=?[ \t]*)?\d+\b|<[A-Z]\w+ [^>]*>"),
    "time in UTC": re.compile(r"\bUTC\b|\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]00:00\b"),
}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in NOT_TEXT:
            self._hidden += 1
        values = dict(attrs)
        self.parts.extend(value for name, value in attrs if name in READ_ALOUD and value)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag):
        if tag in NOT_TEXT and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def internal_codes(text: str) -> list[str]:
    """Each internal code found in this text, with its kind and a little context."""
    text = re.sub(r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+", " ", text)  # addresses may have underscores
    found = []
    for kind, pattern in INTERNAL.items():
        found += [f"{kind}: …{text[max(0, m.start() - 30):m.end() + 30]!r}…" for m in pattern.finditer(text)]
    found += [f"audit event code: {code}" for code in AUDIT_LABELS if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)]
    return found


def crawl(client, start: str) -> tuple[set[str], dict[str, list[str]]]:
    """Follow every link on this site from `start`; the URLs read and the internal codes found per URL."""
    seen, variants, problems = set(), {}, {}
    queue = deque([start])
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        path = urlsplit(url).path
        variant = (path, "format=" in url)  # an export is not one more variant of its page
        if url in seen or SKIP.search(path) or variants.get(variant, 0) >= VARIANTS_PER_PATH:
            continue
        seen.add(url)
        variants[variant] = variants.get(variant, 0) + 1
        response = client.get(url)
        kind = response.mimetype
        if response.status_code in (301, 302, 303) and response.location.startswith("/"):
            queue.appendleft(response.location)
        if response.status_code != 200:
            response.close()
            continue
        if kind == "text/html":
            parser = _Text()
            parser.feed(response.get_data(as_text=True))
            text = "\n".join(parser.parts)
            for href in parser.links:
                target = urlsplit(urljoin(url, href))
                if not target.netloc and target.path.startswith("/"):
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
        elif kind == "text/csv":
            text = response.get_data(as_text=True)
        else:
            response.close()
            continue
        if found := internal_codes(text):
            problems[url] = found
    return seen, problems


@pytest.fixture
def demo(app, session):
    sync_content(session, FIXTURE_CONTENT)
    seed_demo(session, today=local_today(), people=60)
    session.commit()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("login_name, home", [("office", "/office/"), ("company", "/company/"), ("trainee", "/me/")])
def test_no_page_or_export_shows_an_internal_code(app, demo, language, login_name, home):
    client = app.test_client()
    client.set_cookie("lang", language)
    response = client.post("/auth/login", data={"login": login_name, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    read, problems = crawl(client, home)
    assert len(read) >= MINIMUM_PAGES[login_name]  # the crawl reaches the pages, exports included
    assert any("format=csv" in url for url in read) or login_name == "trainee"
    assert problems == {}, "\n".join(f"{url}\n  " + "\n  ".join(found) for url, found in problems.items())


def test_the_check_finds_what_it_looks_for():
    assert internal_codes("group_codes: ('all_staff', 'key_unit_staff')")
    assert internal_codes("roster.leave / trainee 305 at 2026-03-01T10:00 UTC")
    assert internal_codes("Trainee 305")
    assert internal_codes("下次到期：None")
    assert internal_codes("张三，zhang_san@example.com，https://x.example/a_b，2026-12-07 14:00，上海") == []
