"""Which note is which: GUIDs, cloze numbers and subdecks that survive every edit.

CARDS.md "Identity" is the contract. A note's GUID comes from its natural key
(series, video, kind, anchor); the lock remembers what learners already have,
so renamed files, slightly renamed anchors and reworded deletions keep their
GUIDs and cloze numbers. Matching by similarity is done within one video and
one kind only, and ambiguous or weak matches are never guessed.

This module runs the steps; each has a module of its own: ``subdecks`` (which video is
which, its subdeck, course order), ``note_match`` (which note is which, with ``clozes``
and ``retype``), ``sections`` (a whole section gone), ``placeholders`` (init's template).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from .errors import Diagnostic, Problems
from .lock import Lock, LockedNote, LockedVideo
from .note_match import GuidOf, Identified, match_notes
from .notes import Deck, Video
from .placeholders import is_template_title, was_template
from .sections import vanished_sections
from .subdecks import match_videos, number_width, subdeck, subdeck_for, warn_course_order

__all__ = ["Identified", "IdentifiedVideo", "Identity", "identify"]


@dataclass
class IdentifiedVideo:
    video: Video  # slug is the identity the lock knows it by
    subdeck: str  # the subdeck name learners have
    notes: list[Identified] = field(default_factory=list)
    locked: dict[str, LockedNote] = field(default_factory=dict)  # the lock's notes of this video
    diagnostics: list[Diagnostic] = field(default_factory=list)  # what identifying it said
    settled: Any = None  # what ``settled`` gave: nothing to identify, all is as the lock has it


@dataclass
class Identity:
    videos: list[IdentifiedVideo]
    retired: dict[str, LockedNote]  # key → entry, retired before or in this build
    newly_retired: list[str]
    video_renames: list[tuple[str, str]]  # (old subdeck, new subdeck) applied with --rename-decks
    moved_files: list[tuple[str, str]]  # (locked slug, file now)
    kept: frozenset[str] = frozenset()  # videos not built this time: their lock entries kept as they are


@dataclass
class _Run:
    """What identifying every video shares: the build's choices and what it has found so far."""

    deck: Deck
    lock: Lock
    rename_decks: bool
    problems: Problems
    width: int
    taken: set[str]  # GUIDs given out
    guid_of: GuidOf
    retype: bool
    retire_sections: bool
    matched: set[str] = field(default_factory=set)  # lock keys of current notes
    renames: list[tuple[str, str]] = field(default_factory=list)


def identify(deck: Deck, lock: Lock, now: int, rename_decks: bool, problems: Problems,
             settled: Callable[[Video, dict[str, LockedNote], LockedVideo | None], Any] | None = None,
             retype: bool = False, others: frozenset[str] = frozenset(),
             retire_sections: bool = False, *, guid_of: GuidOf) -> Identity:
    """Settle every note's GUID, cloze numbers and subdeck against the lock.

    ``settled(video, its locked notes, its locked video)`` may say a video is known to
    be settled already (a script and lock entries unchanged since a build in which
    nothing about it changed): it is then not identified again. What it returns must
    have ``keys`` (its notes' keys), ``subdeck`` and ``diagnostics``. ``guid_of``: the
    GUID of values (``package.guid_for``), for new notes."""
    by_video: dict[str, dict[str, LockedNote]] = {}
    for key, entry in lock.notes.items():
        by_video.setdefault(key.split("/", 1)[0], {})[key] = entry
    slugs = match_videos(deck, lock, by_video, others)
    kept = _not_built(lock, slugs, others)
    run = _Run(deck, lock, rename_decks, problems, number_width(deck, lock, slugs), set(lock.guids),
               guid_of, retype, retire_sections)
    known_of = _known(deck, lock, by_video, slugs, settled)
    videos, moved = [], []
    for video in deck.videos:
        slug = slugs[video.slug]
        if slug != video.slug:
            moved.append((slug, video.source or video.path))
            video = replace(video, slug=slug)
        locked = by_video.get(slug, {})
        known = _still_settled(run, video, known_of.get(video.path))
        videos.append(_as_settled(run, video, locked, known) if known is not None
                      else _identify_video(run, video, locked))
    retired, newly = _retired(lock, run.matched, kept, now)
    warn_course_order(videos, run.width, problems)
    return Identity(videos, retired, newly, run.renames, moved, kept)


def _not_built(lock: Lock, slugs: dict[str, str], others: frozenset[str]) -> frozenset[str]:
    """The locked videos whose files are not built this time (``others``) and that no
    current video is: their entries are kept as they are."""
    return frozenset(s for s, v in lock.videos.items() if others and v.file in others
                     and s not in slugs.values())


def _known(deck: Deck, lock: Lock, by_video: dict[str, dict[str, LockedNote]], slugs: dict[str, str],
           settled) -> dict[str, Any]:
    """What ``settled`` says of each video under its own slug (by path); when most are not
    settled, every note of the lock is read now, in one go (they will all be used)."""
    known_of = {video.path: settled(video, by_video.get(video.slug, {}), lock.videos.get(video.slug))
                for video in deck.videos if settled and slugs[video.slug] == video.slug}
    if sum(1 for k in known_of.values() if k is None) > len(deck.videos) // 2:
        lock.read_all()  # most videos are assembled again, so their notes are all read
    return known_of


def _still_settled(run: _Run, video: Video, known):
    """What ``settled`` said of the video, unless its subdeck is no longer the one it had
    (settled by a worker, which saw the deck's width narrower)."""
    if known is not None and known.subdeck != subdeck_for(run.deck, video, run.lock.videos.get(video.slug),
                                                          run.rename_decks, run.width)[0]:
        return None
    return known


def _as_settled(run: _Run, video: Video, locked: dict[str, LockedNote], known) -> IdentifiedVideo:
    run.problems.items.extend(known.diagnostics)
    run.matched.update(known.keys)
    return IdentifiedVideo(video, known.subdeck, locked=locked, diagnostics=list(known.diagnostics),
                           settled=known)


def _identify_video(run: _Run, video: Video, locked: dict[str, LockedNote]) -> IdentifiedVideo:
    """One video identified against its lock entries: its subdeck, a section gone, its notes."""
    problems = run.problems
    said = len(problems.items)
    was = run.lock.videos.get(video.slug)
    template = was_template(video.slug, was, locked)
    name = subdeck(run.deck, video, was, run.rename_decks or (template and is_template_title(was)),
                   problems, run.renames, run.width)
    iv = IdentifiedVideo(video, name, locked=locked)
    vanished_sections(video, locked, problems, run.retire_sections)
    for ident in match_notes(run.deck, video, locked, run.taken, problems, run.guid_of, run.retype, template):
        if ident.locked_key is not None:
            run.matched.add(ident.locked_key)
        run.taken.add(ident.guid)
        iv.notes.append(ident)
    iv.diagnostics = problems.items[said:]
    return iv


def _retired(lock: Lock, matched: set[str], kept: frozenset[str], now: int
             ) -> tuple[dict[str, LockedNote], list[str]]:
    """The entries no current note is (retired before, or newly now), but those of videos
    not built this time; and the keys newly retired."""
    retired, newly = {}, []
    for key, entry in lock.notes.items():
        if key in matched:  # a current note (so not retired); its entry need not be read
            continue
        if kept and key.split("/", 1)[0] in kept:  # a video not built this time: as the lock has it
            continue
        if entry.retired is not None:
            retired[key] = entry
        else:
            retired[key] = replace(entry, retired=now)
            newly.append(key)
    return retired, newly
