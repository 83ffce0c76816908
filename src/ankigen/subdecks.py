"""Which video is which, and the subdeck learners have it in: renamed or renumbered files
matched to the lock's videos, subdeck names and their numbers' width, course order."""

from __future__ import annotations

import re

from .errors import Problems
from .lock import Lock, LockedNote, LockedVideo
from .notes import Deck, Video
from .similar import MARGIN


def match_videos(deck: Deck, lock: Lock, by_video: dict[str, dict[str, LockedNote]],
                 others: frozenset[str] = frozenset()) -> dict[str, str]:
    """Current video slug → the slug the lock knows it by (renamed or renumbered files).
    A locked video whose file is one of ``others`` (not built this time) is no candidate."""
    current = {v.slug for v in deck.videos}
    out = {v.slug: v.slug for v in deck.videos if v.slug in lock.videos or v.pinned_id}
    free = [s for s in lock.videos if s not in current and lock.videos[s].file not in others]
    for video in deck.videos:
        if video.slug in out:
            continue
        found = _locked_slug(video, lock, by_video, free)
        if found is not None:
            free.remove(found)
        out[video.slug] = found or video.slug
    return out


def _locked_slug(video: Video, lock: Lock, by_video: dict[str, dict[str, LockedNote]],
                 free: list[str]) -> str | None:
    """The free locked video this one was: the same file, else the same title, else clearly
    the most of the same note keys."""
    found = next((s for s in free if lock.videos[s].file == video.source), None)
    found = found or next((s for s in free if lock.videos[s].title == video.title), None)
    if found is not None:
        return found
    ours = {n.key("").split("/", 1)[1] for n in video.notes}
    scores = {s: _overlap(ours, by_video.get(s, {})) for s in free}
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if ranked and ranked[0][1] >= 0.5 and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= MARGIN):
        return ranked[0][0]
    return None


def _overlap(ours: set[str], notes: dict[str, LockedNote]) -> float:
    theirs = {k.split("/", 1)[1] for k in notes}
    if not ours or not theirs:
        return 0.0
    return len(ours & theirs) / len(ours | theirs)


DEFAULT_WIDTH = 3  # subdeck numbers: 001 … 999, then as many digits as the series needs
_DECK_NUMBER = re.compile(r"^(\d+) ")


def number_width(deck: Deck, lock: Lock, slugs: dict[str, str] | None = None) -> int:
    """How many digits a subdeck's number has: as many as the lock's subdecks already use
    for their videos' numbers (``Staff Engineering::01 Ownership`` → 2) while the series'
    numbers fit, else three, or more from video 1000 on. ``slugs``: a video's slug → the
    one the lock knows it by. Text order is course order only at one width for all."""
    numbers = [int(v.number) for v in deck.videos if v.number]
    needed = len(str(max(numbers))) if numbers else 1
    locked = 0
    for video in deck.videos:
        entry = lock.videos.get((slugs or {}).get(video.slug, video.slug))
        m = (_DECK_NUMBER.match(entry.subdeck.rsplit("::", 1)[-1])
             if entry and entry.retired is None and video.number else None)
        if m and int(m.group(1)) == int(video.number):
            locked = max(locked, len(m.group(1)))
    return locked if locked >= needed else max(DEFAULT_WIDTH, needed)


def subdeck_for(deck: Deck, video: Video, locked: LockedVideo | None, rename_decks: bool,
                width: int) -> tuple[str, str]:
    """(the subdeck the video's cards go to, the name it would have anew)."""
    name = f"{deck.name}::{video.subdeck_name(width).replace('::', ':')}"
    if locked is None or locked.subdeck == name or locked.retired is not None or rename_decks:
        return name, name
    return locked.subdeck, name


def _renumbered_only(deck: Deck, video: Video, kept: str) -> bool:
    """Is the kept subdeck this video's title with its number padded otherwise, or without
    it (named before numbers were read from names like ``Topic_01_X``)? Then the deck-wide
    course-order check speaks, once, instead of a warning per video."""
    if not video.number:
        return False
    title = f"{deck.name}::{video.title.replace('::', ':')}"
    if kept == title:
        return True
    m = re.fullmatch(rf"{re.escape(deck.name)}::(\d+) (.*)", kept, re.S)
    return bool(m) and int(m.group(1)) == int(video.number) and m.group(2) == video.title.replace("::", ":")


def subdeck(deck: Deck, video: Video, locked: LockedVideo | None, rename_decks: bool,
            problems: Problems, renames: list, width: int) -> str:
    """The subdeck the video's cards go to: the one learners have, unless ``rename_decks``
    (the rename is recorded in ``renames``); a kept name that differs is warned about."""
    name_now, name = subdeck_for(deck, video, locked, rename_decks, width)
    if locked is None or locked.retired is not None or locked.subdeck == name:
        return name_now
    if rename_decks:
        renames.append((locked.subdeck, name))
    elif not _renumbered_only(deck, video, locked.subdeck):
        problems.warn(video.path, 1, f"video retitled or renumbered: its cards stay in '{locked.subdeck}' "
                      f"(Anki matches decks by name); pass --rename-decks to send new cards to '{name}'",
                      "deck-kept")
    return name_now


def warn_course_order(videos: list, width: int, problems: Problems) -> None:
    """Anki lists subdecks by name, as text, and hands out new cards deck by deck in that
    order: warn once if that is not the order of the videos' numbers (subdecks kept from a
    lock written before numbers were read, or at a width the series outgrew). ``videos``:
    ``IdentifiedVideo``s."""
    numbered = [iv for iv in videos if iv.video.number]
    listed = sorted(numbered, key=lambda iv: [part.lower() for part in iv.subdeck.split("::")])
    for before, after in zip(listed, listed[1:]):
        if int(after.video.number) < int(before.video.number):
            problems.warn(after.video.path, 1, f"Anki lists '{before.subdeck}' (video "
                          f"{int(before.video.number)}) before '{after.subdeck}' (video "
                          f"{int(after.video.number)}), so new cards come out of course order; "
                          f"pass --rename-decks to number every subdeck with {width} digits "
                          "(learners' existing cards stay in the subdecks they have)", "course-order")
            return
