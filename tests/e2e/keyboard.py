"""Driving pages with the keyboard only: Tab / Shift+Tab to an element, then Enter, Space or typing.

Every element the focus lands on while tabbing must show a visible focus indicator (an outline or a
box shadow in its computed style) and be on screen, not hidden under something else.
"""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager, nullcontext
from typing import Callable, Iterator

from playwright.sync_api import Locator, Page

FOCUS_STATE = """([target]) => {
  const el = document.activeElement;
  const state = {same: el === target, onBody: !el || el === document.body || el === document.documentElement,
                 inMain: !!target.closest('main#main'), skipLink: !!document.querySelector('a.skip-link[href="#main"]')};
  if (state.onBody) return state;
  // (a date field's calendar button holds the focus inside the field: the field is :focus-within only)
  if (!el.matches(':focus-within')) return {settling: true};
  state.after = !!(target.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  state.sameGroup = el.type === 'radio' && target.type === 'radio' && el.name === target.name && el.form === target.form;
  state.skipTarget = el.id === 'main';  // where the skip link puts the focus: a starting point, not a control
  state.onSkipLink = el.matches('a.skip-link');
  const s = getComputedStyle(el);
  const transparent = c => c === 'transparent' || /rgba\\([^)]*,\\s*0\\)$/.test(c);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && !transparent(s.outlineColor);
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const r = el.getBoundingClientRect();
  const cx = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1), cy = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(cx, cy);
  const label = el.closest('label');
  state.visible = outline || shadow;
  state.style = s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor + ', ' + s.boxShadow;
  state.onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  state.covered = !!top && !(el.contains(top) || top.contains(el) || (label && label.contains(top)));
  state.what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"';
  return state;
}"""


class KeyboardUser:
    """A person who uses only the keyboard; counts the key presses."""

    def __init__(self, page: Page, *, limit: int = 300, timing: Callable | None = None, tally: Counter | None = None):
        self.page, self.limit = page, limit
        self.timing = timing or (lambda what: nullcontext())
        self.tally = Counter() if tally is None else tally

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.tally["key presses"] += 1

    def focus(self, target: Locator) -> None:
        """Tab (or Shift+Tab) until `target` has the focus; every stop on the way shows its focus."""
        with self.timing("tabbing"):
            self._focus(target)

    def _focus(self, target: Locator) -> None:
        handle = target.element_handle()
        assert handle is not None, f"no element {target}"
        skipping = False
        for _ in range(self.limit):
            state = self.page.evaluate(FOCUS_STATE, [handle])
            if state.get("settling"):
                self.page.wait_for_timeout(20)
                continue
            if state["onBody"] and state["inMain"] and state["skipLink"] and not skipping:
                # What keyboard users do on a new page: the first Tab reaches "Skip to content".
                skipping = True
                self.press("Tab")
                continue
            if not state["onBody"] and not state["skipTarget"]:
                where = f"{state['what']} on {self.page.url}"
                assert state["visible"], f"focus is not visible on {where} ({state['style']})"
                assert state["onScreen"] and not state["covered"], f"the focused {where} is off screen or covered"
            if state["same"]:
                return
            if skipping and state.get("onSkipLink"):
                self.press("Enter")
                assert self.page.evaluate("() => document.activeElement.id") == "main", "the skip link does not work"
                continue
            if state.get("sameGroup"):  # a radio group is one Tab stop: arrows move within it
                self.press("ArrowDown")
                continue
            self.press("Shift+Tab" if state.get("after") else "Tab")
        raise AssertionError(f"could not reach {target} with Tab in {self.limit} presses ({self.page.url})")

    def activate(self, target: Locator, key: str = "Enter") -> None:
        """Focus `target` and press Enter (links, buttons) or Space (buttons, check boxes)."""
        self.focus(target)
        self.press(key)

    @contextmanager
    def navigating(self) -> Iterator[None]:
        """Wait for the page the keys inside the block lead to."""
        with self.page.expect_navigation():
            yield

    def follow(self, target: Locator, key: str = "Enter") -> None:
        """Activate a link or a submit button and wait for the next page."""
        self.focus(target)
        with self.navigating():
            self.press(key)

    def type_into(self, target: Locator, text: str) -> None:
        """Focus a text field, clear it and type."""
        self.focus(target)
        self.press("Control+a")
        self.press("Delete")
        self.page.keyboard.type(text)

    def choose(self, select: Locator, label: str) -> None:
        """Pick the option that says `label` in a drop-down with the arrow keys (closed, as Chromium allows)."""
        self.focus(select)
        labels = [text.strip() for text in select.locator("option").all_inner_texts()]
        assert label in labels, f"no option {label!r} in {labels}"
        self.press("Home")
        for _ in range(labels.index(label)):
            self.press("ArrowDown")
        assert select.evaluate("e => e.options[e.selectedIndex].text.trim()") == label

    def check(self, target: Locator) -> bool:
        """Tick a check box (or choose a radio button) with Space; True when that changed it."""
        was_checked = target.is_checked()
        self.focus(target)
        if not target.is_checked():
            self.press("Space")
        assert target.is_checked(), f"{target} did not get checked"
        return not was_checked
