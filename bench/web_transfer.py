"""Bytes on the wire for a lesson: a first visit (page and everything it loads) and the next lesson
(a browser keeps what is fresh in its cache and revalidates the rest)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import requests

from bench.dataset import QUIZ_COURSE
from bench.web_servers import BROWSER_ENCODINGS, USER_AGENT

FIRST_VISIT_BUDGET, NEXT_LESSON_BUDGET = 100 * 1024, 20 * 1024
SUBRESOURCE = re.compile(r'<(?:link[^>]+rel="(?:stylesheet|icon)"[^>]*href|script[^>]+src|img[^>]+src)="([^"]+)"')


@dataclass
class Fetched:
    url: str
    status: int
    wire: int  # status line + headers + body as sent (compressed)
    encoding: str
    cache_control: str


@dataclass
class Visit:
    fetched: list[Fetched] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(f.wire for f in self.fetched)


class CachingBrowser:
    """Fetches like a browser with a warm HTTP cache: fresh responses are reused, stale ones revalidated."""

    def __init__(self, base: str, cookie: str):
        self.base, self.cookie = base, cookie
        self.cache: dict[str, requests.Response] = {}
        self.http = requests.Session()

    def get(self, url: str, visit: Visit) -> bytes:
        cached = self.cache.get(url)
        headers = {"Cookie": self.cookie, "User-Agent": USER_AGENT, "Accept-Encoding": BROWSER_ENCODINGS}
        if cached is not None:
            control = cached.headers.get("Cache-Control", "")
            if re.search(r"max-age=[1-9]", control) and "no-cache" not in control:
                return cached.content  # fresh: no request at all
            if cached.headers.get("ETag"):
                headers["If-None-Match"] = cached.headers["ETag"]
            if cached.headers.get("Last-Modified"):
                headers["If-Modified-Since"] = cached.headers["Last-Modified"]
        response = self.http.get(self.base + url, headers=headers, stream=True, allow_redirects=False)
        body = response.raw.read(decode_content=False)
        head = len(f"HTTP/1.1 {response.status_code} {response.reason}\r\n") + sum(
            len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + 2
        visit.fetched.append(Fetched(url, response.status_code, head + len(body),
                                     response.headers.get("Content-Encoding", "identity"),
                                     response.headers.get("Cache-Control", "")))
        if response.status_code == 304 and cached is not None:
            return cached.content
        response._content = _decode(body, response.headers.get("Content-Encoding", ""))
        self.cache[url] = response
        return response._content

    def visit(self, path: str) -> Visit:
        visit = Visit()
        page = self.get(path, visit).decode("utf-8", "replace")
        for url in dict.fromkeys(SUBRESOURCE.findall(page)):
            if url.startswith("/"):
                self.get(url.replace("&amp;", "&"), visit)
        return visit


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "zstd":
        from backports import zstd

        return zstd.decompress(body)
    if encoding == "deflate":
        import zlib

        return zlib.decompress(body)
    return body


@dataclass
class LessonTransfer:
    first: Visit
    following: Visit

    def markdown(self) -> str:
        def detail(visit: Visit) -> str:
            return ", ".join(f"`{f.url.split('?')[0]}` {f.wire / 1024:.1f} KB ({f.status}, {f.encoding})"
                             for f in visit.fetched)

        ok_first = self.first.total < FIRST_VISIT_BUDGET
        ok_next = self.following.total < NEXT_LESSON_BUDGET
        return (f"A lesson on the wire (headers and compressed bodies, as a browser with `Accept-Encoding: "
                f"{BROWSER_ENCODINGS}` fetches it): first visit **{self.first.total / 1024:.1f} KB** "
                f"({'✅' if ok_first else '❌'} < 100 KB: {detail(self.first)}); the next lesson "
                f"**{self.following.total / 1024:.1f} KB** ({'✅' if ok_next else '❌'} < 20 KB: "
                f"{detail(self.following)}).")


def lesson_transfer(base: str, cookie: str, state) -> LessonTransfer:
    """The bench trainee's next lesson on a first visit, then the lesson after it."""
    browser = CachingBrowser(base, cookie)
    index = len(state.lessons) // 2
    first = browser.visit(f"/me/courses/{QUIZ_COURSE}/lessons/{state.lessons[index]}")
    following = browser.visit(f"/me/courses/{QUIZ_COURSE}/lessons/{state.lessons[index + 1]}")
    return LessonTransfer(first, following)
