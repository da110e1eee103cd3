"""Lesson Markdown to safe HTML: no raw HTML, no scripts or handlers, safe links, local images."""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote", "ul", "ol",
    "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(png|jpe?g|gif|svg|webp)$")


def render_lesson(markdown: str, *, media_url: str) -> str:
    """Sanitized HTML of a lesson; relative image names are served from `media_url`/<name>."""
    html = _markdown.render(markdown)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")  # the page title is the only h1

    def rewrite(value: str) -> str | None:
        return f"{media_url.rstrip('/')}/{value}" if IMAGE_NAME.match(value) else None

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return rewrite(value)
        return value

    cleaned = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
        attribute_filter=attribute_filter, link_rel="noopener noreferrer nofollow",
    )
    return cleaned.replace("<img ", '<img loading="lazy" ')
