"""One script read: its bytes → its Video and what was noticed. Pure: no cache, no pool.

The read stage (``load.py``) runs ``read_and_render`` for every script the cache does not
hold, in this process or in worker processes (``pool.py``).
"""

from __future__ import annotations

import os
import unicodedata
from functools import lru_cache
from pathlib import Path

from .cards import prepared
from .config import display_path
from .contrast import Levels
from .errors import AnkigenError, Diagnostic, Problems
from .extract import extract
from .files import pause_point, read_source, time_limit
from .notes import Deck, Video
from .render import render_all
from .script import decode, parse
from .text import CONTROL, clean, may_hold_control


def read_video(file: Path, root: Path, levels: Levels, data: bytes | None = None,
               shown: str | None = None) -> tuple[Video | None, list[Diagnostic]]:
    """One script → its Video (None if refused) and what was noticed; pure but for the read.
    ``shown``: the file as messages show it (``display_path``), if the caller has it."""
    problems = Problems()
    shown = shown or display_path(file)
    try:
        if data is None:
            data = read_source(file, shown)
        text = decode(data, shown)
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)  # NFD (macOS editors) is the same text: one spelling
        script = parse(text, shown)
    except AnkigenError as e:
        return None, list(e.diagnostics)
    pause_point("parse")
    if not clean(text).strip(" \t\r\n\ufeff"):
        problems.error(shown, None, "the file is empty; write the script, or move the file out of "
                       "the sources", "empty-file")
        return None, problems.items
    _control_characters(text, shown, problems)
    return extract(script, file, levels, problems, relative(file, root)), problems.items


def _control_characters(text: str, shown: str, problems: Problems) -> None:
    """A NUL, Anki's field separator (U+001F) and the like never reach a card; say where."""
    m = CONTROL.search(text) if may_hold_control(text) else None
    if m:
        code = ord(m.group())
        kind = ("private-use character" if 0xE000 <= code <= 0xF8FF else "control character")
        problems.warn(shown, text.count("\n", 0, m.start()) + 1,
                      f"{kind} U+{code:04X} removed (and any others); "
                      "check the file's encoding or delete it", "control-character")


def read_and_render(file: Path, root: Path, levels: Levels, data: bytes | None, context: tuple,
                    seconds: float):
    """``read_video`` within ``seconds``, then what assembling its notes will need:
    ((video, diagnostics), (the HTML of every Markdown field, ``cards.prepared`` for the
    deck ``context``: name, slug, tags))."""
    try:
        shown = display_path(file)
        with time_limit(seconds, shown):
            video, diagnostics = read_video(file, root, levels, data, shown)
            if video is None:
                return (None, diagnostics), ({}, None)
            rendered = render_all(s for n in video.notes for s in (n.text, n.back, n.extra))
            name, slug, tags = context
            return (video, diagnostics), (rendered, prepared(Deck(name, slug, 0, tags=tags), video))
    except AnkigenError as e:
        return (None, list(e.diagnostics)), ({}, None)


def relative(file: Path, root: Path) -> str:
    """The file relative to the deck's root, with ``/``: what cards and the lock show."""
    return _relative_str(str(file), str(root))


@lru_cache(maxsize=65536)
def _relative_str(file: str, root: str) -> str:
    full, base = os.path.abspath(file), os.path.abspath(root).rstrip(os.sep) + os.sep
    if full.startswith(base) and full[len(base):len(base) + 1] not in ("", os.sep):  # the usual case, quickly
        return full[len(base):].replace(os.sep, "/")
    try:
        return os.path.relpath(full, base).replace(os.sep, "/")
    except ValueError:  # another drive
        return os.path.basename(file)
