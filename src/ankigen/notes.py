"""The extracted model: a video and the notes it becomes (plain data)."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field

RECAP = "recap"
ONE_LINER = "one-liner"
CONTRAST = "contrast"
THINK = "think-together"
LADDER = "ladder"
KINDS = (RECAP, ONE_LINER, CONTRAST, THINK, LADDER)

# The kind's part of a natural key (CARDS.md: ``ownership/example/downstream-bottleneck``).
KEY_PART = {RECAP: "recap", ONE_LINER: "one-liner", CONTRAST: "example",
            THINK: "think-together", LADDER: "ladder"}

CLOZE = "cloze"
QA = "qa"


@dataclass(frozen=True)
class NoteSpec:
    """One note as extracted: Markdown fields with cloze markers, no HTML yet."""

    kind: str
    anchor: str  # what identifies it within its video and kind ("" when one per video)
    note_type: str  # CLOZE or QA
    text: str  # cloze text, or the question of a QA note
    section: str  # the heading it came from, shown on the front
    line: int
    back: str = ""  # the answer of a QA note
    extra: str = ""  # context shown on the back
    answers: tuple[str, ...] = ()  # what the learner must recall, per card
    pinned: bool = False  # the author fixed the anchor with <!-- ankigen:id … -->

    def __init__(self, kind: str, anchor: str, note_type: str, text: str, section: str, line: int,
                 back: str = "", extra: str = "", answers: tuple[str, ...] = (), pinned: bool = False):
        # The fields above, in their order, with their defaults; set at once, not one by one
        # through object.__setattr__ as the frozen dataclass's own __init__ does (3x quicker;
        # tests/test_fast_paths.py holds the two the same).
        self.__dict__.update(kind=kind, anchor=anchor, note_type=note_type, text=text, section=section,
                             line=line, back=back, extra=extra, answers=answers, pinned=pinned)

    def key(self, video_slug: str) -> str:
        """The natural key: ``ownership/recap/trap``; the GUID is derived from it."""
        parts = [video_slug, KEY_PART[self.kind]]
        if self.anchor:
            parts.append(self.anchor)
        return "/".join(parts)


@dataclass(frozen=True)
class Video:
    """One script's identity, title and notes."""

    slug: str  # identity of the video: front-matter id, else file name without number
    title: str
    number: str  # "01" from 01-ownership.md or Topic_01_X.md, "12" from front matter order: 12; "" if none
    path: str  # as shown to the user in messages
    notes: tuple[NoteSpec, ...] = ()
    source: str = ""  # the file relative to the deck's root: what cards show, the same from any cwd
    tags: tuple[str, ...] = ()
    pinned_id: bool = False  # slug came from front matter

    def __reduce__(self):
        """Pickled with its notes as a pickle of their own (``PickledNotes``), unpickled only
        when used: a rebuild reads every video back from the cache and uses the notes of
        the few that changed."""
        notes = self.notes
        blob = notes.blob if isinstance(notes, PickledNotes) and notes.blob is not None else \
            pickle.dumps(tuple(notes), pickle.HIGHEST_PROTOCOL)
        return _video, (self.slug, self.title, self.number, self.path, blob, self.source, self.tags,
                        self.pinned_id)

    def subdeck_name(self, width: int) -> str:
        """``001 What Is a Queue``: the number, zero-padded to the deck's ``width``, keeps
        Anki's deck list (plain text order: ``1, 10, 100, 11, 2``) in course order."""
        return f"{int(self.number):0{width}d} {self.title}" if self.number else self.title


@dataclass
class Deck:
    """One series: its name, stable id and videos."""

    name: str
    slug: str
    deck_id: int
    videos: list[Video] = field(default_factory=list)
    tags: tuple[str, ...] = ()


def _video(slug: str, title: str, number: str, path: str, notes: bytes, source: str,
           tags: tuple[str, ...], pinned_id: bool) -> Video:
    return Video(slug, title, number, path, PickledNotes(notes), source, tags, pinned_id)


class PickledNotes(Sequence):
    """A video's notes as read back from a pickle: a tuple of ``NoteSpec`` in all but
    when it is made, which is when first used. Equal (and hashed) as that tuple."""

    __slots__ = ("blob", "_notes")

    def __init__(self, blob: bytes):
        self.blob: bytes | None = blob
        self._notes: tuple[NoteSpec, ...] | None = None

    @property
    def notes(self) -> tuple[NoteSpec, ...]:
        if self._notes is None:
            self._notes = pickle.loads(self.blob)
        return self._notes

    def __len__(self) -> int:
        return len(self.notes)

    def __getitem__(self, i):
        return self.notes[i]

    def __iter__(self):
        return iter(self.notes)

    def __eq__(self, other) -> bool:
        if isinstance(other, PickledNotes):
            other = other.notes
        return self.notes == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.notes)

    def __repr__(self) -> str:
        return repr(self.notes)
