"""The build: gather every source, extract, identify, then write once."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import threading
import time
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .cache import ScriptCache, Shelf
from .cache import key as cache_key
from .assemble import assemble, retired_search, settle_alone, settled_key
from .changes import DeckChanges
from .config import DeckConfig, display_path, load_config, markdown_deck, natural_key
from .contrast import Levels
from .errors import ERROR, AnkigenError, Diagnostic, Problems
from .extract import extract
from .lock import Lock, dump_lock, lock_path_for
from .lockfile import read_lock
from .cards import card_count, prepared
from .notes import Deck, Video
from .text import CONTROL, clean, may_hold_control, slugify
from .files import READ_SECONDS, pause_point, read_source, time_limit, write_all
from .package import exclusive, package_bytes, package_later
from .render import render_all, to_html
from .script import decode, parse
from .skipping import NOT_A_SCRIPT, InLock

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
    subdecks: dict[str, str] = field(default_factory=dict, repr=False)  # a video's file → its subdeck
    split: list[str] = field(default_factory=list)  # one package per video, with --split

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
        files = unique_paths(files)
        decks.append(_of_config(files, allow_outside) or markdown_deck(folder, files))
    return decks


def _of_config(files: list[Path], allow_outside: bool) -> DeckConfig | None:
    """Scripts given by name that are all sources of one deck config of their project (the
    nearest folder above them holding ``decks/``): that config, built for these scripts
    only. Its name, tags, levels and lock are the series'; the other scripts' lock entries
    are kept as they are (``DeckConfig.others``), never retired or rewritten."""
    wanted = {f.resolve() for f in files}
    here = next(iter(wanted)).parent
    for folder in (here, *here.parents):
        if not (folder / "decks").is_dir():
            continue
        for path in find_configs(folder):
            try:
                config = load_config(path, allow_outside)
            except AnkigenError:
                continue
            if wanted <= set(config.sources):
                built = tuple(f for f in config.sources if f in wanted)
                others = tuple(_relative(f, config.root) for f in config.sources if f not in wanted)
                return replace(config, sources=built, others=others)
        return None
    return None


def _control_characters(text: str, shown: str, problems: Problems) -> None:
    """A NUL, Anki's field separator (U+001F) and the like never reach a card; say where."""
    m = CONTROL.search(text) if may_hold_control(text) else None
    if m:
        code = ord(m.group())
        kind = ("private-use character" if 0xE000 <= code <= 0xF8FF else "control character")
        problems.warn(shown, text.count("\n", 0, m.start()) + 1,
                      f"{kind} U+{code:04X} removed (and any others); "
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
    video = extract(script, file, levels, problems)
    if video is not None:
        video = replace(video, source=_relative(file, root))
    return video, problems.items


PARALLEL_FROM = 150  # scripts to parse before a second process pays for itself
SCRIPTS = ScriptCache()  # this process's parse cache; a build writes it once its own files are written


# Cache key suffix: a script's rendered HTML and prepared notes, read when needed. Not kept
# for a video a worker settled: it comes whole from its Settled entry, and should it ever
# be assembled again (its lock entries changed), its fields are made afresh.
MORE = "\0more"


def read_videos(config: DeckConfig, on_file: Callable[[Path], None] | None = None,
                cache: ScriptCache | None = None, settling: Settling | None = None):
    """Every script of a deck read, in source order: (video, diagnostics, cache key or None
    if unreadable, ``more``). From the cache where it holds the same bytes, else parsed
    (across processes when there are many). ``more()`` gives the video's rendered HTML and
    ``cards.prepared`` rows (None if they are not to be had): a rebuild needs them only for
    the videos it reassembles. With ``settling``, the workers also settle each video they
    parse against its part of the lock, and the cache is given what they settled."""
    cache = cache or SCRIPTS
    levels = Levels(config.levels)
    deck = _cache_deck(config)
    context = (config.name, config.slug, config.tags)
    results: list = [None] * len(config.sources)
    keys: list[str | None] = [None] * len(config.sources)
    misses: list[tuple[int, Path, bytes, str]] = []
    workers = min(os.cpu_count() or 1, 4)
    parallel, early = None, 0
    try:
        for i, file in enumerate(config.sources):
            try:
                data = read_source(file, display_path(file))
            except AnkigenError:
                main, made = _read_and_render(file, config.root, levels, None, context)
                results[i] = (*main, functools.partial(_same, made))
                continue
            k = keys[i] = cache_key(data, display_path(file), _relative(file, config.root), *config.levels)
            hit = cache.get(deck, k)
            if hit is not None:
                cache.keep(deck, k + MORE)  # if there is one
                results[i] = (*hit, functools.partial(cache.get, deck, k + MORE))
                continue
            misses.append((i, file, data, k))
            if len(misses) >= PARALLEL_FROM and workers > 1:  # the workers start while the rest is read
                if parallel is None:
                    parallel = _parse_in_parallel(config, workers, context, settling)
                    parallel.hand_out(misses)
                    early = parallel.sent  # sent before the lock was read: settled here, below
                    if settling is not None:  # read while they parse: the chunks after are settled too
                        settling.read()
                parallel.hand_out(misses)
        if parallel is not None:
            parsed = parallel.results(misses)
        else:
            parsed = (_read_and_render(file, config.root, levels, data, context) for _, file, data, _ in misses)
        if on_file is not None:
            for i in range(len(results)):
                if results[i] is not None:
                    on_file(config.sources[i])
        for n, ((i, file, _, k), result) in enumerate(zip(misses, parsed)):
            if isinstance(result[0], bytes):  # from a worker, pickled as the cache keeps it
                settled, more = result[2], result[1]
                if n < early and settling is not None and settling.parts:  # while the workers parse the rest
                    settled = _settled(context, (settling.now, settling.rename_decks), pickle.loads(result[0])[0],
                                       k, pickle.loads(more), settling.parts.get(_relative(file, config.root)))
                if settled is not None:  # settled by the worker: used as if from the cache
                    cache.keep_pickled(deck, settling.key(k), settled)
                else:
                    cache.keep_pickled(deck, k + MORE, more)  # unpickled when (and each time) needed
                # the video is unpickled once the workers are gone: less memory at once
                results[i] = (result[0], None, functools.partial(_unpickled, None if settled else more))
            else:
                (video, diagnostics), made = result
                cache.put(deck, k, (video, diagnostics))
                cache.put(deck, k + MORE, made)
                results[i] = (video, diagnostics, functools.partial(_same, made))
            if on_file is not None:
                on_file(file)
    except BaseException:  # interrupted (Ctrl-C, a refused file): the workers' chunks are not waited for
        if parallel is not None:
            parallel.close(abandon=True)
            parallel = None
        raise
    finally:
        if parallel is not None:
            parallel.close()
    for (video, diagnostics, more), k in zip(results, keys):
        if isinstance(video, bytes):
            pickled = video
            video, diagnostics = pickle.loads(pickled)
            cache.put(deck, k, (video, diagnostics), pickled)
        yield video, diagnostics, k, more


def _cache_deck(config: DeckConfig) -> str:
    """The name of a deck's part of the cache (its scripts, and its settled videos)."""
    return str(config.path or config.root)


def _same(value):
    return value


def _unpickled(pickled: bytes | None):
    return None if pickled is None else pickle.loads(pickled)


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


class Settling:
    """What worker processes need to settle the videos they parse (``assemble.settle_alone``):
    the lock's part for each video file (``Lock.parts``), the build's time and options.
    The lock is read once the workers have started (``read``), and kept for the build."""

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


def _parse_in_parallel(config: DeckConfig, workers: int, context: tuple,
                       settling: Settling | None = None) -> _Parallel:
    return _Parallel(config, workers, context, settling)


class _Parallel:
    """Scripts parsed by worker processes, handed out in chunks as they are read: the
    workers start on the first chunks while the main process reads the rest."""

    def __init__(self, config: DeckConfig, workers: int, context: tuple, settling: Settling | None):
        from concurrent.futures import ProcessPoolExecutor

        import multiprocessing
        import sys

        # Forked on Linux whatever Python's default (3.14's is a fork server, whose workers
        # outlive a killed build): the kernel then ends them with it (see _worker_start).
        start = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=start, initializer=_worker_start,
                                        initargs=(os.getpid(), start.get_start_method() == "fork"))
        self.root = config.root
        self.settling = settling
        self.job = (str(config.root), config.levels, context,
                    settling and (settling.now, settling.rename_decks))
        self.total, self.workers = len(config.sources), workers
        self.chunk = max(1, self.total // (workers * 8))
        self.futures: list = []
        self.sent = 0

    def _size(self) -> int:
        """The next chunk's size: smaller towards the end, so the workers finish together."""
        return max(1, self.chunk // 8, min(self.chunk, (self.total - self.sent) // (self.workers * 4)))

    def hand_out(self, misses: list, rest: bool = False) -> None:
        """Send each whole chunk of ``misses`` not sent yet (with ``rest``, all of them)."""
        parts = self.settling.parts if self.settling is not None else {}
        while len(misses) - self.sent >= self._size() or (rest and self.sent < len(misses)):
            jobs = [(str(file), *self.job, data, k, parts.get(_relative(file, self.root)))
                    for _, file, data, k in misses[self.sent:self.sent + self._size()]]
            self.futures.append(self.pool.submit(_read_jobs, jobs))
            for n in range(self.sent, self.sent + len(jobs)):  # the bytes are the job's now
                i, file, _, k = misses[n]
                misses[n] = (i, file, None, k)
            self.sent += len(jobs)

    def results(self, misses: list):
        """Each script's result, in the order of ``misses``."""
        self.hand_out(misses, rest=True)
        for future in self.futures:
            yield from future.result()

    def close(self, abandon: bool = False) -> None:
        """Shut the workers down; with ``abandon``, end them without waiting for their chunks."""
        if abandon:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                with contextlib.suppress(OSError, ValueError):
                    process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _worker_start(build: int, forked: bool) -> None:
    """A worker's first act: let go of the build lock it was forked holding, and end with
    the build however the build ends (SIGKILL included). Forked on Linux, the kernel sends
    it SIGKILL then (PR_SET_PDEATHSIG), and a build already gone by now ends it at once;
    elsewhere (or started by a fork server) a thread checks twice a second that the build
    is still running."""
    from .package import release_inherited

    release_inherited()
    if forked and _die_with_parent():
        if os.getppid() != build:
            os._exit(1)
        return
    threading.Thread(target=_watch_build, args=(build,), daemon=True, name="ankigen build").start()


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where it cannot."""
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _watch_build(build: int) -> None:
    while _running(build):
        time.sleep(0.5)
    os._exit(1)


def _running(pid: int) -> bool:
    if os.getppid() == pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists
        return True
    return True


def _read_jobs(jobs: list) -> list[tuple[bytes, bytes | None, bytes | None]]:
    done = [_read_job(job) for job in jobs]
    to_html.cache_clear()  # a field's HTML is reused within its script, seldom across: memory
    return done


def _read_job(job) -> tuple[bytes, bytes | None, bytes | None]:
    """One script read in a worker, pickled there: sent back and cached as it is. With its
    part of the lock, also the video settled against it (None if it is not settled); a
    settled video's rendered HTML and prepared notes are not sent (see ``MORE``)."""
    file, root, labels, context, settling, data, k, part = job
    main, made = _read_and_render(Path(file), Path(root), _levels(labels), data, context)
    settled = _settled(context, settling, main[0], k, made, part)
    return (pickle.dumps(main, protocol=pickle.HIGHEST_PROTOCOL),
            None if settled is not None else pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL), settled)


def _settled(context: tuple, settling: tuple | None, video: Video | None, k: str, made: tuple,
             part: tuple | None) -> bytes | None:
    """The video settled against its ``part`` of the lock, pickled (``assemble.settle_alone``),
    None if it is not settled (or there is no part for it)."""
    if part is None or settling is None or video is None or video.slug != part[0] or made[1] is None:
        return None
    name, slug, tags = context
    settled = settle_alone(Deck(name, slug, 0, tags=tags), video, k, made, part, *settling)
    return None if settled is None else pickle.dumps(settled, protocol=pickle.HIGHEST_PROTOCOL)


@lru_cache(maxsize=8)
def _levels(labels: tuple[str, ...]) -> Levels:
    return Levels(labels)


def load_deck(config: DeckConfig, problems: Problems,
              on_file: Callable[[Path], None] | None = None, settling: Settling | None = None) -> Deck:
    """Read and extract every video of a deck; problems are collected, not raised."""
    deck = Deck(name=config.name, slug=config.slug, deck_id=config.id, tags=config.tags)
    owners: dict[str, str] = {}
    lock = InLock(settling, lock_path_for(config.path, config.root), config.root)
    skipped: list[tuple[list[Diagnostic], list[Diagnostic]]] = []
    refused = False
    for file, (video, diagnostics, k, more) in zip(config.sources, read_videos(config, on_file, settling=settling)):
        if video is None and any(d.code == NOT_A_SCRIPT and d.severity == ERROR for d in diagnostics):
            judged, skip = lock.judge(file, _relative(file, config.root), diagnostics)
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
        deck.more[video.path] = more
        if k is not None:
            deck.keys[video.path] = k
    for diagnostics, judged in skipped:  # every file skipped: refused, each for its reason
        problems.items.extend(diagnostics if not deck.videos and not refused else judged)
    if not deck.videos and not problems.errors:
        problems.error(display_path(config.path) if config.path else config.name, None,
                       "deck has no videos")
    deck.videos.sort(key=course_order)
    return deck


def course_order(video: Video) -> tuple:
    """Videos in course order: by number (``Topic_2`` before ``Topic_10_``, front matter
    ``order:`` counts), the sources' own order among equals; unnumbered ones last. New
    cards come due in this order."""
    return (0, int(video.number)) if video.number else (1, 0)


def _relative(file: Path, root: Path) -> str:
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


def build_epoch() -> int:
    """The build's time: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now."""
    from .lock import MAX_TIME

    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit() and int(env) <= MAX_TIME:  # a time the lock can hold
        return int(env)
    return int(time.time())


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


def prepare(sources: list[Path], options: Options, configs: list[DeckConfig] | None = None,
            assembled: Callable[[], None] | None = None) -> tuple[list[Planned], Problems]:
    """Read, extract, identify and package every deck; write nothing. ``assembled`` is
    called once every deck is assembled without an error (the cache then holds all it will)."""
    configs = configs if configs is not None else plan(sources, options.allow_outside)
    for flag, value in (("-o", options.output), ("--lock", options.lock)):
        if value is not None and len(configs) > 1 and (flag == "--lock" or value.suffix == ".apkg"):
            raise AnkigenError(f"{len(configs)} decks to build but {flag} names one file", str(value))
    problems = Problems()
    if options.on_start is not None:
        options.on_start(sum(len(c.sources) for c in configs))
    now = build_epoch()
    decks = []
    for config in configs:
        settling = Settling(Deck(config.name, config.slug, 0, tags=config.tags),
                            options.lock or lock_path_for(config.path, config.root), now, options.rename_decks)
        decks.append((config, load_deck(config, problems, options.on_file, settling), settling))
    problems.raise_errors("refused")
    settled = [(config, deck, *against_lock(config, deck, options, now, problems, settling))
               for config, deck, settling in decks]
    if assembled is not None and not problems.errors:
        assembled()
    planned = []
    for config, deck, lock_path, existing, done in settled:
        shown = display_path(lock_path)
        target = _output_path(options.output, deck, bool(config.others))
        data = package_later(done.decks, done.notes, done.model_mods, done.id_base)
        result = DeckResult(deck.name, display_path(target), len(deck.videos),
                            sum(1 for n in done.notes if not n.retired), done.cards,
                            changes=done.changes, lock=shown, retired_search=retired_search(deck),
                            retired=sum(1 for n in done.notes if n.retired),
                            first_build=existing is None,
                            read=deck.videos, subdecks={v.file: v.subdeck for v in done.lock.videos.values()
                                                        if v.retired is None})
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


def against_lock(config: DeckConfig, deck: Deck, options: Options, now: int, problems: Problems,
                 settling: Settling | None = None):
    """Settle a read deck against its lock: (lock path, the lock read or None, Assembled).
    The lock as ``settling`` read it, if it did."""
    lock_path = options.lock or lock_path_for(config.path, config.root)
    shown = display_path(lock_path)
    existing = settling.lock if settling is not None and settling.was_read else read_lock(lock_path, shown)
    source = display_path(config.path) if config.path else shown
    done = assemble(deck, existing or Lock(), now, options.rename_decks,
                    options.allow_notetype_change, problems, source,
                    Shelf(SCRIPTS, _cache_deck(config)), options.retype, options.retire_sections,
                    frozenset(config.others))
    return lock_path, existing, done


def lock_diagnostics(config: DeckConfig, deck: Deck) -> list[Diagnostic]:
    """For ``check``: what settling a read deck against its lock says, as a build with the
    default options would (a damaged lock's refusal included). Nothing is written."""
    problems = Problems()
    try:
        against_lock(config, deck, Options(), build_epoch(), problems)
    except AnkigenError as e:
        return list(e.diagnostics)
    return problems.items


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
    caching = _CacheFiles()
    with exclusive(lock_paths, options.on_wait):
        try:
            planned, problems = prepare(sources, options, configs, caching.start)
            write_all([file for p in planned for file in  # the package last: it may still be compressing
                       ((p.target, lambda p=p: p.package), *p.split, (p.lock_path, p.lock_text.encode("utf-8")))])
        except BaseException:
            caching.finish(False)
            raise
        caching.finish(True)
    return BuildReport([p.result for p in planned], list(problems.items))


class _CacheFiles:
    """The cache's files, made and staged in a thread once every deck is assembled (while
    the packages and locks are made and written), put in place only if those were written."""

    def __init__(self):
        self.thread: threading.Thread | None = None
        self.staged: list = []

    def start(self) -> None:
        self.thread = threading.Thread(target=lambda: self.staged.extend(SCRIPTS.stage()), name="ankigen cache")
        self.thread.start()

    def finish(self, written: bool) -> None:
        if self.thread is not None:
            self.thread.join()
            (SCRIPTS.commit if written else SCRIPTS.abandon)(self.staged)


def diff(sources: list[Path], options: Options | None = None) -> BuildReport:
    """What a build would change for learners; writes nothing."""
    with _few_cycles():
        planned, problems = prepare(sources, options or Options())
    return BuildReport([p.result for p in planned], list(problems.items))


def _output_path(output: Path | None, deck: Deck, partial: bool = False) -> Path:
    """``dist/<deck>.apkg``; a build of some of a series' scripts, ``dist/<deck>-partial.apkg``
    (never mistaken for the whole deck)."""
    name = f"{deck.slug}-partial.apkg" if partial else f"{deck.slug}.apkg"
    if output is None:
        return Path("dist") / name
    if output.suffix == ".apkg":
        return output
    return output / name
