"""What every page a journey visits must pass: axe-core (WCAG 2.1 A/AA), no horizontal scrolling at
360 px and at 200% zoom, the language asked for, no server error; plus a screenshot and the served
HTML, which the Nu HTML checker reads in one batch at the end of the session (tests/e2e/test_markup.py).
"""
from __future__ import annotations

import json
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Response

from tests.e2e.keyboard import KeyboardUser

E2E_DIR = Path(__file__).resolve().parent
AXE_SCRIPT = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = E2E_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = E2E_DIR / "screenshots"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
# Narrow phone, and a 1280 x 800 desktop window zoomed to 200% (its layout viewport is 640 x 400 CSS px).
REFLOW_VIEWPORTS = ({"width": 360, "height": 740}, {"width": 640, "height": 400})


# Problems found on pages whose owners are still at work on them: (axe rule, path prefix, element) -> why.
# They are listed at the end of the run instead of failing it; delete an entry once its page is fixed.
KNOWN_ISSUES: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class Device:
    name: str
    viewport: dict
    scale: float
    mobile: bool

    def context_options(self, lang: str) -> dict:
        return {
            "viewport": self.viewport, "device_scale_factor": self.scale, "is_mobile": self.mobile,
            "has_touch": self.mobile, "locale": "zh-CN" if lang == "zh_CN" else "en-US",
            "timezone_id": "Asia/Shanghai", "accept_downloads": True,
            # axe is injected as a script the portal's Content-Security-Policy would refuse; the portal
            # itself never serves it.
            "bypass_csp": True,
        }


DEVICES = {
    "phone": Device("phone", {"width": 390, "height": 844}, 1, True),
    "desktop": Device("desktop", {"width": 1280, "height": 800}, 1, False),
}


@dataclass
class Findings:
    """Everything the session's page checks collected, for the markup test and the summary."""

    folder: Path = SCREENSHOTS  # this session's screenshots and HTML
    html_files: list[Path] = field(default_factory=list)
    minor_axe: dict[str, set[str]] = field(default_factory=dict)  # rule id -> pages (moderate and minor)
    known: dict[str, set[str]] = field(default_factory=dict)  # KNOWN_ISSUES seen -> pages
    pages_checked: int = 0
    seconds: Counter = field(default_factory=Counter)  # what the time went on
    counts: Counter = field(default_factory=Counter)

    @contextmanager
    def timing(self, what: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[what] += time.monotonic() - started


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                          iframes: false, ancestry: false, xpath: false, performanceTimer: false});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.replace(/\\s+/g, ' '))}));
}"""

OVERFLOW = """() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"""
OVERFLOWING = """() => {
  const root = document.documentElement;
  const clipped = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const widest = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1 && !clipped(e)).slice(0, 3)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '')
              + ' ' + Math.round(e.getBoundingClientRect().right));
  return {scroll: root.scrollWidth, client: root.clientWidth, widest};
}"""


class Tour:
    """One journey in one language on one device: checks and records every page it visits."""

    def __init__(self, page: Page, *, name: str, lang: str, device: Device, findings: Findings):
        self.page, self.lang, self.device, self.findings = page, lang, device, findings
        self.folder = findings.folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = 0
        self.last_document: Response | None = None
        self.visited: dict[str, str] = {}  # path -> first URL seen
        self.checked: set[str] = set()
        self.server_errors: list[str] = []
        page.on("response", self._on_response)
        self.keys = KeyboardUser(page, timing=findings.timing, tally=findings.counts)

    def _on_response(self, response: Response) -> None:
        if response.frame != self.page.main_frame or response.request.resource_type != "document":
            return
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")
        if 300 <= response.status < 400 or "text/html" not in response.headers.get("content-type", ""):
            return
        self.last_document = response
        self.visited.setdefault(urlsplit(response.url).path, response.url)

    def check(self, key: str, *, status: int = 200, shot: bool = True) -> None:
        """Check the page now shown and save its HTML (and, for key pages, a screenshot) as step `key`."""
        page = self.page
        page.wait_for_load_state("load")
        document = self.last_document
        shown = page.url.split("#")[0]
        assert document is not None and document.url == shown, f"{key}: no HTML document for {page.url}"
        assert document.status == status, f"{key}: {page.url} answered {document.status}, expected {status}"
        path = urlsplit(page.url).path
        self.checked.add(path)
        self.step += 1
        stem = f"{self.step:02d}-{key}"
        html = document.text()
        html_file = self.folder / f"{stem}.html"
        html_file.write_text(html, encoding="utf-8")
        self.findings.html_files.append(html_file)
        assert page.get_attribute("html", "lang") == HTML_LANG[self.lang], f"{key}: page not in {self.lang}"
        assert page.title().strip(), f"{key}: the page has no title"
        # The checks resize the window and take whole-page pictures, which moves the page under the focus; a
        # keyboard user's page stays where their last key left it.
        scrolled = page.evaluate("() => [scrollX, scrollY]")
        if shot:
            with self.findings.timing("screenshots"):
                page.screenshot(path=str(self.folder / f"{stem}.png"), full_page=True)
        with self.findings.timing("axe"):
            self._axe(key)
        with self.findings.timing("reflow"):
            self._reflow(key)
        page.evaluate("([x, y]) => scrollTo(x, y)", scrolled)
        self.findings.pages_checked += 1

    def _axe(self, key: str) -> None:
        page = self.page
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(path=str(AXE_SCRIPT))
        violations = page.evaluate(AXE_RUN, WCAG_TAGS)
        path = urlsplit(page.url).path
        blocking = []
        for v in violations:
            known = next((f"{element}: {why}" for (rule, prefix, element), why in KNOWN_ISSUES.items()
                          if v["id"] == rule and path.startswith(prefix)
                          and all(node.startswith(element + " ::") for node in v["nodes"])), None)
            if known:
                self.findings.known.setdefault(f"{v['id']}: {known}", set()).add(path)
            elif v["impact"] in BLOCKING_IMPACTS:
                blocking.append(v)
            else:
                self.findings.minor_axe.setdefault(f"{v['id']} ({v['impact']})", set()).add(path)
        assert not blocking, f"{key}: axe found serious or critical violations on {page.url}:\n" + json.dumps(
            blocking, ensure_ascii=False, indent=1)

    def _reflow(self, key: str) -> None:
        page = self.page
        try:
            for viewport in REFLOW_VIEWPORTS:
                page.set_viewport_size(viewport)
                sizes = page.evaluate(OVERFLOW)
                if not sizes["scroll"] <= sizes["client"] <= viewport["width"]:
                    sizes = page.evaluate(OVERFLOWING)
                assert sizes["scroll"] <= sizes["client"] <= viewport["width"], (
                    f"{key}: {page.url} scrolls sideways at {viewport['width']} px wide "
                    f"(content {sizes['scroll']} px, window {sizes['client']} px; wide: {sizes['widest']})")
        finally:
            page.set_viewport_size(self.device.viewport)

    @property
    def path(self) -> str:
        """The path of the page shown (no query, no #fragment)."""
        return urlsplit(self.page.url).path

    def reopen(self) -> Page:
        """Close the tab and open the portal again in a new one (same browser, same cookies)."""
        context = self.page.context
        self.page.close()
        self.page = context.new_page()
        self.last_document = None
        self.page.on("response", self._on_response)
        self.keys = KeyboardUser(self.page, timing=self.findings.timing, tally=self.findings.counts)
        return self.page

    def finish(self) -> None:
        """Every HTML page the journey reached was checked, and none answered with a server error."""
        assert not self.server_errors, f"server errors: {self.server_errors}"
        unchecked = {path: url for path, url in self.visited.items() if path not in self.checked}
        assert not unchecked, f"pages visited but never checked: {sorted(unchecked.values())}"
