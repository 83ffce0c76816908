"""A video's NoteSpecs → the HTML fields, tags and deck a learner gets."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from itertools import compress

from .notes import CLOZE, Deck, NoteSpec, Video
from .notetypes import CLOZE_TYPE, QA_TYPE, NoteType
from .package import card_ords
from .render import text_html, to_html
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
    joined = "\x1f".join(values)
    digest = content_hash(values, labels, kind, joined)
    ords = qa_card_ords(tuple(map(bool, values))) if kind is QA_TYPE else card_ords(kind, values)
    return joined, " ".join(labels), kind.model_id, digest, show_cloze(spec.text), ords


@lru_cache(maxsize=64)
def qa_card_ords(filled: tuple[bool, ...]) -> tuple[int, ...]:
    """``card_ords`` of a question/answer note whose fields are filled as ``filled`` says:
    the same for any such values, as genanki's front/back cards ask only whether a field
    is empty (``Note._front_back_cards``; tests/test_package_rows.py holds them equal)."""
    return card_ords(QA_TYPE, tuple("x" if f else "" for f in filled))


def prepared(deck: Deck, video: Video) -> tuple:
    """Each note's ``note_row``, made where the script is parsed (so across processes),
    with the deck it was made for."""
    return (deck.name, deck.slug, deck.tags), tuple(note_row(deck, video, spec) for spec in video.notes)


UNHASHED: tuple[str, ...] = ()  # every field counts: what learners see is what the package says


def content_hash(fields: tuple[str, ...], tags: tuple[str, ...], note_type: NoteType,
                 joined: str | None = None) -> str:
    """What decides whether learners need an update: every field and the tags.
    ``joined``: the fields joined with U+001F, if the caller has them."""
    if not UNHASHED:  # every field kept: no mask to look up
        return _joined_hash("\x1f".join(fields) if joined is None else joined, tags, note_type.model_id)
    kept = compress(fields, _hashed(note_type.fields))
    data = "\x1f".join([str(note_type.model_id), *kept, " ".join(sorted(tags))])
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _joined_hash(joined: str, tags: tuple[str, ...], model_id: int) -> str:
    """``content_hash`` of every field, given them joined with U+001F (the same bytes)."""
    data = f"{model_id}\x1f{joined}\x1f{' '.join(sorted(tags))}"
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@lru_cache(maxsize=8)
def _hashed(note_type_fields: tuple[tuple[str, int], ...]) -> tuple[bool, ...]:
    """Which fields count, by the note type's fields (a quicker key than the whole type)."""
    return tuple(name not in UNHASHED for name, _ in note_type_fields)
