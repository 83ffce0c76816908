"""The read stage: every script of a deck read into its Video, once.

Each script is looked up in the cache by its bytes; those it does not hold are read by
``read_job`` (``read.read_and_render``, then settled against the lock when it can be),
here or, when there are many, in worker processes (``pool.Pool``). Either way the result
has one shape, pickled as the cache keeps it, and the cache is where the build finds it.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .assemble import settled_key
from .cache import MORE, ScriptCache, Shelf
from .cache import key as cache_key
from .config import DeckConfig, display_path
from .contrast import Levels
from .errors import ERROR, AnkigenError, Diagnostic, Problems
from .files import read_source
from .lock import Lock, lock_path_for
from .lockfile import read_lock
from .notes import Deck, Video
from .read import read_and_render, relative
from .render import to_html
from .settle import settle_alone
from .skipping import NOT_A_SCRIPT, InLock


@dataclass(frozen=True)
class Reading:
    """How the read stage runs: worker processes, from how many scripts to read, the time
    one script may take, and the cache it reads and fills."""

    cache: ScriptCache
    workers: int
    parallel_from: int
    seconds: float


class Settling:
    """What settling a video as it is read needs (``settle.settle_alone``): the lock's
    part for each video file (``Lock.parts``), the build's time and options. The lock is
    read once the workers have started (``read``), and kept for the build."""

    def __init__(self, deck: Deck, lock_path: Path, now: int, rename_decks: bool):
        self.deck, self.lock_path, self.now, self.rename_decks = deck, lock_path, now, rename_decks
        self.lock: Lock | None = None
        self.was_read = False  # and sound: a lock that fails to read is read again, and refused, later
        self.parts: dict[str, tuple] = {}

    def read(self) -> None:
        try:
            self.lock = read_lock(self.lock_path, display_path(self.lock_path))
        except AnkigenError:  # refused after the scripts' own errors, as ever
            return
        self.was_read = True
        self.parts = self.lock.parts() if self.lock is not None else {}

    def key(self, k: str) -> str:
        return settled_key(self.deck, self.rename_decks, k)


def cache_deck(config: DeckConfig) -> str:
    """The name of a deck's part of the cache (its scripts, and its settled videos)."""
    return str(config.path or config.root)


def load_deck(config: DeckConfig, problems: Problems, reading: Reading,
              on_file: Callable[[Path], None] | None = None,
              settling: Settling | None = None) -> tuple[Deck, Shelf]:
    """Read and extract every video of a deck; problems are collected, not raised. With
    the deck, its part of the cache (``Shelf``: each video's script key, what reading it made)."""
    deck = Deck(name=config.name, slug=config.slug, deck_id=config.id, tags=config.tags)
    read, afresh, workers = read_scripts(config, reading, on_file, settling)
    keys = _accept(config, read, deck, problems, InLock(settling, lock_path_for(config.path, config.root),
                                                         config.root))
    if not deck.videos and not problems.errors:
        problems.error(display_path(config.path) if config.path else config.name, None,
                       "deck has no videos")
    deck.videos.sort(key=course_order)
    shelf = Shelf(reading.cache, cache_deck(config), keys)
    shelf.afresh, shelf.workers = [display_path(file) for file in afresh], workers
    return deck, shelf


def _accept(config: DeckConfig, read: list, deck: Deck, problems: Problems, lock: InLock) -> dict[str, str]:
    """Each video read into ``deck`` (a second of the same id refused), its diagnostics
    into ``problems``; a file that is not a script skipped if the lock allows. The cache
    key of each video's script, by its path."""
    keys: dict[str, str] = {}
    owners: dict[str, str] = {}
    skipped: list[tuple[list[Diagnostic], list[Diagnostic]]] = []
    refused = False
    for file, (video, diagnostics, k) in zip(config.sources, read):
        if video is None and any(d.code == NOT_A_SCRIPT and d.severity == ERROR for d in diagnostics):
            judged, skip = lock.judge(file, relative(file, config.root), diagnostics)
            if skip:  # reported once it is known whether any file is built
                skipped.append((diagnostics, judged))
                continue
            diagnostics = judged
        refused = refused or any(d.severity == ERROR for d in diagnostics)
        problems.items.extend(diagnostics)
        if video is None:
            continue
        if video.slug in owners:
            problems.error(video.path, 1, f"video id '{video.slug}' is already used by "
                           f"{owners[video.slug]}; give one of them a different file name or "
                           "front-matter 'id:'", "duplicate-video")
            continue
        owners[video.slug] = video.path
        deck.videos.append(video)
        if k is not None:
            keys[video.path] = k
    for diagnostics, judged in skipped:  # every file skipped: refused, each for its reason
        problems.items.extend(diagnostics if not deck.videos and not refused else judged)
    return keys


def course_order(video: Video) -> tuple:
    """Videos in course order: by number (``Topic_2`` before ``Topic_10_``, front matter
    ``order:`` counts), the sources' own order among equals; unnumbered ones last. New
    cards come due in this order."""
    return (0, int(video.number)) if video.number else (1, 0)


def read_scripts(config: DeckConfig, reading: Reading, on_file: Callable[[Path], None] | None = None,
                 settling: Settling | None = None):
    """Every script of a deck read, in source order: (video, diagnostics, its cache key or
    None if unreadable); then the files read afresh, and how many workers read them. The cache
    is checked first; the rest are read by ``read_job``, across processes when there are many,
    and given to the cache. With ``settling``, the lock is read while the workers read, and
    each video read after is settled too."""
    reads = _Reads(config, reading, settling)
    try:
        found = [reads.look_up(file) for file in config.sources]  # the workers start on the misses meanwhile
        for file, done in zip(config.sources, found):
            if done is not None and on_file is not None:
                on_file(file)
        for n, (miss, result) in enumerate(zip(reads.misses, reads.results())):
            reads.keep(n, miss, *result)
            if on_file is not None:
                on_file(miss.file)
    except BaseException:  # interrupted (Ctrl-C, a refused file): the workers' chunks are not waited for
        reads.close(abandon=True)
        raise
    finally:
        reads.close()
    missed = iter(reads.misses)
    read = [done if done is not None else reads.get(next(missed).key) for done in found]
    return read, [m.file for m in reads.misses], reads.workers


class _Miss:
    __slots__ = ("file", "key", "data")

    def __init__(self, file: Path, key: str, data: bytes | None):
        self.file, self.key, self.data = file, key, data

    def take(self) -> bytes | None:
        """The bytes, handed to a job (and no longer kept here)."""
        data, self.data = self.data, None
        return data


class _Reads:
    """One deck's scripts being read: the cache looked up, the misses read by ``read_job``
    (by a ``pool.Pool`` once there are many) and kept in the cache, one shape for all."""

    def __init__(self, config: DeckConfig, reading: Reading, settling: Settling | None):
        self.config, self.reading, self.settling = config, reading, settling
        self.cache, self.deck = reading.cache, cache_deck(config)
        self.context = (config.name, config.slug, config.tags)
        self.settle_with = settling and (settling.now, settling.rename_decks)
        self.misses: list[_Miss] = []
        self.pool = None
        self.workers = 0
        self.early = 0  # misses sent to the workers before the lock was read

    def look_up(self, file: Path) -> tuple | None:
        """The script's (video, diagnostics, key) from the cache (or unreadable); None if it
        is to be read, and then it is."""
        config = self.config
        try:
            data = read_source(file, display_path(file))
        except AnkigenError:
            main, _ = read_and_render(file, config.root, Levels(config.levels), None, self.context,
                                      self.reading.seconds)
            return (*main, None)
        k = cache_key(data, display_path(file), relative(file, config.root), *config.levels)
        hit = self.cache.get(self.deck, k)
        if hit is not None:
            self.cache.keep(self.deck, k + MORE)  # if there is one
            return (*hit, k)
        self.misses.append(_Miss(file, k, data))
        if len(self.misses) >= self.reading.parallel_from and self.reading.workers > 1:
            self._hand_out()  # the workers start while the rest is read
        return None

    def _hand_out(self) -> None:
        if self.pool is None:
            from .pool import Pool

            self.pool = Pool(read_jobs, self.reading.workers, len(self.config.sources))
            self.workers = self.reading.workers
            self.pool.hand_out(self.misses, self._job)
            self.early = self.pool.sent  # sent before the lock was read: settled here (``keep``)
            if self.settling is not None:  # read while they read: the chunks after are settled too
                self.settling.read()
        self.pool.hand_out(self.misses, self._job)

    def _job(self, m: _Miss) -> tuple:
        part = self._part(m.file)
        return (str(m.file), str(self.config.root), self.config.levels, self.context, self.settle_with,
                self.reading.seconds, m.take(), m.key, part)

    def _part(self, file: Path) -> tuple | None:
        return self.settling.parts.get(relative(file, self.config.root)) if self.settling is not None else None

    def results(self):
        """Each miss's ``read_job`` result, in order."""
        if self.pool is not None:
            return self.pool.results(self.misses, self._job)
        return map(read_job, map(self._job, self.misses))

    def keep(self, n: int, m: _Miss, main: bytes, made: bytes | None, settled: bytes | None) -> None:
        """Give the cache what reading the ``n``th miss made, settling it first if it was
        sent before the lock was read."""
        if n < self.early and self.settling is not None and self.settling.parts:
            settled = settle(self.context, self.settle_with, pickle.loads(main)[0], m.key, pickle.loads(made),
                             self._part(m.file))
        self.cache.keep_pickled(self.deck, m.key, main)  # unpickled once the workers are gone: less memory
        if settled is not None:  # used as if from the cache: unpickled now, while the workers read
            self.cache.put(self.deck, self.settling.key(m.key), pickle.loads(settled), settled)
        else:
            self.cache.keep_pickled(self.deck, m.key + MORE, made)  # unpickled when (and each time) needed

    def get(self, k: str) -> tuple:
        return (*self.cache.get(self.deck, k), k)

    def close(self, abandon: bool = False) -> None:
        if self.pool is not None:
            self.pool.close(abandon)
            self.pool = None


def read_jobs(jobs: list) -> list[tuple[bytes, bytes | None, bytes | None]]:
    """A chunk of ``read_job``, as a worker runs it."""
    done = [read_job(job) for job in jobs]
    to_html.cache_clear()  # a field's HTML is reused within its script, seldom across: memory
    return done


def read_job(job: tuple) -> tuple[bytes, bytes | None, bytes | None]:
    """One script read, pickled as the cache keeps it: ((video, diagnostics), (rendered HTML,
    prepared notes), the video settled against its part of the lock); the second is None
    when the third is not (a settled video needs neither again).

    ``job``: (file, root, level labels, deck context, settling values, seconds, bytes,
    cache key, the lock's part for the file or None)."""
    file, root, labels, context, settle_with, seconds, data, k, part = job
    main, made = read_and_render(Path(file), Path(root), _levels(labels), data, context, seconds)
    settled = settle(context, settle_with, main[0], k, made, part)
    return _pickled(main), None if settled is not None else _pickled(made), settled


def settle(context: tuple, settle_with: tuple | None, video: Video | None, k: str, made: tuple,
           part: tuple | None) -> bytes | None:
    """The video settled against its ``part`` of the lock, pickled (``settle.settle_alone``),
    None if it is not settled (or there is no part for it)."""
    if part is None or settle_with is None or video is None or video.slug != part[0] or made[1] is None:
        return None
    name, slug, tags = context
    settled = settle_alone(Deck(name, slug, 0, tags=tags), video, k, made, part, *settle_with)
    return None if settled is None else _pickled(settled)


def _pickled(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


@lru_cache(maxsize=8)
def _levels(labels: tuple[str, ...]) -> Levels:
    return Levels(labels)
