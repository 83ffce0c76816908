"""Reading the lock file, and refusing a damaged one (``lock`` is its model and writer).

The lock as ankigen writes it is read line by line with json (``_fast_load``): each note is
kept unread until used (``NoteLines``), so a rebuild does not parse the notes of settled
videos. A lock edited by hand into another YAML style is read with PyYAML. Every value is
checked to be one ankigen could have written (``lockvalues``); a refusal names the file and the line.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import AnkigenError
from .lock import END_MARKER, HEADER, MAX_ID_BASE, MAX_TIME, VERSION, Lock, LockedNote
from .lockvalues import _Bad, _at, _int, _name, _note, _note_type, _plain_values, _str, _video, _within
from .yamlread import UniqueKeys, yaml_problem

# A lock edited by hand into another YAML style is read with PyYAML: its C loader where
# available. The lock as ankigen writes it is read line by line with json (much faster).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

RECOVER = ("restore it from version control (git checkout -- {path}), or delete it to start over: "
           "GUIDs come from keys, so only renamed notes would lose their history")


class NoteLines:
    """Parses the notes ``read_lock`` keeps unread (``LockedNote.unread``): one when first
    used, or many in one JSON call. A class, so a part of the lock sent to a worker names it."""

    @staticmethod
    def attribute(note: LockedNote, name: str):
        """``note.name``, parsing the note unless it is its ``retired`` read from its line."""
        d = note.__dict__
        if name == "retired" and "_unread" in d:  # asked of every note: read from its line
            text, start = d["_unread"][:2]
            m = _RETIRED_FIRST.match(text, start)
            if m is not None and (m.group(1) is None or int(m.group(1)) <= MAX_TIME):
                return None if m.group(1) is None else int(m.group(1))
        unread = d.get("_unread")
        if unread is None:
            raise AttributeError(name)
        note.read_as(_parse_note(*unread).values())
        return getattr(note, name)

    @staticmethod
    def read_all(notes: list[LockedNote]) -> None:
        """Parse these unread notes in one JSON call; a damaged one is refused, named by its line."""
        unread = [n.__dict__["_unread"] for n in notes]
        try:
            values = json.loads("[" + ",".join(text[start:] for text, start, *_ in unread) + "]")
        except (ValueError, RecursionError):
            values = None
        if values is None or len(values) != len(unread):  # one at a time: the damaged one is named
            for note in notes:
                note.guid  # noqa: B018 - reading an attribute parses the note
            return
        for note, value, (_, _, key, shown, line) in zip(notes, values, unread):
            plain = _plain_values(value)  # as ankigen writes it: no need to say what is wrong
            note.read_as(plain if plain is not None else _checked_note(value, key, shown, line).values())


def read_lock(path: Path, shown: str) -> Lock | None:
    """The lock at ``path``, None if there is none. A damaged lock is refused, never replaced."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise AnkigenError(f"cannot read the lock file ({e}); " + RECOVER.format(path=shown), shown) from None
    _whole_lock(text, shown)
    unread: dict[str, tuple[int, str, int]] = {}
    video_lines: dict[str, str] = {}
    try:
        raw = _fast_load(text, unread, video_lines)
    except _Bad as e:  # an entry given twice
        raise _damaged(str(e), shown, e.line) from None
    if raw is None:  # edited by hand into another YAML style: still accepted
        unread.clear()
        video_lines.clear()
        raw = _yaml_load(text, shown)
    try:
        lock = _from_yaml(raw, unread, shown, video_lines)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise _damaged(_describe(e), shown, _line_for(text, getattr(e, "path", ()))) from None
    return lock


def _whole_lock(text: str, shown: str) -> None:
    """Refuse a file that is not a lock, holds merge-conflict markers or is cut short."""
    if text and not text.isspace() and not text.startswith(HEADER[:20]) and not _VERSION_LINE.search(text):  # not a lock
        raise AnkigenError("not an ankigen lock file (no 'version:' line); is --lock naming the "
                           "wrong file? Give it the deck's .lock.yaml, or a new path to start one",
                           shown)
    # a marker starts a line: looked for first in one pass, at the start or after a newline
    marked = text[:7] in _MARKERS or _MARKER_AFTER_NEWLINE.search(text) is not None
    conflict = _CONFLICT.search(text) if marked else None
    if conflict:
        raise AnkigenError("the lock file holds merge-conflict markers; resolve the conflict "
                           "(keep both sides' notes, one entry per key) or " +
                           RECOVER.format(path=shown), shown, _line_of(text, conflict.start()))
    tail = text[-4096:].rstrip()  # its end, not a copy of the whole text
    if len(tail) < 2 * len(END_MARKER) < len(text):
        tail = text.rstrip()
    if tail[-2 * len(END_MARKER):].splitlines()[-1:] != [END_MARKER]:
        raise AnkigenError(f"the lock file is cut short (no '{END_MARKER}' line at its end); "
                           + RECOVER.format(path=shown), shown)


def _yaml_load(text: str, shown: str):
    """A lock edited by hand into another YAML style, read with PyYAML (a key given twice refused)."""
    try:
        return yaml.load(text, Loader=_unique_keys(_Loader if _shallow(text) else yaml.SafeLoader))
    except RecursionError:
        raise AnkigenError("the lock file is nested too deeply to be a lock; "
                           + RECOVER.format(path=shown), shown) from None
    except yaml.YAMLError as e:
        problem, line = yaml_problem(e, text)  # in plain words, at the line of the mistake
        raise AnkigenError(f"the lock file is not valid YAML ({problem}); "
                           + RECOVER.format(path=shown), shown, line) from None


@lru_cache(maxsize=2)
def _unique_keys(loader):
    """``loader``, refusing a key given twice (a note kept from both sides of a merge)."""
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
_MARKERS = ("<" * 7, "=" * 7, ">" * 7)
_MARKER_AFTER_NEWLINE = re.compile(r"\n(?:<{7}|={7}|>{7})")


def _line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset``, counting lines as ``str.splitlines`` does."""
    return len(text[:offset].splitlines()) + 1 if offset else 1


def _describe(e: Exception) -> str:
    if isinstance(e, KeyError):
        return f"missing {e.args[0]!r}"
    return str(e)


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
        _read_later(lock, unread, shown)
    for slug, v in (raw.get("videos") or {}).items():
        video = lock.videos[_str(slug, f"video {slug}")] = _at(("videos", slug), _within, f"video {slug}", _video, v)
        if video_lines and slug in video_lines:
            video.read_from(video_lines[slug])
            lock.video_lines[slug] = video_lines[slug]
    for mid, t in (raw.get("note_types") or {}).items():
        lock.note_types[int(mid)] = _at(("note_types", str(mid)), _note_type, t)
    if lock.read_guids is None:
        _one_key_a_guid((n.guid, key) for key, n in lock.notes.items())
    return lock


def _read_later(lock: Lock, unread: dict[str, tuple[int, str, int]], shown: str) -> None:
    """The notes the fast reader left unread, kept so (``Lock.read_later``); of each, its
    GUID (and ``retired``, asked of every note) read from its line where it is as ankigen
    writes it. A GUID given to two keys is refused."""
    lock.read_guids = {}
    for key, (start, line, no) in unread.items():
        note = lock.read_later(NoteLines, line, start, key, shown, no)
        first = _GUID_FIRST.match(line, start)
        if first is not None and first.group(2) is not None:  # its 'retired' too, asked of every note
            retired = first.group(3)
            if retired is None or int(retired) <= MAX_TIME:
                note.__dict__["retired"] = None if retired is None else int(retired)
        guid = first.group(1) if first else note.guid  # not as ankigen writes it: parse it now
        if guid in lock.read_guids:
            raise ValueError(f"GUID {guid} is given to both {lock.read_guids[guid]} and {key}")
        lock.read_guids[guid] = key


def _one_key_a_guid(pairs) -> None:
    """Refuse a GUID given to two keys (``pairs``: (GUID, key))."""
    guids: dict[str, str] = {}
    for guid, key in pairs:
        if guid in guids:
            raise ValueError(f"GUID {guid} is given to both {guids[guid]} and {key}")
        guids[guid] = key


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
