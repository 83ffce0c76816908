"""The lock file: what learners already have, so a rebuild keeps every review.

Plain, sorted YAML meant to be committed beside the deck config. It records
per note its natural key, GUID, content hash, ``mod`` and cloze numbers; per
video its identity, file and subdeck; per note type its fingerprints and
``mod``. It ends with a marker line so a cut-short file is detected.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import AnkigenError

VERSION = 1
END_MARKER = "# end of ankigen lock"
HEADER = (
    "# ankigen lock file: what learners already have. Commit it with the scripts.\n"
    "# Keeps note GUIDs, cloze numbers and edit times stable across builds.\n"
    "# If you delete it, renamed notes lose their history (all other GUIDs come from keys).\n"
)

# A lock edited by hand into another YAML style is read with PyYAML: its C loader where
# available. The lock as ankigen writes it is read line by line with json (much faster).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What ankigen (and Anki) can write, so all a lock may hold: a time (``mod``, ``retired``)
# up to the end of year 9999, in seconds; ids counting from ``id_base`` in milliseconds;
# cloze numbers Anki makes a card for (it makes none past {{c500::…}}).
MAX_TIME = 253402300799
MAX_ID_BASE = MAX_TIME * 1000
MAX_CLOZE = 500

RECOVER = ("restore it from version control (git checkout -- {path}), or delete it to start over: "
           "GUIDs come from keys, so only renamed notes would lose their history")


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
    def unread(cls, text: str, start: int, key: str, shown: str, line: int) -> LockedNote:
        """The note whose entry is ``text[start:]`` (JSON; line ``line`` of the lock file),
        parsed when first used."""
        note = cls.__new__(cls)
        note._unread = (text, start, key, shown, line)
        return note

    def __getattr__(self, name: str):  # only for attributes not set: a note not parsed yet
        if name == "retired" and "_unread" in self.__dict__:  # asked of every note: read from its line
            text, start = self.__dict__["_unread"][:2]
            m = _RETIRED_FIRST.match(text, start)
            if m is not None and (m.group(1) is None or int(m.group(1)) <= MAX_TIME):
                return None if m.group(1) is None else int(m.group(1))
        unread = self.__dict__.pop("_unread", None)
        if unread is None:
            raise AttributeError(name)
        self.__dict__.update(_parse_note(*unread).__dict__)
        return getattr(self, name)

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
    # each note as read: key → (its entry, its line); a note handed on unchanged (the same
    # object) is written back as that line, not dumped again
    lines: dict[str, tuple[LockedNote, str]] = field(default_factory=dict, repr=False, compare=False)
    read_guids: dict[str, str] | None = field(default=None, repr=False, compare=False)  # GUID → key, as read
    # each video as read: slug → (its entry, its line), written back as that line while the same
    video_lines: dict[str, tuple[LockedVideo, str]] = field(default_factory=dict, repr=False, compare=False)

    def digest(self, notes: dict[str, LockedNote]) -> bytes | None:
        """A fingerprint of these notes as the lock file holds them (their lines), None
        when one was not read from a line (a lock in another YAML style)."""
        h = hashlib.blake2b(digest_size=16)
        for key, note in notes.items():
            read = self.lines.get(key)
            if read is None or read[0] is not note:
                return None
            h.update(read[1].encode("utf-8", "surrogatepass"))
            h.update(b"\n")
        return h.digest()

    def read_all(self) -> None:
        """Parse every note not parsed yet, in one JSON call: when most will be used, that
        is quicker than one at a time. A damaged note is refused, named by its line."""
        unread = [n for n in self.notes.values() if "_unread" in n.__dict__]
        try:
            values = json.loads("[" + ",".join(n._unread[0][n._unread[1]:] for n in unread) + "]")
        except (ValueError, RecursionError):
            values = None
        if values is None or len(values) != len(unread):  # one at a time: the damaged one is named
            for note in unread:
                note.guid  # noqa: B018 - reading an attribute parses the note
            return
        for note, value in zip(unread, values):
            text, start, key, shown, line = note.__dict__.pop("_unread")
            plain = _plain_values(value)  # as ankigen writes it: no need to say what is wrong
            note.__dict__.update(zip(_NOTE_FIELDS, plain) if plain is not None
                                 else _checked_note(value, key, shown, line).__dict__)

    def parts(self) -> dict[str, tuple]:
        """Per video file, what settling that video needs of the lock, as plain values a
        worker process can be sent: (slug, its entry's values, each of its notes as
        ``LockedNote.unread`` takes it, in the lock's order). Only notes not parsed yet and
        read from their lines; a video with any other note is left out."""
        notes: dict[str, list] = {}
        mixed = set()
        for key, note in self.notes.items():
            slug = key.split("/", 1)[0]
            read = self.lines.get(key)
            if read is None or read[0] is not note or "_unread" not in note.__dict__:
                mixed.add(slug)
            else:
                notes.setdefault(slug, []).append(note._unread)
        return {video.file: (slug, video.row(), tuple(notes[slug]))
                for slug, video in self.videos.items() if slug in notes and slug not in mixed}

    @classmethod
    def of_part(cls, deck: str, part: tuple) -> Lock:
        """The lock of one video (``parts``): its notes read from their lines, as ``read_lock`` does."""
        slug, video, unread = part
        lock = cls(deck=deck, id_base=1, videos={slug: LockedVideo(*video)})
        for entry in unread:
            lock.read_later(*entry)
        lock.read_all()  # settling reads them all
        return lock

    def read_later(self, line: str, start: int, key: str, shown: str, no: int) -> LockedNote:
        """Note ``key``, from its ``line`` (number ``no``) of the lock file, its JSON at
        ``start``: kept unparsed (``LockedNote.unread``) and written back as that line."""
        note = self.notes[key] = LockedNote.unread(line, start, key, shown, no)
        self.lines[key] = (note, line)
        return note

    @property
    def guids(self) -> set[str]:
        if self.read_guids is not None:
            return set(self.read_guids)
        return {n.guid for n in self.notes.values()}


def lock_path_for(config_path: Path | None, folder: Path | None) -> Path:
    """``decks/x.yaml`` → ``decks/x.lock.yaml``; a bare folder → ``<folder>.lock.yaml`` beside it."""
    if config_path is not None:
        return config_path.with_name(config_path.stem + ".lock.yaml")
    assert folder is not None
    folder = folder.resolve()
    return folder.parent / f"{folder.name}.lock.yaml"


def read_lock(path: Path, shown: str) -> Lock | None:
    """The lock at ``path``, None if there is none. A damaged lock is refused, never replaced."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise AnkigenError(f"cannot read the lock file ({e}); " + RECOVER.format(path=shown), shown) from None
    if text.strip() and not text.startswith(HEADER[:20]) and not _VERSION_LINE.search(text):  # not a lock
        raise AnkigenError("not an ankigen lock file (no 'version:' line); is --lock naming the "
                           "wrong file? Give it the deck's .lock.yaml, or a new path to start one",
                           shown)
    conflict = _CONFLICT.search(text) if any(m * 7 in text for m in "<=>") else None
    if conflict:
        raise AnkigenError("the lock file holds merge-conflict markers; resolve the conflict "
                           "(keep both sides' notes, one entry per key) or " +
                           RECOVER.format(path=shown), shown, _line_of(text, conflict.start()))
    if text.rstrip()[-2 * len(END_MARKER):].splitlines()[-1:] != [END_MARKER]:
        raise AnkigenError(f"the lock file is cut short (no '{END_MARKER}' line at its end); "
                           + RECOVER.format(path=shown), shown)
    unread: dict[str, tuple[int, str, int]] = {}
    video_lines: dict[str, str] = {}
    try:
        raw = _fast_load(text, unread, video_lines)
    except _Bad as e:  # an entry given twice
        raise _damaged(str(e), shown, e.line) from None
    try:
        if raw is None:  # edited by hand into another YAML style: still accepted
            unread.clear()
            video_lines.clear()
            raw = yaml.load(text, Loader=_unique_keys(_Loader if _shallow(text) else yaml.SafeLoader))
    except RecursionError:
        raise AnkigenError("the lock file is nested too deeply to be a lock; "
                           + RECOVER.format(path=shown), shown) from None
    except yaml.YAMLError as e:
        from .config import yaml_problem

        problem, line = yaml_problem(e, text)  # in plain words, at the line of the mistake
        raise AnkigenError(f"the lock file is not valid YAML ({problem}); "
                           + RECOVER.format(path=shown), shown, line) from None
    try:
        lock = _from_yaml(raw, unread, shown, video_lines)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise _damaged(_describe(e), shown, _line_for(text, getattr(e, "path", ()))) from None
    return lock


class _Bad(ValueError):
    """A value refused, with the keys that lead to it in the lock (to name its line), or its line."""

    def __init__(self, message: str, path: tuple[str, ...], line: int | None = None):
        super().__init__(message)
        self.path, self.line = path, line


@lru_cache(maxsize=2)
def _unique_keys(loader):
    """``loader``, refusing a key given twice (a note kept from both sides of a merge)."""
    from .config import UniqueKeys

    return type(f"Unique{loader.__name__}", (UniqueKeys, loader), {})


def _line_for(text: str, path: tuple[str, ...]) -> int | None:
    """The line of the entry the keys ``path`` lead to, as written or edited into block
    YAML (each key looked for after the one before); None if it cannot be found."""
    pos, line = 0, None
    for key in path:
        quoted = "|".join(re.escape(k) for k in {json.dumps(key, ensure_ascii=False), f"'{key}'", key})
        m = re.compile(rf"^[ \t]*(?:{quoted})[ \t]*:", re.M).search(text, pos)
        if m is None:
            return line
        pos, line = m.end(), _line_of(text, m.start())
    return line


def _parse_note(text: str, start: int, key: str, shown: str, line: int) -> LockedNote:
    """A note's entry, read from its line in the lock file (refused if damaged)."""
    try:
        value, end = _DECODER.raw_decode(text, start)
        if end != len(text):
            raise ValueError(f"more than one entry on the line of note {key}")
    except (ValueError, RecursionError) as e:
        raise _damaged(e, shown, line) from None
    return _checked_note(value, key, shown, line)


def _checked_note(value, key: str, shown: str, line: int) -> LockedNote:
    try:
        return _within(f"note {key}", _note, value)
    except ValueError as e:
        raise _damaged(e, shown, line) from None


def _damaged(detail, shown: str, line: int | None = None) -> AnkigenError:
    return AnkigenError(f"the lock file has been damaged ({detail}); " + RECOVER.format(path=shown),
                        shown, line)


_VERSION_LINE = re.compile(r"^version:", re.M)
_CONFLICT = re.compile(r"^(?:<{7}|={7}|>{7})(?: |$)", re.M)


def _line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset``, counting lines as ``str.splitlines`` does."""
    return len(text[:offset].splitlines()) + 1 if offset else 1


def _describe(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"missing {e.args[0]!r}"
    return str(e)


def _int(value, what: str, low: int | None = None, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number, not {_shown(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{what} {_shown(value)} is impossible: ankigen writes {low} to {high}")
    return value


def _time(value, what: str) -> int:
    """A time in seconds, as a build writes it."""
    return _int(value, what, 0, MAX_TIME)


def _str(value, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {_shown(value)}")
    return value


def _name(value, what: str) -> str:
    """Text that becomes a deck name or a GUID in the package: no control characters."""
    if _CONTROL.search(_str(value, what)):
        raise ValueError(f"{what} holds a control character")
    return value


def _guid(value, what: str) -> str:
    if not _GUID.fullmatch(_str(value, what)):
        raise ValueError(f"{what} is not a GUID (up to 64 printable characters, no spaces): "
                         f"{_shown(value)}")
    return value


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_GUID = re.compile(r"[!-~]{1,64}")


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _clozes(value, what: str) -> dict[str, int]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a mapping")
    name = "cloze" if what == "clozes" else "removed cloze"
    return {_str(k, what): _int(v, f"{name} {_shown(k)}", 1, MAX_CLOZE) for k, v in value.items()}


def _from_yaml(raw, unread: dict[str, tuple[int, str, int]] | None = None, shown: str = "",
               video_lines: dict[str, str] | None = None) -> Lock:
    """A lock from what was read: ``raw`` as loaded (YAML or the fast reader); the notes
    the fast reader left unread (key → (where its JSON starts, line, line number)) are
    parsed when used; ``video_lines``, each video's line as the fast reader found it."""
    if not isinstance(raw, dict) or raw.get("version") != VERSION:
        raise ValueError(f"expected 'version: {VERSION}' at the top")
    lock = Lock(deck=_at(("deck",), _name, raw.get("deck", ""), "deck"),
                id_base=_at(("id_base",), _int, raw.get("id_base", 0), "id_base", 0, MAX_ID_BASE))
    for key, n in (raw.get("notes") or {}).items():
        lock.notes[_str(key, f"note {key}")] = _at(("notes", key), _within, f"note {key}", _note, n)
    if unread:
        lock.read_guids = {}
        for key, (start, line, no) in unread.items():
            note = lock.read_later(line, start, key, shown, no)
            first = _GUID_FIRST.match(line, start)
            if first is not None and first.group(2) is not None:  # its 'retired' too, asked of every note
                retired = first.group(3)
                if retired is None or int(retired) <= MAX_TIME:
                    note.__dict__["retired"] = None if retired is None else int(retired)
            guid = first.group(1) if first else note.guid  # not as ankigen writes it: parse it now
            if guid in lock.read_guids:
                raise ValueError(f"GUID {guid} is given to both {lock.read_guids[guid]} and {key}")
            lock.read_guids[guid] = key
    for slug, v in (raw.get("videos") or {}).items():
        video = lock.videos[_str(slug, f"video {slug}")] = _at(("videos", slug), _within, f"video {slug}", _video, v)
        if video_lines and slug in video_lines:
            lock.video_lines[slug] = (video, video_lines[slug])
    for mid, t in (raw.get("note_types") or {}).items():
        lock.note_types[int(mid)] = _at(("note_types", str(mid)), _note_type, t)
    guids: dict[str, str] = {}
    for key, n in lock.notes.items() if lock.read_guids is None else ():
        if n.guid in guids:
            raise ValueError(f"GUID {n.guid} is given to both {guids[n.guid]} and {key}")
        guids[n.guid] = key
    return lock


def _note_type(t: dict) -> LockedNoteType:
    return LockedNoteType(name=_str(t["name"], "note type name"), shape=_str(t["shape"], "note type shape"),
                          look=_str(t["look"], "note type look"), mod=_time(t["mod"], "note type mod"))


def _at(path: tuple[str, ...], read, *args):
    """``read(*args)``, a refusal marked with ``path`` (where in the lock it is)."""
    try:
        return read(*args)
    except KeyError as e:
        raise _Bad(f"{' '.join(map(str, path))}: missing {e.args[0]!r}", path) from None
    except (TypeError, ValueError, AttributeError) as e:
        raise _Bad(str(e), path) from None


def _within(what: str, read, value):
    """``read(value)``, its complaint prefixed with what was being read."""
    try:
        return read(value)
    except KeyError as e:
        raise ValueError(f"{what}: missing {e.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"{what} {e}") from None


def _note(n: dict) -> LockedNote:
    plain = _plain_note(n)  # as ankigen writes it: checked in one go
    if plain is not None:
        return plain
    retired = n.get("retired")
    return LockedNote(guid=_guid(n["guid"], "guid"), hash=_str(n["hash"], "hash"),
                      mod=_time(n["mod"], "mod"), text=_str(n.get("text", ""), "text"),
                      back=_str(n.get("back", ""), "back"), clozes=_clozes(n.get("clozes"), "clozes"),
                      retired=None if retired is None else _time(retired, "retired"),
                      removed_clozes=_clozes(n.get("removed_clozes"), "removed_clozes"))


def _plain_note(n) -> LockedNote | None:
    """The note, if every value has the type it must have (else None: ``_note`` says what is wrong)."""
    values = _plain_values(n)
    return None if values is None else LockedNote(*values)


_NOTE_FIELDS = ("guid", "hash", "mod", "text", "back", "clozes", "retired", "removed_clozes")  # LockedNote's


def _plain_values(n) -> tuple | None:
    """``_plain_note``'s values, in ``_NOTE_FIELDS`` order."""
    try:
        guid, digest, mod = n["guid"], n["hash"], n["mod"]
        text, back = n.get("text", ""), n.get("back", "")
        clozes, retired, removed = n.get("clozes") or {}, n.get("retired"), n.get("removed_clozes") or {}
    except (KeyError, TypeError, AttributeError):
        return None
    if not (type(guid) is str and type(digest) is str and type(mod) is int and 0 <= mod <= MAX_TIME
            and type(text) is str and type(back) is str
            and (retired is None or (type(retired) is int and 0 <= retired <= MAX_TIME))
            and type(clozes) is dict and type(removed) is dict and _GUID.fullmatch(guid)
            and all(type(k) is str and type(v) is int and 0 < v <= MAX_CLOZE for k, v in clozes.items())
            and all(type(k) is str and type(v) is int and 0 < v <= MAX_CLOZE for k, v in removed.items())):
        return None
    return guid, digest, mod, text, back, clozes, retired, removed


def _video(v: dict) -> LockedVideo:
    retired = v.get("retired")
    return LockedVideo(file=_str(v["file"], "file"), title=_name(v["title"], "title"),
                       subdeck=_name(v["subdeck"], "subdeck"),
                       retired=None if retired is None else _time(retired, "retired"))


def dump_lock(lock: Lock) -> str:
    """The lock as text: YAML with one line per note (a JSON flow mapping), sorted by key,
    the end marker last. One line per entry keeps diffs and merges to the notes that changed,
    and reads back fast (``json.loads`` per line) at thousands of notes. An entry handed on
    as it was read (the same object) is written back as the line it was read from."""
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


def _line(key: str, entry: LockedNote | LockedVideo, read: dict[str, tuple]) -> str:
    """An entry's line: as read, if it is the entry read, else written anew."""
    was = read.get(key)
    return was[1] if was is not None and was[0] is entry else f"  {_json(key)}: {_json(entry.as_yaml())}"


_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _json(value) -> str:
    """JSON that is also plain YAML: readable non-ASCII, escaped where YAML would differ."""
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


_TOP = re.compile(r"^([a-z_]+):(?: (.*))?$")
_ENTRY = re.compile(r'^  ("(?:[^"\\]|\\.)*"): (\{.*\})$')


def _fast_load(text: str, unread: dict[str, tuple[int, str, int]] | None = None,
               video_lines: dict[str, str] | None = None) -> dict | None:
    """Read the lock as ankigen writes it; None when it was edited into another YAML style.

    Each section's entry lines are joined into one JSON object and read in one call.
    With ``unread``, the notes are not parsed: where each note's JSON starts in its line,
    the line and its number go there by key (see ``LockedNote.unread``)."""
    data: dict = {}
    name, entries = None, []
    try:
        for no, line in enumerate(text.splitlines(), 1):
            if not line or line[0] == "#":
                continue
            if name is not None and line.startswith('  "') and line[-1] == "}":
                entries.append((no, line))
                continue
            top = _TOP.match(line)
            if not top:
                return None
            if name is not None:
                data[name] = _section(name, entries, unread, video_lines)
                name, entries = None, []
            if top.group(2) is None:
                name = top.group(1)
            else:
                data[top.group(1)] = json.loads(top.group(2))
        if name is not None:
            data[name] = _section(name, entries, unread, video_lines)
    except _Bad:
        raise
    except (ValueError, RecursionError):
        return None
    return data


def _section(name: str, lines: list[tuple[int, str]], unread: dict | None, video_lines: dict | None) -> dict:
    """One section's entries (``_entries``); the notes left unread, each video's line kept."""
    entries = _entries(lines, unread if name == "notes" else None)
    if name == "videos" and video_lines is not None and len(entries) == len(lines):
        video_lines.update(zip(entries, (line for _, line in lines)))  # one entry a line, in order
    return entries


def _entries(lines: list[tuple[int, str]], unread: dict[str, tuple[int, str, int]] | None) -> dict:
    """``  "key": {...}`` lines → {key: {...}}; ValueError unless each line is exactly one entry.
    With ``unread``, {} is returned and each entry goes there unparsed instead."""
    if unread is not None:
        for no, line in lines:
            end = line.find('": {', 3)
            key = line[3:end]
            if end < 0 or "\\" in key or '"' in key:  # an escape in the key: read it properly
                entry = _ENTRY.match(line)
                if entry is None:
                    raise ValueError(line)
                key, end = json.loads(entry.group(1)), entry.start(2) - 3
            if key in unread:
                raise _Bad(f"note {key} is given twice, at lines {unread[key][2]} and {no}; keep one", (), no)
            unread[key] = (end + 3, line, no)
        return {}
    out = json.loads("{" + ",".join(line[2:] for _, line in lines) + "}")
    if len(out) != len(lines):  # a key given twice, or a line holding two entries
        out, at = {}, {}
        for no, line in lines:
            entry = _ENTRY.match(line)
            if entry is None:
                raise ValueError(line)
            key = json.loads(entry.group(1))
            if key in out:
                raise _Bad(f"{key} is given twice, at lines {at[key]} and {no}; keep one", (), no)
            out[key], at[key] = json.loads(entry.group(2)), no
    return out


_DECODER = json.JSONDecoder()
# A note's ``retired`` as ankigen writes it (``as_yaml``'s order), without reading the rest.
_RETIRED_FIRST = re.compile(r'\{"guid": "[!#-\[\]-~]{1,64}", "hash": "[^"\\]*", "mod": \d{1,12}'
                            r'(?:, "retired": (\d{1,12}))?, "(?:clozes|removed_clozes|text)": ')
# A note's GUID as ankigen writes it (no escapes) and, where the line is as ankigen writes
# it, whether and when it was retired.
_GUID_FIRST = re.compile(r'\{"guid": "([!#-\[\]-~]{1,64})"(?=[,}])(, "hash": "[^"\\]*", "mod": \d{1,12}'
                         r'(?:, "retired": (\d{1,12}))?, "(?:clozes|removed_clozes|text)": )?')


def _shallow(text: str, limit: int = 200) -> bool:
    """No run of brackets nests deeper than ``limit``: PyYAML's C loader crashes the
    process on very deep nesting, where its Python loader raises RecursionError."""
    depth = 0
    for m in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
        if depth > limit:
            return False
    return True
