"""The build: plan → read → identify → assemble → package → write.

``build`` reads as its stages; each stage lives in a module of its own: ``plan.py``
(which decks), ``load.py`` (every script read, through the cache and the worker pool),
``identity.py`` and ``assemble.py`` (against the lock), ``package.py`` and
``files.write_all`` (all or nothing), under ``buildlock.exclusive``. ``diff`` and
``prepare`` share the same stages and write nothing.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .assemble import Assembled, assemble, retired_search
from .cache import ScriptCache, Shelf
from .cards import card_count
from .changes import DeckChanges
from .config import DeckConfig, display_path
from .errors import ERROR, AnkigenError, Diagnostic, Problems
from .files import READ_SECONDS, write_all
from .load import Reading, Settling, load_deck
from .lock import Lock, dump_lock, lock_path_for
from .lockfile import read_lock
from .notes import Deck, Video
from .buildlock import exclusive
from .package import Later, package_bytes, package_later
from .plan import find_configs, plan  # noqa: F401 - the plan stage, as check uses it
from .read import read_video  # noqa: F401 - the pure per-script function
from .text import slugify


@dataclass
class DeckResult:
    name: str
    output: str
    videos: int
    notes: int
    cards: int
    changes: DeckChanges | None = None
    lock: str = ""
    retired_search: str = ""
    retired: int = 0
    first_build: bool = False  # there was no lock yet
    read: list[Video] = field(default_factory=list, repr=False)  # the videos, as extracted
    subdecks: dict[str, str] = field(default_factory=dict, repr=False)  # a video's file → its subdeck
    split: list[str] = field(default_factory=list)  # one package per video, with --split
    work: Work | None = field(default=None, repr=False)  # what the build did for it

    @property
    def per_video(self) -> list[tuple[str, str, int, int]]:
        """file, subdeck, notes, cards: for ``-v`` (counted only when asked)."""
        return [(v.path, self.subdecks.get(v.source or v.path, v.title).removeprefix(self.name + "::"), len(v.notes),
                 sum(card_count(n) for n in v.notes)) for v in self.read]

    def as_json(self) -> dict:
        out = dict(name=self.name, output=self.output, videos=self.videos,
                   notes=self.notes, cards=self.cards)
        if self.changes is not None:
            out["changes"] = self.changes.as_json()
            out["lock"] = self.lock
            out["retired"] = self.retired
        if self.split:
            out["split"] = self.split
        return out


@dataclass(frozen=True)
class Work:
    """What a build did for one deck, beside what it made: what the cache spared it."""

    read: list[str]  # the scripts read afresh (the cache did not hold them), as shown
    workers: int  # the worker processes that read them (0: read in the build's own)
    reused: int  # videos taken whole, as assembled before (or settled as they were read)
    retired_packaged: int  # retired notes packaged afresh (not taken from the cache)


@dataclass
class BuildReport:
    decks: list[DeckResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != ERROR]


def build(sources: list[Path], options: Options | None = None) -> BuildReport:
    """Build every deck the sources name. Nothing is written unless all of them are sound,
    and then all of them or none: every package and lock is staged, then renamed into place.
    The cache's files are written only if the decks were."""
    options = options or Options()
    with _few_cycles():
        configs = plan(sources, options.allow_outside)
        cache = options.cache or ScriptCache()
        cache.discard()
        with exclusive(_lock_paths(configs, options), options.on_wait), _CacheFiles(cache) as caching:
            planned, problems = prepare(sources, options, configs, cache, caching.start)
            write_all([file for p in planned for file in  # the package last: it may still be compressing
                       ((p.target, lambda p=p: p.package), *p.split, (p.lock_path, p.lock_text.encode("utf-8")))])
    return BuildReport([p.result for p in planned], list(problems.items))


def diff(sources: list[Path], options: Options | None = None) -> BuildReport:
    """What a build would change for learners; writes nothing."""
    with _few_cycles():
        planned, problems = prepare(sources, options or Options())
    return BuildReport([p.result for p in planned], list(problems.items))


def prepare(sources: list[Path], options: Options, configs: list[DeckConfig] | None = None,
            cache: ScriptCache | None = None,
            assembled: Callable[[], None] | None = None) -> tuple[list[Planned], Problems]:
    """Plan, read, identify, assemble and package every deck; write nothing. ``assembled``
    is called once every deck is assembled and packaged without an error (the cache then
    holds all it will)."""
    configs = configs if configs is not None else plan(sources, options.allow_outside)
    _one_file_each(configs, options)
    reading, problems, now = options.reading(cache), Problems(), build_epoch()
    if options.on_start is not None:
        options.on_start(sum(len(c.sources) for c in configs))
    read = []
    for config in configs:
        settling = Settling(Deck(config.name, config.slug, 0, tags=config.tags),
                            _lock_path(config, options), now, options.rename_decks)
        read.append((config, *load_deck(config, problems, reading, options.on_file, settling), settling))
    problems.raise_errors("refused")
    settled = [(config, deck, shelf, *against_lock(config, deck, options, now, problems, settling, shelf))
               for config, deck, shelf, settling in read]
    planned = [_package(config, deck, shelf, lock_path, existing, done, options)
               for config, deck, shelf, lock_path, existing, done in settled]
    # Told once the collections are made: the cache's files are then made beside the
    # compressing. (Made beside a collection, they would hold the GIL SQLite gives up and
    # takes back for every row: the collection took twice as long.)
    if assembled is not None and not problems.errors:
        assembled()
    problems.raise_errors("refused")
    return planned, problems


def against_lock(config: DeckConfig, deck: Deck, options: Options, now: int, problems: Problems,
                 settling: Settling | None = None, shelf: Shelf | None = None):
    """Identify and assemble a read deck against its lock: (lock path, the lock read or None,
    Assembled). The lock as ``settling`` read it, if it did; ``shelf``: the deck's part of
    the cache (each video's script key and what reading it made; the settled videos)."""
    lock_path = _lock_path(config, options)
    shown = display_path(lock_path)
    existing = settling.lock if settling is not None and settling.was_read else read_lock(lock_path, shown)
    source = display_path(config.path) if config.path else shown
    done = assemble(deck, existing or Lock(), now, options.rename_decks,
                    options.allow_notetype_change, problems, source, shelf, options.retype,
                    options.retire_sections, frozenset(config.others))
    return lock_path, existing, done


def _package(config: DeckConfig, deck: Deck, shelf: Shelf, lock_path: Path, existing: Lock | None,
             done: Assembled, options: Options) -> Planned:
    """The package (compressed in a thread), the lock's text and what to report, for one deck."""
    target = _output_path(options.output, deck, bool(config.others))
    data = package_later(done.decks, done.notes, done.model_mods, done.id_base)
    result = DeckResult(deck.name, display_path(target), len(deck.videos),
                        sum(1 for n in done.notes if not n.retired), done.cards,
                        changes=done.changes, lock=display_path(lock_path), retired_search=retired_search(deck),
                        retired=sum(1 for n in done.notes if n.retired),
                        first_build=existing is None,
                        read=deck.videos, subdecks={v.file: v.subdeck for v in done.lock.videos.values()
                                                    if v.retired is None},
                        work=Work(shelf.afresh, shelf.workers, done.reused, done.retired_packaged))
    split = split_packages(done, target, deck) if options.split else []
    result.split = [display_path(path) for path, _ in split]
    return Planned(deck, target, lock_path, data, dump_lock(done.lock), result, split)


def _one_file_each(configs: list[DeckConfig], options: Options) -> None:
    for flag, value in (("-o", options.output), ("--lock", options.lock)):
        if value is not None and len(configs) > 1 and (flag == "--lock" or value.suffix == ".apkg"):
            raise AnkigenError(f"{len(configs)} decks to build but {flag} names one file", str(value))


def _lock_path(config: DeckConfig, options: Options) -> Path:
    return options.lock or lock_path_for(config.path, config.root)


def _lock_paths(configs: list[DeckConfig], options: Options) -> list[Path]:
    return [_lock_path(c, options) for c in configs]


@dataclass
class Options:
    output: Path | None = None
    lock: Path | None = None
    rename_decks: bool = False
    allow_notetype_change: bool = False
    on_wait: Callable[[Path, int | None], None] | None = None  # told when another build (pid) holds the deck
    on_start: Callable[[int], None] | None = None  # told how many scripts will be read
    on_file: Callable[[Path], None] | None = None  # told after each script is read
    split: bool = False  # also one package per video
    retype: bool = False  # a note whose type extraction changed is retired and added anew
    retire_sections: bool = False  # a section gone from a script retires its notes (else refused)
    allow_outside: bool = False  # sources may lie outside the project (or the named folder)
    workers: int = field(default_factory=lambda: min(os.cpu_count() or 1, 4))  # processes that read scripts
    parallel_from: int = 150  # scripts to read before a second process pays for itself
    read_seconds: float = READ_SECONDS  # one script may take this long to read, then it is refused
    cache: ScriptCache | None = None  # None: ``dist/.cache``, afresh for each build

    def reading(self, cache: ScriptCache | None = None) -> Reading:
        return Reading(cache or self.cache or ScriptCache(), self.workers, self.parallel_from, self.read_seconds)


@dataclass
class Planned:
    """One deck, fully decided: what would be written where."""

    deck: Deck
    target: Path
    lock_path: Path
    zipping: Later  # the package's bytes, being compressed
    lock_text: str
    result: DeckResult
    split: list[tuple[Path, bytes]] = field(default_factory=list)  # one package per video

    @property
    def package(self) -> bytes:
        return self.zipping.result()


def split_packages(done, target: Path, deck: Deck) -> list[tuple[Path, bytes]]:
    """One package per video, beside the combined deck (``<deck-slug>/<subdeck>.apkg``):
    the same notes, GUIDs and mods, so learners can mix them with the whole deck."""
    top, *subdecks = done.decks
    out = []
    for sub in subdecks:
        due = [i for i, n in enumerate(done.notes, 1) if n.deck_id == sub.deck_id]
        notes = [done.notes[i - 1] for i in due]
        if not notes or all(n.retired for n in notes):
            continue
        name = slugify(sub.name.split("::", 1)[-1], 80) or str(sub.deck_id)
        out.append((target.parent / deck.slug / f"{name}.apkg",
                    package_bytes([top, sub], notes, done.model_mods, done.id_base, due)))
    return out


def build_epoch() -> int:
    """The build's time: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    from .lock import MAX_TIME

    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit() and int(env) <= MAX_TIME:  # a time the lock can hold
        return int(env)
    return int(time.time())


def lock_diagnostics(config: DeckConfig, deck: Deck, shelf=None) -> list[Diagnostic]:
    """For ``check``: what settling a read deck against its lock says, as a build with the
    default options would (a damaged lock's refusal included). Nothing is written."""
    problems = Problems()
    try:
        against_lock(config, deck, Options(), build_epoch(), problems, shelf=shelf)
    except AnkigenError as e:
        return list(e.diagnostics)
    return problems.items


@contextlib.contextmanager
def _few_cycles():
    """No cyclic garbage collection while a build runs: it makes hundreds of thousands of
    objects and almost no cycles. Collection resumes (and catches up) when the build is done."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class _CacheFiles:
    """The cache's files, made and staged in a thread once every deck is assembled (while
    the packages and locks are made and written), put in place only if those were written."""

    def __init__(self, cache: ScriptCache):
        self.cache = cache
        self.thread: threading.Thread | None = None
        self.staged: list = []

    def start(self) -> None:
        self.thread = threading.Thread(target=lambda: self.staged.extend(self.cache.stage()), name="ankigen cache")
        self.thread.start()

    def __enter__(self) -> _CacheFiles:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.thread is not None:
            self.thread.join()
            (self.cache.commit if kind is None else self.cache.abandon)(self.staged)


def _output_path(output: Path | None, deck: Deck, partial: bool = False) -> Path:
    """``dist/<deck>.apkg``; a build of some of a series' scripts, ``dist/<deck>-partial.apkg``
    (never mistaken for the whole deck)."""
    name = f"{deck.slug}-partial.apkg" if partial else f"{deck.slug}.apkg"
    if output is None:
        return Path("dist") / name
    if output.suffix == ".apkg":
        return output
    return output / name
