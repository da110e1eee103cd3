"""Lesson Markdown to safe HTML: no raw HTML, no scripts or handlers, safe links, the course's own media.

A picture alone in its paragraph becomes a <figure> (its title the <figcaption>); a `video` or `audio` block
becomes a player with its captions track, and its transcript in a <details> below it. Every picture and player
names its width and height, so the page does not jump while they load.
"""
from __future__ import annotations

import html as html_escape

import nh3
from babel import Locale
from flask_babel import force_locale, gettext

from portal.domain.content.media import PLAYERS, MediaRef, MediaSet, alt_text, lesson_markdown, player_ref
from portal.domain.content.questions import LANGS

# Changed whenever the same lesson text would render to other HTML, so that the next sync renders every lesson again.
RENDER_VERSION = "2"

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote", "ul", "ol",
    "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "figure", "figcaption", "video", "audio", "source", "track", "details", "summary",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "video": {"controls", "preload", "poster", "playsinline", "width", "height"}, "audio": {"controls", "preload"},
    "source": {"src", "type"}, "track": {"kind", "src", "srclang", "label", "default"},
}
MEDIA_ATTRIBUTES = {("img", "src"), ("video", "poster"), ("source", "src"), ("track", "src")}


def escape(text: str) -> str:
    return html_escape.escape(text, quote=True)


def render_labels() -> dict[str, dict[str, str]]:
    """The words the media markup shows, per lesson language (a sync renders again when a translation changes)."""
    labels = {}
    for lang in LANGS:
        with force_locale(lang):
            labels[lang] = {"transcript": gettext("Transcript")}
    return labels


def render_lesson(markdown: str, *, media: MediaSet | None = None, lang: str = "zh_CN",
                  labels: dict[str, dict[str, str]] | None = None) -> str:
    """Sanitized HTML of a lesson in `lang`; its media are the files in `media`, served under media.base_url."""
    media = media or MediaSet("/media")
    env = {"media": media, "lang": lang, "labels": (labels or render_labels())[lang]}
    html = _markdown.render(markdown, env)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")  # the page title is the only h1
    prefix = media.base_url.rstrip("/") + "/"

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) in MEDIA_ATTRIBUTES:  # only this course's own files: nothing from elsewhere
            return value if value.startswith(prefix) else None
        return value

    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
        attribute_filter=attribute_filter, link_rel="noopener noreferrer nofollow",
    )


def _size(media: MediaSet, name: str) -> str:
    file = media.files.get(name)
    return f' width="{file.size[0]}" height="{file.size[1]}"' if file and file.size else ""


def _image(self, tokens, idx, options, env) -> str:
    token, media = tokens[idx], env["media"]
    name, alt = str(token.attrGet("src") or ""), escape(alt_text(token))
    url = media.url(name)
    if url is None:  # not a file of this course (the check refuses it): its words only
        return alt
    return f'<img src="{escape(url)}" alt="{alt}"{_size(media, name)} loading="lazy" decoding="async">'


def _lone_image(tokens, paragraph_open: int):
    """The image token when the paragraph opening at that index holds one picture and nothing else."""
    if paragraph_open < 0 or tokens[paragraph_open].hidden:
        return None
    children = tokens[paragraph_open + 1].children or []
    return children[0] if len(children) == 1 and children[0].type == "image" else None


def _paragraph_open(self, tokens, idx, options, env) -> str:
    return "<figure>\n" if _lone_image(tokens, idx) else self.renderToken(tokens, idx, options, env)


def _paragraph_close(self, tokens, idx, options, env) -> str:
    image = _lone_image(tokens, idx - 2)
    if image is None:
        return self.renderToken(tokens, idx, options, env)
    title = str(image.attrGet("title") or "").strip()
    return (f"\n<figcaption>{escape(title)}</figcaption>" if title else "") + "\n</figure>\n"


def _fence(self, tokens, idx, options, env) -> str:
    if tokens[idx].info.strip() not in PLAYERS:
        return _default_fence(tokens, idx, options, env)
    ref, _problems = player_ref(tokens[idx])
    return _player(ref, env) if ref is not None else ""


def _player(ref: MediaRef, env) -> str:
    media, lang = env["media"], env["lang"]
    url = media.url(ref.file)
    if url is None:
        return ""
    attributes = ' controls preload="metadata"'
    if ref.kind == "video" and media.url(ref.poster):
        attributes += f' poster="{escape(media.url(ref.poster))}" playsinline{_size(media, ref.poster)}'
    parts = [f'<{ref.kind}{attributes}>', f'<source src="{escape(url)}" type="{media.files[ref.file].content_type}">']
    if media.url(ref.captions):
        language = Locale.parse(lang)
        parts.append(f'<track kind="captions" src="{escape(media.url(ref.captions))}" '
                     f'srclang="{language.language}" label="{escape(language.language_name)}" default>')
    parts.append(f"</{ref.kind}>")
    if ref.title:
        parts.append(f"<figcaption>{escape(ref.title)}</figcaption>")
    html = "<figure>" + "\n".join(parts) + "</figure>\n"
    text = media.transcripts.get(ref.transcript)
    return html + (_transcript(text, env["labels"]["transcript"]) if text else "")


def _transcript(text: str, label: str) -> str:
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
    body = "".join(f"<p>{escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    return f"<details><summary>{escape(label)}</summary>\n{body}</details>\n"


_markdown = lesson_markdown()
_default_fence = _markdown.renderer.rules["fence"]
for _name, _rule in (("image", _image), ("paragraph_open", _paragraph_open), ("paragraph_close", _paragraph_close),
                     ("fence", _fence)):
    _markdown.add_render_rule(_name, _rule)
