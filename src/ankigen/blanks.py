"""A card that would show nothing once its Markdown is rendered: extraction drops it
(``2. ---`` is a list holding a rule; a deletion of only markup shows no words)."""

from __future__ import annotations

import html
import re

from .notes import CLOZE, NoteSpec
from .render import to_html
from .template import reveal_cloze


def blank_side(spec: NoteSpec) -> str | None:
    """The side of one of the note's cards that would show nothing once rendered
    (``front``, ``back`` or a cloze number like ``c2``), or None. Markdown can swallow
    what counted as words in the source: ``2. ---`` is a list holding a rule."""
    if spec.note_type == CLOZE:
        html = to_html(spec.text)
        shown = {m.group(1) for m in _DELETION.finditer(html) if _shows_text(m.group(2))}
        for n in sorted(set(_NUMBER.findall(html)) - shown, key=int):
            # a deletion that looked empty, or holds another: render its card to be sure
            hidden = _visible(reveal_cloze(html, int(n), question=True)).replace("[...]", "")
            if _visible(reveal_cloze(html, int(n), question=False)).split() == hidden.split():
                return f"c{n}"
        return None
    if not _shows_text(to_html(spec.text)):
        return "front"
    return None if _shows_text(to_html(spec.back)) else "back"


_NUMBER = re.compile(r"\{\{c(\d+)::")
# A deletion holding no other: its text runs to the first ``}}`` and holds no ``{{c``.
# Each character is read once (possessive runs), not tried against ``{{c`` one by one.
_DELETION = re.compile(r"\{\{c(\d+)::((?:[^{}]++|\{(?!\{c)|\}(?!\}))*+)\}\}")


_TAG = re.compile(r"<[^>]*>")
_LEADING_TAGS = re.compile(r"(?:<[^>]*>)*")


def _shows_text(fragment: str) -> bool:
    """Whether ``_visible(fragment)`` holds anything. Mostly told by the first character
    after any leading tags: one that is no space, ``<`` or ``&`` is shown as it is."""
    at = _LEADING_TAGS.match(fragment).end() if fragment.startswith("<") else 0
    first = fragment[at:at + 1]
    if first and first not in "<&" and not first.isspace():
        return True
    return bool(_visible(fragment))


def _visible(fragment: str) -> str:
    if "<" in fragment:  # most deletions hold words only: no tag to drop
        fragment = _TAG.sub(" ", fragment)
    return html.unescape(fragment).strip()
