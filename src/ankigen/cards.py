"""A video's NoteSpecs → the HTML fields, tags and deck a learner gets."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from .changes import content_hash
from .notes import CLOZE, Deck, NoteSpec, Video
from .notetypes import CLOZE_TYPE, QA_TYPE, NoteType
from .package import card_ords
from .render import text_html, to_html
from .template import reveal_cloze
from .text import clean, holds_control_bytes, show_cloze


def note_type(spec: NoteSpec) -> NoteType:
    return CLOZE_TYPE if spec.note_type == CLOZE else QA_TYPE


def section_label(heading: str) -> str:
    """``Quick Recap (5 bullets)`` → ``Quick Recap``."""
    label = _PARENTHESES.sub(" ", heading) if "(" in heading else heading
    label = label.strip().rstrip(":").strip()
    return label or heading


_PARENTHESES = re.compile(r"\s*\([^)]*\)\s*")


def context(deck: Deck, video: Video, spec: NoteSpec) -> str:
    return _context(deck.name, video.title, spec.section)


@lru_cache(maxsize=4096)
def _context(deck: str, title: str, section: str) -> str:
    return f"{text_html(deck)} · {text_html(title)} · {text_html(section_label(section))}"


def fields(deck: Deck, video: Video, spec: NoteSpec) -> tuple[str, ...]:
    """Field values in the note type's order."""
    ctx = context(deck, video, spec)
    source = _source_html(video.source or video.path)
    if spec.note_type == CLOZE:
        values = (to_html(spec.text), ctx, to_html(spec.extra), source, "")
    else:
        values = (to_html(spec.text), to_html(spec.back), ctx, to_html(spec.extra), source, "")
    # No NUL, no U+001F (Anki's field separator) in any field, whatever a file name holds.
    if not holds_control_bytes("\x20".join(values)):
        return values
    return tuple(clean(v) for v in values)


def _source_html(path: str) -> str:
    """The script a note comes from, as its card shows it: the file, no line number. A line
    moves whenever text above it moves; a learner's card would keep a stale one (Anki
    updates a note only when its ``mod`` moves), so cards carry what stays true. The line
    is for the author: ``check``, ``diff`` and the build's messages give it."""
    return text_html(path)


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


def card_count(spec: NoteSpec) -> int:
    if spec.note_type == CLOZE:
        return len(set(re.findall("\ue000(\\d+)\ue001", spec.text)))
    return 1


@lru_cache(maxsize=65536)
def tag(text: str) -> str:
    """A tag Anki accepts: no spaces, no control characters, no quotes, no empty ``::`` level."""
    text = _SPACES.sub("-", _UNTAGGABLE.sub("", text).strip())
    return "::".join(part for part in text.split("::") if part)


_UNTAGGABLE = re.compile(r"[\x00-\x1f\x7f\"]")
_SPACES = re.compile(r"\s+")


def tags(deck: Deck, video: Video, spec: NoteSpec) -> tuple[str, ...]:
    return _tags(deck.slug, deck.tags, video.slug, video.tags, spec.kind)


@lru_cache(maxsize=4096)
def _tags(deck: str, deck_tags: tuple[str, ...], video: str, video_tags: tuple[str, ...],
          kind: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for t in (f"{deck}::{video}", kind, *deck_tags, *video_tags):
        t = tag(t)
        if t:
            seen.setdefault(t, None)
    return tuple(seen)


def note_row(deck: Deck, video: Video, spec: NoteSpec) -> tuple:
    """What assembling a note needs that the lock does not change: its fields and tags
    joined as a package row holds them, note type id, content hash, shown text and cards."""
    values, labels, kind = fields(deck, video, spec), tags(deck, video, spec), note_type(spec)
    return ("\x1f".join(values), " ".join(labels), kind.model_id, content_hash(values, labels, kind),
            show_cloze(spec.text), card_ords(kind, values))


def prepared(deck: Deck, video: Video) -> tuple:
    """Each note's ``note_row``, made where the script is parsed (so across processes),
    with the deck it was made for."""
    return (deck.name, deck.slug, deck.tags), tuple(note_row(deck, video, spec) for spec in video.notes)
