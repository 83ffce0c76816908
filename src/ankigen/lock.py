"""The lock file's model and writer: what learners already have, so a rebuild keeps every review.

Plain, sorted YAML meant to be committed beside the deck config. It records
per note its natural key, GUID, content hash, ``mod`` and cloze numbers; per
video its identity, file and subdeck; per note type its fingerprints and
``mod``. It ends with a marker line so a cut-short file is detected.
Reading it (and refusing a damaged one) is ``lockfile``'s job.

An entry read from a line of the lock file remembers that line and its values as read;
the writer writes the line back as it was exactly while the entry's values are the ones
that line says (decided by value: a copy is written the same, a changed entry anew).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .notetypes import NoteType

VERSION = 1
END_MARKER = "# end of ankigen lock"
HEADER = (
    "# ankigen lock file: what learners already have. Commit it with the scripts.\n"
    "# Keeps note GUIDs, cloze numbers and edit times stable across builds.\n"
    "# If you delete it, renamed notes lose their history (all other GUIDs come from keys).\n"
)

# What ankigen (and Anki) can write, so all a lock may hold: a time (``mod``, ``retired``)
# up to the end of year 9999, in seconds; ids counting from ``id_base`` in milliseconds;
# cloze numbers Anki makes a card for (it makes none past {{c500::…}}).
MAX_TIME = 253402300799
MAX_ID_BASE = MAX_TIME * 1000
MAX_CLOZE = 500

_NOTE_FIELDS = ("guid", "hash", "mod", "text", "back", "clozes", "retired", "removed_clozes")  # LockedNote's


class NoteReader(Protocol):
    """What parses a note kept unread (``lockfile.NoteLines``): the model knows no format."""

    def attribute(self, note: LockedNote, name: str): ...

    def read_all(self, notes: list[LockedNote]) -> None: ...


@dataclass
class LockedNote:
    # Defaults are factories, never class attributes: a note read from the lock is parsed
    # when first used (``unread``), so a rebuild does not parse the notes of settled videos.
    guid: str
    hash: str
    mod: int
    text: str = field(default_factory=str)  # the note's Markdown (cloze shown as {{cN::…}}), for rename matching
    back: str = field(default_factory=str)
    clozes: dict[str, int] = field(default_factory=dict)  # deletion key → cloze number, for life
    retired: int | None = field(default_factory=lambda: None)  # when it was retired
    removed_clozes: dict[str, int] = field(default_factory=dict)  # numbers never to reuse

    @classmethod
    def unread(cls, reader: NoteReader, text: str, start: int, key: str, shown: str, line: int) -> LockedNote:
        """The note whose entry is ``text[start:]`` (its line ``line`` of the lock file),
        parsed by ``reader`` when first used."""
        note = cls.__new__(cls)
        d = note.__dict__
        d["_unread"], d["_later"], d["_source"] = (text, start, key, shown, line), reader, text
        return note

    def __getattr__(self, name: str):  # only for attributes not set: a note not parsed yet
        later = self.__dict__.get("_later")
        if later is None:
            raise AttributeError(name)
        return later.attribute(self, name)

    def read_as(self, values: tuple) -> None:
        """Its values (``_NOTE_FIELDS`` order), parsed from the line it was read from."""
        d = self.__dict__
        del d["_unread"], d["_later"]
        guid, digest, mod, text, back, clozes, retired, removed = values
        d["guid"], d["hash"], d["mod"], d["text"], d["back"] = guid, digest, mod, text, back
        d["clozes"], d["retired"], d["removed_clozes"] = clozes, retired, removed
        # as read, its mappings copied: a change made in one later is seen
        d["_read"] = (guid, digest, mod, text, back, dict(clozes), retired, dict(removed))

    def as_read(self) -> str | None:
        """The line it was read from, while its values are what that line says; else None."""
        d = self.__dict__
        source = d.get("_source")
        if source is None or "_unread" in d:
            return source
        return source if (d["guid"], d["hash"], d["mod"], d["text"], d["back"], d["clozes"], d["retired"],
                          d["removed_clozes"]) == d["_read"] else None

    def values(self) -> tuple:
        return (self.guid, self.hash, self.mod, self.text, self.back, self.clozes, self.retired,
                self.removed_clozes)

    def as_yaml(self) -> dict:
        out: dict = {"guid": self.guid, "hash": self.hash, "mod": self.mod}
        if self.retired is not None:
            out["retired"] = self.retired
        if self.clozes:
            out["clozes"] = dict(sorted(self.clozes.items()))
        if self.removed_clozes:
            out["removed_clozes"] = dict(sorted(self.removed_clozes.items()))
        out["text"] = self.text
        if self.back:
            out["back"] = self.back
        return out


@dataclass
class LockedVideo:
    file: str
    title: str
    subdeck: str
    retired: int | None = None

    def as_yaml(self) -> dict:
        out = {"file": self.file, "title": self.title, "subdeck": self.subdeck}
        if self.retired is not None:
            out["retired"] = self.retired
        return out

    def row(self) -> tuple:
        """Its values, in order (``LockedVideo(*row)`` makes it again)."""
        return (self.file, self.title, self.subdeck, self.retired)

    def read_from(self, line: str) -> None:
        """It was read from ``line`` of the lock file (written back as that line while the same)."""
        self.__dict__.update(_source=line, _read=self.row())

    def as_read(self) -> str | None:
        """The line it was read from, while its values are what that line says; else None."""
        source = self.__dict__.get("_source")
        return source if source is not None and self.row() == self.__dict__["_read"] else None


@dataclass
class LockedNoteType:
    name: str
    shape: str  # fields and templates: must never change
    look: str  # CSS and template HTML: may change with a newer mod
    mod: int


@dataclass
class Lock:
    deck: str = ""
    id_base: int = 0  # note and card ids in the package start here (ms)
    notes: dict[str, LockedNote] = field(default_factory=dict)
    videos: dict[str, LockedVideo] = field(default_factory=dict)
    note_types: dict[int, LockedNoteType] = field(default_factory=dict)
    # each note's line as the lock file held it, by key: an entry whose values are still
    # what its line says is written back as that line, not dumped again
    lines: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    read_guids: dict[str, str] | None = field(default=None, repr=False, compare=False)  # GUID → key, as read
    # each video's line as read, by slug: written back while the entry is what it says
    video_lines: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def digest(self, notes: dict[str, LockedNote]) -> bytes | None:
        """A fingerprint of these notes as the lock file holds them (their lines), None
        when one is not what its line read says (changed, new, or a lock in another YAML style)."""
        lines, read = self.lines, []
        for key, note in notes.items():
            line = lines.get(key)
            d = note.__dict__
            # a note still unparsed is its line (``as_read``), checked here without the call
            if line is None or (d["_source"] != line if "_unread" in d else note.as_read() != line):
                return None
            read.append(line)
        read.append("")  # each line ends in "\n": hashed as one string, the same digest
        return hashlib.blake2b("\n".join(read).encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def read_all(self) -> None:
        """Parse every note not parsed yet, in one go (quicker than one at a time when most
        will be used). A damaged note is refused, named by its line."""
        by_reader: dict = {}
        for note in self.notes.values():
            later = note.__dict__.get("_later")
            if later is not None:
                by_reader.setdefault(later, []).append(note)
        for reader, notes in by_reader.items():
            reader.read_all(notes)

    def parts(self) -> dict[str, tuple]:
        """Per video file, what settling that video needs of the lock, as plain values a
        worker process can be sent: (slug, its entry's values, each of its notes as
        ``LockedNote.unread`` takes it, in the lock's order, and their reader). Only notes
        not parsed yet, read from their lines; a video with any other note is left out."""
        notes: dict[str, list] = {}
        mixed = set()
        reader = None
        for key, note in self.notes.items():
            slug = key.split("/", 1)[0]
            d = note.__dict__
            if "_unread" not in d or self.lines.get(key) != d["_source"]:
                mixed.add(slug)
            else:
                reader = d["_later"]
                notes.setdefault(slug, []).append(d["_unread"])
        return {video.file: (slug, video.row(), tuple(notes[slug]), reader)
                for slug, video in self.videos.items() if slug in notes and slug not in mixed}

    @classmethod
    def of_part(cls, deck: str, part: tuple) -> Lock:
        """The lock of one video (``parts``): its notes read from their lines, as ``read_lock`` does."""
        slug, video, unread, reader = part
        lock = cls(deck=deck, id_base=1, videos={slug: LockedVideo(*video)})
        for entry in unread:
            lock.read_later(reader, *entry)
        lock.read_all()  # settling reads them all
        return lock

    def read_later(self, reader: NoteReader, line: str, start: int, key: str, shown: str, no: int) -> LockedNote:
        """Note ``key``, from its ``line`` (number ``no``) of the lock file, its entry at
        ``start``: kept unparsed (``LockedNote.unread``) and written back as that line."""
        note = self.notes[key] = LockedNote.unread(reader, line, start, key, shown, no)
        self.lines[key] = line
        return note

    @property
    def guids(self) -> set[str]:
        if self.read_guids is not None:
            return set(self.read_guids)
        return {n.guid for n in self.notes.values()}


def next_mod(now: int, entry_mod: int | None) -> int:
    """A changed note's ``mod``: the build's time, and always strictly newer than before."""
    return now if entry_mod is None else max(now, entry_mod + 1)


def note_type_mod(note_type: NoteType, locked: LockedNoteType | None, now: int) -> LockedNoteType:
    """A note type's lock entry: its ``mod`` moves forward when CSS or template HTML changes."""
    shape, look = note_type.shape(), note_type.look()
    if locked is None:
        return LockedNoteType(note_type.name, shape, look, now)
    if locked.look == look and locked.shape == shape and locked.name == note_type.name:
        return locked
    return LockedNoteType(note_type.name, shape, look, next_mod(now, locked.mod))


def lock_path_for(config_path: Path | None, folder: Path | None) -> Path:
    """``decks/x.yaml`` → ``decks/x.lock.yaml``; a bare folder → ``<folder>.lock.yaml`` beside it."""
    if config_path is not None:
        return config_path.with_name(config_path.stem + ".lock.yaml")
    assert folder is not None
    folder = folder.resolve()
    return folder.parent / f"{folder.name}.lock.yaml"


def dump_lock(lock: Lock) -> str:
    """The lock as text: YAML with one line per note (a JSON flow mapping), sorted by key,
    the end marker last. One line per entry keeps diffs and merges to the notes that changed,
    and reads back fast (``json.loads`` per line) at thousands of notes. An entry whose values
    are what the line it was read from says is written back as that line."""
    note_types = {str(mid): {"name": t.name, "shape": t.shape, "look": t.look, "mod": t.mod}
                  for mid, t in sorted(lock.note_types.items())}
    lines = [HEADER.rstrip("\n"), f"version: {VERSION}", f"deck: {_json(lock.deck)}",
             f"id_base: {lock.id_base}", "note_types:" if note_types else "note_types: {}"]
    lines += [f"  {_json(key)}: {_json(value)}" for key, value in note_types.items()]
    lines.append("videos:" if lock.videos else "videos: {}")
    lines += [_line(slug, video, lock.video_lines) for slug, video in sorted(lock.videos.items())]
    lines.append("notes:" if lock.notes else "notes: {}")
    lines += [_line(key, note, lock.lines) for key, note in sorted(lock.notes.items())]
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def _line(key: str, entry: LockedNote | LockedVideo, read: dict[str, str]) -> str:
    """An entry's line: as read, if its values are what that line says, else written anew."""
    line = read.get(key)
    if line is not None and entry.as_read() == line:
        return line
    return f"  {_json(key)}: {_json(entry.as_yaml())}"


_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _json(value) -> str:
    """JSON that is also plain YAML: readable non-ASCII, escaped where YAML would differ."""
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))
