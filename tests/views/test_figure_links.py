"""Each figure on the coverage pages links to its one definition on /figures (issue #20): every column header,
term and headline that names a figure carries a[data-figure] pointing at an anchor /figures has, once."""
from __future__ import annotations

from html.parser import HTMLParser

from tests.views.test_coverage_pages import office  # noqa: F401  (fixture)

# Column headers and terms that name what a row is, not a figure: they need no definition.
DIMENSIONS = {"Sector", "Key group", "Locality", "Organization", "Date", "Name", "Mobile", "Contact", "Contact phone",
              "Most behind in", "Kind of organization", "Street / township", "Role"}


class Page(HTMLParser):
    """The page's figure-bearing elements: each (kind, text, definition keys inside, caption keys of its table)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, set[str], set[str]]] = []
        self.ids: list[str] = []
        self.hrefs: dict[str, str] = {}
        self._open: list[list] = []  # [kind, text parts, keys]
        self._caption: set[str] = set()
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "table":
            self._caption = set()
        if tag == "thead":
            self._in_thead = True
        kind = ("th" if tag == "th" and self._in_thead else "dt" if tag == "dt" else "caption" if tag == "caption"
                else "stat" if tag == "p" and "stat" in (attrs.get("class") or "").split() else None)
        if kind:
            self._open.append([kind, [], set()])
        if tag == "a" and attrs.get("data-figure") and self._open:
            self._open[-1][2].add(attrs["data-figure"])
            self.hrefs[attrs["data-figure"]] = attrs.get("href", "")

    def handle_data(self, data):
        if self._open:
            self._open[-1][1].append(data)

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_thead = False
        kinds = {"th": "th", "dt": "dt", "caption": "caption", "p": "stat"}
        if self._open and kinds.get(tag) == self._open[-1][0]:
            kind, text, keys = self._open.pop()
            if kind == "caption":
                self._caption = keys
            else:
                self.found.append((kind, " ".join("".join(text).split()), keys, set(self._caption)))


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


PAGES = ["/office/coverage/", "/office/coverage/localities", "/office/coverage/localities?group=all_staff",
         "/office/coverage/localities?locality={street}", "/office/coverage/sectors",
         "/office/coverage/sectors?group=all_staff", "/office/coverage/organizations",
         "/office/coverage/organizations?group=all_staff", "/office/coverage/organizations/{org}",
         "/office/coverage/gaps", "/office/coverage/missing?group=all_staff", "/office/coverage/trend",
         "/office/coverage/trend?group=all_staff", "/office/coverage/duties"]


def figures_on_pages(client, office) -> tuple[dict[str, set[str]], list]:  # noqa: F811
    """Per page the definitions it links to, and the figure names without one (English names of dimensions and of
    a table's key-group columns, under a caption that links the definition, need none)."""
    names = {g.name("en") for g in office_groups()}
    keys_by_page, unlinked = {}, []
    for url in PAGES:
        response = client.get(url.format(street=office["street"].id, org=office["org"].id))
        assert response.status_code == 200, url
        page = parse(response.get_data(as_text=True))
        keys_by_page[url] = set(page.hrefs)
        for kind, text, keys, caption in page.found:
            if kind == "caption" or keys or (kind != "stat" and text in DIMENSIONS) or (caption and text in names):
                continue
            unlinked.append((url, kind, text))
        for key, href in page.hrefs.items():
            assert href == f"/figures#{key}", (url, key, href)
    return keys_by_page, unlinked


def test_every_figure_on_the_coverage_pages_links_to_its_definition(client, office):  # noqa: F811
    definitions = parse(client.get("/figures").get_data(as_text=True))
    assert len(definitions.ids) == len(set(definitions.ids)), "one definition per figure"
    keys_by_page, unlinked = figures_on_pages(client, office)
    assert unlinked == []
    used = set().union(*keys_by_page.values())
    assert used <= set(definitions.ids), used - set(definitions.ids)
    assert {"population", "covered", "coverage", "still-to-train", "target", "projection", "onboarding-compliance",
            "periodic-compliance", "overdue", "certificates-issued", "on-rosters", "declared", "drill-compliance",
            "commitment-coverage"} <= used
    client.set_cookie("lang", "zh_CN")  # the same links in Chinese
    assert figures_on_pages(client, office)[0] == keys_by_page


def test_a_header_without_a_definition_is_caught():
    page = parse('<table><caption>Rates</caption><thead><tr><th scope="col">Sector</th><th scope="col">Population'
                 '</th></tr></thead></table><dl><dt><a data-figure="overdue" href="/figures#overdue">Overdue</a></dt>'
                 '</dl>')
    assert [(kind, text, keys) for kind, text, keys, _c in page.found] == [
        ("th", "Sector", set()), ("th", "Population", set()), ("dt", "Overdue", {"overdue"})]


def office_groups():
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import KeyGroup

    return list(db.session.scalars(select(KeyGroup)))
