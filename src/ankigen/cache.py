"""A parse cache: one file per deck, one entry per script, keyed by its bytes and by
this very ankigen.

The files live under ``dist/.cache/`` and are safe to delete. An entry's key
holds the script's content, where it is shown and placed, the deck's level
labels and a fingerprint of ankigen's own source files, so it is never trusted
across versions (or across edits of ankigen itself). A damaged file is a miss.
One file per deck, rewritten whole after each build, keeps a thousand-video
series to one read and one write, and drops entries no build uses any more.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from . import __version__

FOLDER = Path("dist") / ".cache"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """ankigen's version and the size and mtime of each of its modules."""
    here = Path(__file__).parent
    parts = [__version__]
    for path in sorted(here.glob("*.py")):
        st = path.stat()
        parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def key(data: bytes, *context: str) -> str:
    h = hashlib.sha256(code_fingerprint().encode())
    for part in context:
        h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    h.update(b"\0" + data)
    return h.hexdigest()


class ScriptCache:
    """Reads at once; writes only on ``flush()``, after a build has written its deck —
    a refused build, a diff, a check or a preview leave no trace."""

    def __init__(self, folder: Path | None = FOLDER):
        self.folder = folder
        self.stored: dict[str, dict[str, object]] = {}  # deck → key → entry, as on disk
        self.used: dict[str, dict[str, object]] = {}  # deck → key → entry, this build

    def _path(self, deck: str) -> Path:
        name = hashlib.sha256(deck.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return self.folder / f"scripts-{name}.pickle"

    def get(self, deck: str, k: str):
        if self.folder is None:
            return None
        if deck not in self.stored:
            self.stored[deck] = self._load(deck)
        entry = self.stored[deck].get(k)
        if entry is not None:
            self.used.setdefault(deck, {})[k] = entry
        return entry

    def _load(self, deck: str) -> dict:
        try:
            with open(self._path(deck), "rb") as f:
                data = pickle.load(f)
            return data if isinstance(data, dict) and data.get("") == code_fingerprint() else {}
        except Exception:  # missing, cut short, from another Python: all misses
            return {}

    def put(self, deck: str, k: str, value) -> None:
        self.used.setdefault(deck, {})[k] = value

    def discard(self) -> None:
        self.used.clear()
        self.stored.clear()

    def flush(self) -> None:
        used, self.used, self.stored = self.used, {}, {}
        if self.folder is None:
            return
        for deck, entries in used.items():
            self._write(self._path(deck), {"": code_fingerprint(), **entries})

    @staticmethod
    def _write(target: Path, data: dict) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            pass  # a cache that cannot be written is only slower
