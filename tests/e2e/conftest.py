"""Browser tests: Debian's Chromium driven by Playwright against the portal served on 127.0.0.1.

Each journey runs in zh_CN and en, on a phone and on a desktop; every page it visits is checked by
page_checks.Tour. Run them alone with `make e2e` (or `pytest -m e2e`).
"""
from __future__ import annotations

import os
import shutil
import time
from itertools import count
from pathlib import Path

import pytest

from tests.e2e.page_checks import AXE_SCRIPT, DEVICES, SCREENSHOTS, VNU_JAR, Findings, Tour
from tests.e2e.portal_server import PortalServer, fresh_database, serve_portal

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LANGS = ("zh_CN", "en")
FINDINGS = Findings()
# The variants (language-screen) to run, all four unless E2E_VARIANTS names some: CI keeps each of its two passes to
# one (.ci/run), so that every journey meets both databases and each language and each screen is judged once.
ALL_VARIANTS = [f"{lang}-{device}" for lang in LANGS for device in DEVICES]
VARIANTS = os.environ.get("E2E_VARIANTS", " ".join(ALL_VARIANTS)).split()


def _variant(item) -> str | None:
    params = getattr(item, "callspec", None) and item.callspec.params
    return f"{params['lang']}-{params['device']}" if params and {"lang", "device"} <= params.keys() else None


def pytest_collection_modifyitems(config, items):
    """Only the variants asked for; the HTML of all visited pages checked after the last journey, in one Java run."""
    unknown = set(VARIANTS) - set(ALL_VARIANTS)
    if unknown:
        raise pytest.UsageError(f"E2E_VARIANTS: no such language and screen: {', '.join(sorted(unknown))}")
    other = [item for item in items if _variant(item) not in (None, *VARIANTS)]
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = [item for item in items if _variant(item) in (None, *VARIANTS)]
    here = Path(__file__).parent
    last = [item for item in items if item.get_closest_marker("after_journeys")]
    for item in last:
        items.remove(item)
    ours = [index for index, item in enumerate(items) if Path(str(item.fspath)).parent == here]
    at = ours[-1] + 1 if ours else len(items)
    items[at:at] = last


def pytest_configure(config):
    config.addinivalue_line("markers", "after_journeys: runs after every journey (the batched HTML check)")


def _missing_tools() -> list[str]:
    return [str(p) for p in (Path(CHROMIUM), AXE_SCRIPT, VNU_JAR) if not p.exists()] + (
        [] if shutil.which("java") else ["java"])


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    missing = _missing_tools()
    if missing:
        pytest.fail(f"browser test tools missing: {', '.join(missing)} (run `make e2e-tools`)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def e2e_findings() -> Findings:
    return FINDINGS


def _screenshot_folder() -> Path:
    """A folder of this session's own (runs may overlap); those of runs over an hour old are removed."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.iterdir():
        if old.is_dir() and time.time() - old.stat().st_mtime > 3600:
            shutil.rmtree(old, ignore_errors=True)
    folder = SCREENSHOTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    folder.mkdir()
    return folder


@pytest.fixture(scope="package")
def browser(launch_browser):
    """Chromium for the browser tests only: closed when they are done, not at the end of the whole suite."""
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def portal(tmp_path_factory) -> PortalServer:
    """The demo district on a fresh database, served while the browser tests run."""
    tmp = tmp_path_factory.mktemp("e2e-portal")
    FINDINGS.folder = _screenshot_folder()
    started = time.monotonic()
    with fresh_database(tmp) as database_url, serve_portal(tmp, database_url) as server:
        FINDINGS.seconds["seeding the demo and serving it"] += time.monotonic() - started
        yield server


_runs = count(1)


@pytest.fixture(params=LANGS)
def lang(request) -> str:
    return request.param


@pytest.fixture(params=sorted(DEVICES))
def device(request):
    return DEVICES[request.param]


@pytest.fixture
def run_number() -> int:
    """A number unique to this test in the session, for data the journey creates."""
    return next(_runs)


@pytest.fixture
def tour_factory(browser, portal, lang, device, request):
    """tour(name) opens a fresh browser context (a new person on their own device) and its checker."""
    contexts, tours = [], []

    def open_tour(journey: str) -> Tour:
        context = browser.new_context(base_url=portal.base_url, **device.context_options(lang))
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        tour = Tour(page, name=f"{journey}/{lang}-{device.name}", lang=lang, device=device, findings=FINDINGS)
        tours.append(tour)
        return tour

    yield open_tour
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter):
    if not FINDINGS.pages_checked:
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser tests")
    spent = ", ".join(f"{what} {seconds:.0f} s" for what, seconds in FINDINGS.seconds.most_common())
    write(f"{FINDINGS.pages_checked} pages checked (axe, reflow at 360 px and 200% zoom, HTML; screenshots of key "
          f"pages); {FINDINGS.counts['key presses']} key presses; time spent: {spent}")
    for rule, pages in sorted(FINDINGS.minor_axe.items()):
        write(f"axe, not blocking: {rule} on {len(pages)} page(s), e.g. {sorted(pages)[0]}")
    for issue, pages in sorted(FINDINGS.known.items()):
        write(f"KNOWN ISSUE, waiting for a fix (page_checks.KNOWN_ISSUES): {issue} on {', '.join(sorted(pages))}")
    write(f"screenshots of the key pages, HTML of every checked page: {FINDINGS.folder}")
