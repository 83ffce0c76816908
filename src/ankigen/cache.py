"""The build cache: per script its parse (and its rendered HTML and prepared notes),
and per settled video what the build assembled, keyed by the script's bytes and by
this very ankigen.

The files live under ``dist/.cache/`` and are safe to delete. An entry's key
holds the script's content, where it is shown and placed, the deck's level
labels and a fingerprint of ankigen's own source files, so it is never trusted
across versions (or across edits of ankigen itself). A damaged file is a miss.

Each file is signed (HMAC-SHA256) with a key kept outside the project, in the
user's cache folder: a cache file that arrives with a checkout — a pull request
can commit one under ``dist/`` — is a miss, never unpickled (unpickling runs code).
A deck's entries are spread over ``SHARDS`` files by key: a thousand-video series
is a handful of reads, a rebuild rewrites only the files whose entries changed,
and entries no build uses any more are dropped.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import hmac
import os
import pickle
import tempfile
import zlib
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


def _sign(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, body, hashlib.sha256).digest()


def signing_key() -> bytes | None:
    """This user's key for signing cache files (made on first use), None if it cannot be kept."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(home) / "ankigen" / "cache-key"
    try:
        secret = path.read_bytes()
        return secret if len(secret) >= 32 else None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
        return path.read_bytes()
    except FileExistsError:  # made by a build running at the same time
        return signing_key()
    except OSError:
        return None


def key(data: bytes, *context: str) -> str:
    h = hashlib.sha256(code_fingerprint().encode())
    for part in context:
        h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    h.update(b"\0" + data)
    return h.hexdigest()


# Key suffix of a script's rendered HTML and prepared notes (read only when its video is
# assembled). Not kept for a video settled as it was read: it comes whole from its entry.
MORE = "\0more"

SHARDS = 16  # files per deck: an edit rewrites the one or two that changed, not the whole cache


class ScriptCache:
    """Reads at once; writes only on ``stage()`` and ``commit()``, once a build has decided
    all it will write — a refused build, a diff, a check or a preview leave no trace.

    Each entry is pickled on its own, so a build unpickles only the entries it asks
    for and writes back the others' bytes as they were. A deck's entries are spread
    over ``SHARDS`` files by key; a file whose entries a build used unchanged, all of
    them, is not written again."""

    def __init__(self, folder: Path | None = FOLDER):
        self.folder = folder
        self.stored: dict[tuple[str, int], dict[str, memoryview]] = {}  # file → key → entry, as on disk
        # this build's entries: a memoryview is one kept as it was read from its file
        self.used: dict[tuple[str, int], dict[str, memoryview | bytes | _Fresh]] = {}
        self.seen: dict[tuple[str, str], object] = {}  # entries unpickled (or put) this build
        self.sealed: list[tuple[Path, list | None]] = []  # files to write (None: to remove): seal()
        self._key: tuple[bytes | None] | None = None  # (signing key,) once read

    def _path(self, unit: tuple[str, int]) -> Path:
        deck, shard = unit
        return self.folder / f"scripts-{_deck_name(deck)}-{shard:02d}.pickle"

    def _secret(self) -> bytes | None:
        """The signing key, read once per build (every shard is checked with it)."""
        if self._key is None:
            self._key = (signing_key(),)
        return self._key[0]

    @staticmethod
    def _unit(deck: str, k: str) -> tuple[str, int]:
        return deck, zlib.crc32(k.encode("utf-8", "surrogatepass")) % SHARDS

    def _stored(self, unit: tuple[str, int]) -> dict[str, memoryview]:
        if unit not in self.stored:
            self.stored[unit] = self._load(unit) if self.folder is not None else {}
        return self.stored[unit]

    def get(self, deck: str, k: str):
        unit = self._unit(deck, k)
        if (deck, k) in self.seen:
            self.used.setdefault(unit, {}).setdefault(k, _Fresh(self.seen[deck, k]))
            return self.seen[deck, k]
        blob = self.used.get(unit, {}).get(k)  # kept pickled this build (``keep_pickled``)
        if not isinstance(blob, (bytes, memoryview)):
            blob = self._stored(unit).get(k)
        if blob is None:
            return None
        try:
            entry = pickle.loads(blob)
        except Exception:  # written by this user's ankigen, but unreadable: a miss
            return None
        self.seen[deck, k] = entry
        self.used.setdefault(unit, {})[k] = blob
        return entry

    def _load(self, unit: tuple[str, int]) -> dict[str, memoryview]:
        """One file's entries, still pickled: views into the file's bytes (one read, no copies).

        The file: a MAC (HMAC-SHA256 of the rest), the length of the index, the index
        (a pickle: fingerprint, and each key's offset and length) and the entries."""
        secret = self._secret()
        try:
            with open(self._path(unit), "rb") as f:
                data = memoryview(f.read())
            body = data[32:]
            if secret is None or not hmac.compare_digest(data[:32], _sign(secret, body)):
                return {}  # not written by this user's ankigen: never unpickled
            size = int.from_bytes(body[:8], "little")
            index = pickle.loads(body[8:8 + size])
            if not isinstance(index, dict) or index.pop("", None) != code_fingerprint():
                return {}
            entries = body[8 + size:]
            return {k: entries[start:start + length] for k, (start, length) in index.items()}
        except Exception:  # missing, cut short, from another Python: all misses
            return {}

    def keep(self, deck: str, k: str) -> bool:
        """Keep an entry for the next build without reading it; False if there is none."""
        if (deck, k) in self.seen:
            self.get(deck, k)
            return True
        unit = self._unit(deck, k)
        blob = self._stored(unit).get(k)
        if blob is not None:
            self.used.setdefault(unit, {})[k] = blob
        return blob is not None

    def keep_pickled(self, deck: str, k: str, pickled: bytes) -> None:
        """Keep an entry that is already pickled, without unpickling it here."""
        self.used.setdefault(self._unit(deck, k), {})[k] = pickled

    def put(self, deck: str, k: str, value, pickled: bytes | None = None) -> None:
        """Keep ``value`` (``pickled``, if it already is)."""
        self.seen[deck, k] = value
        self.used.setdefault(self._unit(deck, k), {})[k] = _Fresh(value) if pickled is None else pickled

    def discard(self) -> None:
        self.used.clear()
        self.stored.clear()
        self.seen.clear()
        self.sealed.clear()
        self._key = None

    def seal(self) -> None:
        """Make the files ``stage`` will write (the work of it, without writing)."""
        if self.folder is None or self.sealed:
            return
        secret = self._secret()
        if secret is None:
            return
        decks = {deck for deck, _ in self.used}
        # the one file per deck of before shards, if still there
        self.sealed += [(self.folder / f"scripts-{_deck_name(deck)}.pickle", None) for deck in sorted(decks)]
        for unit in sorted({(deck, shard) for deck in decks for shard in range(SHARDS)}):
            entries, stored = self.used.get(unit, {}), self.stored.get(unit)
            if stored is not None and entries.keys() == stored.keys() and all(
                    isinstance(v, memoryview) for v in entries.values()):
                continue  # used whole and as it was: the file stays
            if not entries:
                self.sealed.append((self._path(unit), None))
                continue
            blobs = {k: v.pickled() if isinstance(v, _Fresh) else v for k, v in entries.items()}
            self.sealed.append((self._path(unit), _file_parts(secret, blobs)))

    def stage(self) -> list[tuple[str | None, Path]]:
        """Write the sealed files beside their places, not yet in them: (temporary file,
        or None for a file to remove; its place). A cache that cannot be written is only
        slower, so a file that fails is left out."""
        self.seal()
        sealed, self.sealed = self.sealed, []
        self.discard()  # this build's entries are in ``sealed`` now
        if sealed and self.folder is not None:  # what a build killed while writing left
            for stale in glob.glob(os.path.join(glob.escape(str(self.folder)), ".*.tmp")):
                with contextlib.suppress(OSError):
                    os.remove(stale)
        staged = []
        for target, parts in sealed:
            if parts is None:
                staged.append((None, target))
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
            except OSError:
                continue
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(b"".join(parts))  # one write, not one per entry
            except OSError:
                with contextlib.suppress(OSError):
                    os.remove(tmp)
                continue
            staged.append((tmp, target))
        return staged

    @staticmethod
    def commit(staged: list[tuple[str | None, Path]]) -> None:
        """Put staged files in their places (and remove those to remove)."""
        for tmp, target in staged:
            with contextlib.suppress(OSError):
                if tmp is None:
                    os.remove(target)
                else:
                    os.replace(tmp, target)

    @staticmethod
    def abandon(staged: list[tuple[str | None, Path]]) -> None:
        for tmp, _ in staged:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.remove(tmp)


def _deck_name(deck: str) -> str:
    return hashlib.sha256(deck.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _file_parts(secret: bytes, entries: dict[str, bytes | memoryview]) -> list[bytes | memoryview]:
    """A cache file, in parts: its MAC, the index's length, the index, the entries."""
    index: dict[str, object] = {"": code_fingerprint()}
    start = 0
    for k, blob in entries.items():
        index[k] = (start, len(blob))
        start += len(blob)
    head = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    parts = [len(head).to_bytes(8, "little"), head, *entries.values()]
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return [mac.digest(), *parts]


class _Fresh:
    """An entry put (or first read) in this build: pickled when the cache is written."""

    def __init__(self, value):
        self.value = value

    def pickled(self) -> bytes:
        return pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)


class Shelf:
    """One deck's part of a cache, as the assemble stage sees it: each video's script key
    (by the video's path), what reading the script made, and where settled videos are kept."""

    def __init__(self, cache: ScriptCache, deck: str, keys: dict[str, str] | None = None):
        self.cache, self.deck, self.keys = cache, deck, keys or {}
        self.afresh: list[str] = []  # the scripts read this build (not held), as shown
        self.workers = 0  # the worker processes that read them (0: read in this one)

    def key(self, path: str) -> str | None:
        return self.keys.get(path)

    def made(self, path: str) -> tuple | None:
        """The video's rendered HTML and ``cards.prepared`` rows, None if they are not kept."""
        k = self.keys.get(path)
        return None if k is None else self.cache.get(self.deck, k + MORE)

    def get(self, k: str):
        return self.cache.get(self.deck, k)

    def put(self, k: str, value) -> None:
        self.cache.put(self.deck, k, value)
