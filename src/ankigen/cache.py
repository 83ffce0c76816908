"""A parse cache: one entry per script, keyed by its bytes and by this very ankigen.

Entries live under ``dist/.cache/`` and are safe to delete. The key holds the
file's content, where it is shown and placed, the deck's level labels and a
fingerprint of ankigen's own source files, so an entry is never trusted across
versions (or across edits of ankigen itself). A damaged entry is a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from . import __version__

FOLDER = Path("dist") / ".cache" / "scripts"


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
        self.pending: dict[str, object] = {}

    def get(self, k: str):
        if self.folder is None:
            return None
        try:
            with open(self.folder / k[:2] / k, "rb") as f:
                return pickle.load(f)
        except Exception:  # missing, cut short, from another Python: a miss
            return None

    def put(self, k: str, value) -> None:
        self.pending[k] = value

    def discard(self) -> None:
        self.pending.clear()

    def flush(self) -> None:
        pending, self.pending = self.pending, {}
        for k, value in pending.items():
            self._write(k, value)

    def _write(self, k: str, value) -> None:
        if self.folder is None:
            return
        target = self.folder / k[:2] / k
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            pass  # a cache that cannot be written is only slower
