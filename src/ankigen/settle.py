"""Settling one video as its script is read: what the build would assemble for it, made
in a worker process beside parsing (``load.read_job``), when its build changes nothing
about it. The build uses what this makes as it would a ``Settled`` from the cache, with
the same checks (its lock lines and entry as read, the deck and the script).

Most videos of a cold build are, note for note, what their part of the lock says:
``_as_locked`` recognises them without identifying them; any other goes the whole way,
through ``assemble``."""

from __future__ import annotations

from .assemble import Settled, assemble, rows_for
from .clozes import number_clozes
from .config import stable_id
from .errors import AnkigenError, Problems
from .lock import Lock, LockedNote, LockedVideo
from .notes import CLOZE, Deck, Video
from .placeholders import was_template
from .retype import locked_type
from .subdecks import number_width, subdeck_for


def settle_alone(deck: Deck, video: Video, k: str, made: tuple, part: tuple, now: int,
                 rename_decks: bool) -> Settled | None:
    """The ``Settled`` of one video, assembled on its own against its part of the lock
    (``Lock.parts``), None unless its build changes nothing about it. A worker process does
    this beside parsing; the build then uses it as it would one from the cache (the same
    checks: its lock lines and entry as read, the deck and the script)."""
    alone = Deck(deck.name, deck.slug, deck.deck_id, tags=deck.tags, videos=[video])
    shelf = _Kept(video.path, k, made)
    try:
        lock = Lock.of_part(deck.name, part)
        rows = rows_for(deck, made[1])
        as_locked = _as_locked(alone, video, rows, lock) if rows is not None else None
        if as_locked is not None:
            return as_locked
        assemble(alone, lock, now, rename_decks, True, Problems(), "", shelf)
    except AnkigenError:  # a damaged note in its part: the build says so, with its line
        return None
    return shelf.value


def _as_locked(alone: Deck, video: Video, rows: tuple, lock: Lock) -> Settled | None:
    """``settle_alone``'s answer for a video that is, note for note, what its part of the
    lock says (the usual video of a cold build), found without identifying it; None when
    anything differs or could be said about it: then ``assemble`` decides. Each condition
    is one the whole path would find too: the video's entry, file, title and subdeck as
    locked (the subdeck at this deck's width: nothing renamed, nothing to warn about); each
    note's key a live entry of the same type, its cloze numbers, content hash, shown text
    and back as locked (so its ``mod`` kept); every live entry a note; no template script
    (whose placeholders match by text). Diagnostics: none, as identifying it would say."""
    was = _video_as_locked(alone, video, lock)
    keys = tuple(spec.key(video.slug) for spec in video.notes)
    live = sum(1 for entry in lock.notes.values() if entry.retired is None)
    if was is None or len(set(keys)) != len(keys) or live != len(keys):
        return None
    deck_id, notes = stable_id(f"deck:{was.subdeck}"), []
    for spec, key, (flds, tag_string, model_id, digest, shown, ords) in zip(video.notes, keys, rows):
        entry = lock.notes.get(key)
        if entry is None or not _note_as_locked(video, spec, key, entry, digest, shown):
            return None
        notes.append((entry.guid, model_id, flds, tag_string, deck_id, entry.mod, False, ords))
    return Settled(lock.digest(lock.notes), was.row(), was.subdeck, keys, tuple(notes), ())


def _video_as_locked(alone: Deck, video: Video, lock: Lock) -> LockedVideo | None:
    """The video's entry, if the video is what it says: live, same file, title and subdeck."""
    was = lock.videos.get(video.slug)
    if (was is None or was.retired is not None or was.file != (video.source or video.path)
            or was.title != video.title or was_template(video.slug, was, lock.notes)):
        return None
    same = was.subdeck == subdeck_for(alone, video, was, False, number_width(alone, lock))[1]
    return was if same else None


def _note_as_locked(video: Video, spec, key: str, entry: LockedNote, digest: str, shown: str) -> bool:
    """Is the note its live entry as it stands: its type, content, text, back and cloze numbers?"""
    if (entry.retired is not None or locked_type(entry) != spec.note_type
            or (entry.hash, entry.text, entry.back) != (digest, shown, spec.back)):
        return False
    if spec.note_type != CLOZE:
        return True
    numbered, clozes, removed = number_clozes(spec, entry, video.path, key, Problems())
    return numbered is spec and clozes == entry.clozes and removed == entry.removed_clozes


class _Kept:
    """A shelf for one video (its script key, what reading it made) with nothing on it,
    that keeps what is put."""

    value = None

    def __init__(self, path: str, k: str, made: tuple):
        self.path, self.k, self._made = path, k, made

    def key(self, path: str) -> str | None:
        return self.k if path == self.path else None

    def made(self, path: str) -> tuple | None:
        return self._made if path == self.path else None

    def get(self, k: str):
        return None

    def put(self, k: str, value) -> None:
        self.value = value
