"""The build: gather every source, extract, identify, then write once."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import time
from functools import lru_cache
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .cache import ScriptCache, Shelf
from .cache import key as cache_key
from .assemble import assemble, retired_search
from .changes import DeckChanges
from .config import DeckConfig, display_path, load_config, markdown_deck, natural_key
from .contrast import Levels
from .errors import ERROR, AnkigenError, Diagnostic, Problems
from .extract import extract
from .lock import Lock, dump_lock, lock_path_for, read_lock
from .cards import card_count, prepared
from .notes import Deck, Video
from .text import CONTROL, clean, may_hold_control, slugify
from .files import READ_SECONDS, pause_point, read_source, time_limit, write_all
from .package import exclusive, package_bytes, package_later
from .render import render_all
from .script import decode, parse

if TYPE_CHECKING:
    from concurrent.futures import Future

CONFIG_SUFFIXES = (".yaml", ".yml")
MARKDOWN_SUFFIXES = (".md", ".markdown")


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
    split: list[str] = field(default_factory=list)  # one package per video, with --split

    @property
    def per_video(self) -> list[tuple[str, str, int, int]]:
        """file, subdeck, notes, cards: for ``-v`` (counted only when asked)."""
        return [(v.path, v.subdeck, len(v.notes), sum(card_count(n) for n in v.notes)) for v in self.read]

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


@dataclass
class BuildReport:
    decks: list[DeckResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != ERROR]


def find_configs(root: Path) -> list[Path]:
    folder = root / "decks"
    return sorted((p for p in folder.glob("*") if p.suffix in CONFIG_SUFFIXES
                   and not p.name.endswith((".lock.yaml", ".lock.yml"))), key=lambda p: natural_key(p.name))


def plan(sources: list[Path], allow_outside: bool = False) -> list[DeckConfig]:
    """Configs as given; Markdown files and folders grouped into one deck per folder.

    A folder is searched recursively for Markdown, skipping hidden files and
    folders and README files; a source named twice counts once. Unless
    ``allow_outside``, a config's sources must lie in its project and a folder's
    scripts in the folder, links followed."""
    from .config import markdown_in, unique_paths
    from .sources import outside

    if not sources:
        configs = find_configs(Path.cwd())
        if not configs:
            raise AnkigenError("no deck configs in decks/ (give a config, a Markdown file or a folder)",
                               "decks/")
        sources = configs
    decks: list[DeckConfig] = []
    loose: dict[Path, list[Path]] = {}
    problems = Problems()
    for src in unique_paths(sources):
        if src.is_dir():
            files = markdown_in(src)
            if not files:
                problems.error(display_path(src), None, "folder holds no Markdown (.md) files")
            loose.setdefault(src, []).extend(files)
        elif src.suffix.lower() in CONFIG_SUFFIXES:
            try:
                decks.append(load_config(src, allow_outside))
            except AnkigenError as e:
                problems.items.extend(e.diagnostics)
        elif src.suffix.lower() in MARKDOWN_SUFFIXES:
            loose.setdefault(src.parent, []).append(src)
        else:
            problems.error(display_path(src), None, "not a deck config (.yaml) or Markdown (.md) file")
    folders: dict[str, str] = {}
    for folder, files in loose.items():
        for file in files:
            real = None if allow_outside else outside(file, folder, folders)
            if real:
                problems.error(display_path(file), None, f"a link to {real}, outside "
                               f"{display_path(folder)}/; copy the script in, or build with "
                               "--allow-outside", "outside-project")
    problems.raise_errors("bad sources")
    for folder, files in loose.items():
        decks.append(markdown_deck(folder, unique_paths(files)))
    return decks


def _control_characters(text: str, shown: str, problems: Problems) -> None:
    """A NUL, Anki's field separator (U+001F) and the like never reach a card; say where."""
    m = CONTROL.search(text) if may_hold_control(text) else None
    if m:
        problems.warn(shown, text.count("\n", 0, m.start()) + 1,
                      f"control character U+{ord(m.group()):04X} removed (and any others); "
                      "check the file's encoding or delete it", "control-character")


def read_video(file: Path, root: Path, levels: Levels,
               data: bytes | None = None) -> tuple[Video | None, list[Diagnostic]]:
    """One script → its Video (None if refused) and what was noticed; pure but for the read."""
    problems = Problems()
    shown = display_path(file)
    try:
        if data is None:
            data = read_source(file, shown)
        text = decode(data, shown)
        script = parse(text, shown)
    except AnkigenError as e:
        return None, list(e.diagnostics)
    pause_point("parse")
    if not clean(text).strip(" \t\r\n\ufeff"):
        problems.error(shown, None, "the file is empty; write the script, or move the file out of "
                       "the sources", "empty-file")
        return None, problems.items
    _control_characters(text, shown, problems)
    video = extract(script, file, levels, problems)
    if video is not None:
        video = replace(video, source=_relative(file, root))
    return video, problems.items


PARALLEL_FROM = 150  # scripts to parse before a second process pays for itself
SCRIPTS = ScriptCache()  # this process's parse cache; a build flushes it once written


MORE = "\0more"  # cache key suffix: a script's rendered HTML and prepared notes, read when needed


def read_videos(config: DeckConfig, on_file: Callable[[Path], None] | None = None,
                cache: ScriptCache | None = None):
    """Every script of a deck read, in source order: (video, diagnostics, cache key or None
    if unreadable, ``more``). From the cache where it holds the same bytes, else parsed
    (across processes when there are many). ``more()`` gives the video's rendered HTML and
    ``cards.prepared`` rows (None if they are not to be had): a rebuild needs them only for
    the videos it reassembles."""
    cache = cache or SCRIPTS
    levels = Levels(config.levels)
    deck = str(config.path or config.root)
    context = (config.name, config.slug, config.tags)
    results: list = [None] * len(config.sources)
    keys: list[str | None] = [None] * len(config.sources)
    misses = []
    for i, file in enumerate(config.sources):
        try:
            data = read_source(file, display_path(file))
        except AnkigenError:
            main, made = _read_and_render(file, config.root, levels, None, context)
            results[i] = (*main, functools.partial(_same, made))
            continue
        k = keys[i] = cache_key(data, display_path(file), _relative(file, config.root), *config.levels)
        hit = cache.get(deck, k)
        if hit is not None and cache.keep(deck, k + MORE):
            results[i] = (*hit, functools.partial(cache.get, deck, k + MORE))
        else:
            misses.append((i, file, data, k))
    workers = min(os.cpu_count() or 1, 4)
    if len(misses) >= PARALLEL_FROM and workers > 1:
        parsed = _parse_in_parallel(misses, config, workers, context)
    else:
        parsed = (_read_and_render(file, config.root, levels, data, context) for _, file, data, _ in misses)
    if on_file is not None:
        for i in range(len(results)):
            if results[i] is not None:
                on_file(config.sources[i])
    for (i, file, _, k), result in zip(misses, parsed):
        if isinstance(result[0], bytes):  # from a worker, pickled as the cache keeps it
            video, diagnostics = pickle.loads(result[0])
            cache.put(deck, k, (video, diagnostics), result[0])
            cache.keep_pickled(deck, k + MORE, result[1])  # unpickled when (and each time) needed
            more = functools.partial(pickle.loads, result[1])
        else:
            (video, diagnostics), made = result
            cache.put(deck, k, (video, diagnostics))
            cache.put(deck, k + MORE, made)
            more = functools.partial(_same, made)
        results[i] = (video, diagnostics, more)
        if on_file is not None:
            on_file(file)
    for (video, diagnostics, more), k in zip(results, keys):
        yield video, diagnostics, k, more


def _same(value):
    return value


def _read_and_render(file: Path, root: Path, levels: Levels, data: bytes | None, context: tuple):
    """read_video, then what assembling its notes will need: ((video, diagnostics),
    (the HTML of every Markdown field, ``cards.prepared`` for the deck ``context``))."""
    try:
        with time_limit(READ_SECONDS, display_path(file)):
            video, diagnostics = read_video(file, root, levels, data)
            if video is None:
                return (None, diagnostics), ({}, None)
            rendered = render_all(s for n in video.notes for s in (n.text, n.back, n.extra))
            name, slug, tags = context
            return (video, diagnostics), (rendered, prepared(Deck(name, slug, 0, tags=tags), video))
    except AnkigenError as e:
        return (None, list(e.diagnostics)), ({}, None)


def _parse_in_parallel(misses, config: DeckConfig, workers: int, context: tuple):
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(str(file), str(config.root), config.levels, data, context) for _, file, data, _ in misses]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_read_job, jobs, chunksize=max(1, len(jobs) // (workers * 8)))


def _read_job(job) -> tuple[bytes, bytes]:
    """One script read in a worker, pickled there: sent back and cached as it is."""
    file, root, labels, data, context = job
    return tuple(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
                 for part in _read_and_render(Path(file), Path(root), _levels(labels), data, context))


@lru_cache(maxsize=8)
def _levels(labels: tuple[str, ...]) -> Levels:
    return Levels(labels)


def load_deck(config: DeckConfig, problems: Problems,
              on_file: Callable[[Path], None] | None = None) -> Deck:
    """Read and extract every video of a deck; problems are collected, not raised."""
    deck = Deck(name=config.name, slug=config.slug, deck_id=config.id, tags=config.tags)
    owners: dict[str, str] = {}
    for video, diagnostics, k, more in read_videos(config, on_file):
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
        deck.more[video.path] = more
        if k is not None:
            deck.keys[video.path] = k
    if not deck.videos and not problems.errors:
        problems.error(display_path(config.path) if config.path else config.name, None,
                       "deck has no videos")
    return deck


def _relative(file: Path, root: Path) -> str:
    return _relative_str(str(file), str(root))


@lru_cache(maxsize=65536)
def _relative_str(file: str, root: str) -> str:
    try:
        return os.path.relpath(os.path.abspath(file), os.path.abspath(root)).replace(os.sep, "/")
    except ValueError:  # another drive
        return os.path.basename(file)


def build_epoch() -> int:
    """The build's time: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit():
        return int(env)
    return int(time.time())


@dataclass
class Options:
    output: Path | None = None
    lock: Path | None = None
    rename_decks: bool = False
    allow_notetype_change: bool = False
    on_wait: Callable[[Path], None] | None = None  # told when another build holds the deck
    on_start: Callable[[int], None] | None = None  # told how many scripts will be read
    on_file: Callable[[Path], None] | None = None  # told after each script is read
    split: bool = False  # also one package per video
    allow_outside: bool = False  # sources may lie outside the project (or the named folder)


@dataclass
class Planned:
    """One deck, fully decided: what would be written where."""

    deck: Deck
    target: Path
    lock_path: Path
    zipping: Future  # the package's bytes, being compressed
    lock_text: str
    result: DeckResult
    split: list[tuple[Path, bytes]] = field(default_factory=list)  # one package per video

    @property
    def package(self) -> bytes:
        return self.zipping.result()


def prepare(sources: list[Path], options: Options,
            configs: list[DeckConfig] | None = None) -> tuple[list[Planned], Problems]:
    """Read, extract, identify and package every deck; write nothing."""
    configs = configs if configs is not None else plan(sources, options.allow_outside)
    for flag, value in (("-o", options.output), ("--lock", options.lock)):
        if value is not None and len(configs) > 1 and (flag == "--lock" or value.suffix == ".apkg"):
            raise AnkigenError(f"{len(configs)} decks to build but {flag} names one file", str(value))
    problems = Problems()
    if options.on_start is not None:
        options.on_start(sum(len(c.sources) for c in configs))
    decks = [(config, load_deck(config, problems, options.on_file)) for config in configs]
    problems.raise_errors("refused")
    now = build_epoch()
    planned = []
    for config, deck in decks:
        lock_path, existing, done = against_lock(config, deck, options, now, problems)
        shown = display_path(lock_path)
        target = _output_path(options.output, deck)
        data = package_later(done.decks, done.notes, done.model_mods, done.id_base)
        result = DeckResult(deck.name, display_path(target), len(deck.videos),
                            sum(1 for n in done.notes if not n.retired), done.cards,
                            changes=done.changes, lock=shown, retired_search=retired_search(deck),
                            retired=sum(1 for n in done.notes if n.retired),
                            first_build=existing is None,
                            read=deck.videos)
        split = split_packages(done, target, deck) if options.split else []
        result.split = [display_path(path) for path, _ in split]
        planned.append(Planned(deck, target, lock_path, data, dump_lock(done.lock), result, split))
    problems.raise_errors("refused")
    return planned, problems


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


def against_lock(config: DeckConfig, deck: Deck, options: Options, now: int, problems: Problems):
    """Settle a read deck against its lock: (lock path, the lock read or None, Assembled)."""
    lock_path = options.lock or lock_path_for(config.path, config.root)
    shown = display_path(lock_path)
    existing = read_lock(lock_path, shown)
    source = display_path(config.path) if config.path else shown
    done = assemble(deck, existing or Lock(), now, options.rename_decks,
                    options.allow_notetype_change, problems, source,
                    Shelf(SCRIPTS, str(config.path or config.root)))
    return lock_path, existing, done


@contextlib.contextmanager
def _few_cycles():
    """No cyclic garbage collection while a build runs: it makes hundreds of thousands of
    objects and almost no cycles, and the collector's passes over them cost ~15% of a
    rebuild. Collection resumes (and catches up) when the build is done."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def build(sources: list[Path], options: Options | None = None) -> BuildReport:
    """Build every deck the sources name. Nothing is written unless all of them are sound,
    and then all of them or none: every package and lock is staged, then renamed into place."""
    with _few_cycles():
        return _build(sources, options)


def _build(sources: list[Path], options: Options | None = None) -> BuildReport:
    options = options or Options()
    configs = plan(sources, options.allow_outside)
    lock_paths = [options.lock or lock_path_for(c.path, c.root) for c in configs]
    SCRIPTS.discard()
    with exclusive(lock_paths, options.on_wait):
        planned, problems = prepare(sources, options, configs)
        SCRIPTS.seal()  # the cache's new content, made while the packages are compressed
        write_all([file for p in planned for file in  # the package last: it may still be compressing
                   ((p.target, lambda p=p: p.package), *p.split, (p.lock_path, p.lock_text.encode("utf-8")))])
    SCRIPTS.flush()
    return BuildReport([p.result for p in planned], list(problems.items))


def diff(sources: list[Path], options: Options | None = None) -> BuildReport:
    """What a build would change for learners; writes nothing."""
    with _few_cycles():
        planned, problems = prepare(sources, options or Options())
    return BuildReport([p.result for p in planned], list(problems.items))


def _output_path(output: Path | None, deck: Deck) -> Path:
    if output is None:
        return Path("dist") / f"{deck.slug}.apkg"
    if output.suffix == ".apkg":
        return output
    return output / f"{deck.slug}.apkg"
