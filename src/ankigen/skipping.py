"""A file in a series that is not a video script: skipped, or refused when its notes are
in the lock (a deck shipped without it would retire them)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .config import display_path
from .errors import ERROR, WARNING, AnkigenError, Diagnostic
from .extract import video_identity
from .files import read_source
from .lock import Lock
from .lockfile import read_lock
from .script import decode, parse

NOT_A_SCRIPT = "not-a-script"  # the code of extraction's error for such a file


class InLock:
    """Whether a file that is not a video script still has notes in the deck's lock.

    Such a file is refused when its video's notes are in the lock. Otherwise it is skipped
    with a warning and the rest builds. The lock is read only when a file asks (by
    ``settling``, the build's reader of the lock, when there is one); a lock that cannot be
    read counts as holding the file."""

    def __init__(self, settling, lock_path: Path, root: Path):
        self.settling, self.lock_path, self.root = settling, lock_path, root
        self.lock: Lock | None = None
        self.sound: bool | None = None  # None: not read yet

    def _read(self) -> None:
        settling = self.settling
        if settling is not None:
            if not settling.was_read:
                settling.read()
            self.lock, self.sound = settling.lock, settling.was_read
            return
        try:
            self.lock, self.sound = read_lock(self.lock_path, display_path(self.lock_path)), True
        except AnkigenError:
            self.sound = False

    def notes_of(self, file: Path, relative: str) -> tuple[str, int] | None:
        """(video slug, how many of its notes are not retired) in the lock for this file
        (``relative`` to the deck's root), None if none; ("", 0) if the lock is unreadable."""
        if self.sound is None:
            self._read()
        if not self.sound:
            return "", 0
        lock = self.lock
        if lock is None or not lock.videos:
            return None
        slugs = [slug for slug, v in lock.videos.items() if v.file == relative]
        slugs.append(_slug_of(file))  # renamed since
        for slug in dict.fromkeys(filter(None, slugs)):
            video = lock.videos.get(slug)
            if video is None or video.retired is not None:
                continue
            live = sum(1 for key, note in lock.notes.items()
                       if key.startswith(slug + "/") and note.retired is None)
            if live:
                return slug, live
        return None

    def judge(self, file: Path, relative: str,
              diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], bool]:
        """(the diagnostics: the not-a-script error kept, saying why, when the lock holds
        the file's notes, else made a warning; whether the file is skipped)."""
        found = self.notes_of(file, relative)
        out = []
        for d in diagnostics:
            if d.code != NOT_A_SCRIPT or d.severity != ERROR:
                out.append(d)
            elif found is None:
                out.append(replace(d, severity=WARNING, message=f"{d.message}; skipped (none of "
                                   "its notes is in the lock)"))
            elif found[1]:
                slug, live = found
                out.append(replace(d, message=f"{d.message}; refused: the lock holds {live} notes "
                                   f"of its video '{slug}', which a deck built without it would "
                                   "retire"))
            else:
                out.append(d)
        return out, found is None


def _slug_of(file: Path) -> str:
    """The slug the file would have as a video ("" if it cannot be read)."""
    try:
        shown = display_path(file)
        return video_identity(parse(decode(read_source(file, shown), shown), shown), file)[0]
    except AnkigenError:
        return ""
