"""Which note is which: GUIDs, cloze numbers and subdecks that survive every edit.

CARDS.md "Identity" is the contract. A note's GUID comes from its natural key
(series, video, kind, anchor); the lock remembers what learners already have,
so renamed files, slightly renamed anchors and reworded deletions keep their
GUIDs and cloze numbers. Matching by similarity is done within one video and
one kind only, and ambiguous or weak matches are never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any, Callable

import genanki

from .errors import Diagnostic, Problems
from .lock import Lock, LockedNote, LockedVideo
from .notes import CLOZE, KEY_PART, Deck, NoteSpec, Video
from .text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN, show_cloze

MATCH = 0.6  # a similarity below this is not the same note
MARGIN = 0.1  # the best match must beat the runner-up by this much
_MARKER = re.compile(f"{CLOZE_OPEN}(\\d+){CLOZE_MID}([^{CLOZE_CLOSE}]*){CLOZE_CLOSE}")  # the first close ends it


@dataclass
class Identified:
    """One note with its identity settled."""

    video: Video
    spec: NoteSpec  # cloze markers renumbered to their numbers for life
    key: str
    guid: str
    clozes: dict[str, int]
    removed_clozes: dict[str, int]
    renamed_from: str | None = None


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


def guid_for(deck: Deck, key: str, taken: set[str]) -> str:
    """The GUID of a new note: derived from its key; salted only if a lock already holds it."""
    guid = genanki.guid_for("ankigen", deck.slug, key)
    n = 1
    while guid in taken:
        n += 1
        guid = genanki.guid_for("ankigen", deck.slug, key, n)
    return guid


def plain(text: str) -> str:
    text = re.sub(r"\{\{c\d+::|\}\}", "", show_cloze(text))
    return re.sub(r"[*_`]", "", text)


def similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a.lower(), b.lower(), autojunk=False)
    if matcher.real_quick_ratio() < MATCH or matcher.quick_ratio() < MATCH:
        return matcher.quick_ratio() * 0.5
    return matcher.ratio()


def best_pairs(olds: list[str], news: list[str], score) -> list[tuple[int, int]]:
    """Pairs (i, j) that are each other's clear best match above MATCH."""
    scores = [[score(o, n) for n in news] for o in olds]
    pairs = []
    for i, row in enumerate(scores):
        if not row:
            continue
        j = max(range(len(row)), key=row.__getitem__)
        best = row[j]
        if best < MATCH:
            continue
        rivals = [r for k, r in enumerate(row) if k != j] + [scores[k][j] for k in range(len(olds)) if k != i]
        if all(best - r >= MARGIN for r in rivals):
            pairs.append((i, j))
    return pairs


def identify(deck: Deck, lock: Lock, now: int, rename_decks: bool, problems: Problems,
             settled: Callable[[Video, dict[str, LockedNote], LockedVideo | None], Any] | None = None
             ) -> Identity:
    """Settle every note's GUID, cloze numbers and subdeck against the lock.

    ``settled(video, its locked notes, its locked video)`` may say a video is known to
    be settled already (a script and lock entries unchanged since a build in which
    nothing about it changed): it is then not identified again. What it returns must
    have ``keys`` (its notes' keys), ``subdeck`` and ``diagnostics``."""
    by_video: dict[str, dict[str, LockedNote]] = {}
    for key, entry in lock.notes.items():
        by_video.setdefault(key.split("/", 1)[0], {})[key] = entry
    slugs = _match_videos(deck, lock, by_video)
    taken = set(lock.guids)
    width = number_width(deck, lock, slugs)
    known_of = {video.path: settled(video, by_video.get(video.slug, {}), lock.videos.get(video.slug))
                for video in deck.videos if settled and slugs[video.slug] == video.slug}
    if sum(1 for k in known_of.values() if k is None) > len(deck.videos) // 2:
        lock.read_all()  # most videos are assembled again, so their notes are all read
    videos, matched_keys, moved, renames = [], set(), [], []
    for video in deck.videos:
        slug = slugs[video.slug]
        if slug != video.slug:
            moved.append((slug, video.source or video.path))
            video = replace(video, slug=slug)
        locked = by_video.get(slug, {})
        known = known_of.get(video.path)
        if known is not None and known.subdeck != _subdeck_for(deck, video, lock.videos.get(slug),
                                                               rename_decks, width)[0]:
            known = None  # settled by a worker, which saw the deck's width narrower
        if known is not None:
            problems.items.extend(known.diagnostics)
            matched_keys.update(known.keys)
            videos.append(IdentifiedVideo(video, known.subdeck, locked=locked,
                                          diagnostics=list(known.diagnostics), settled=known))
            continue
        said = len(problems.items)
        subdeck = _subdeck(deck, video, lock.videos.get(slug), rename_decks, problems, renames, width)
        iv = IdentifiedVideo(video, subdeck, locked=locked)
        for ident in _match_notes(deck, video, locked, taken, problems):
            matched_keys.add(ident.renamed_from or ident.key)
            taken.add(ident.guid)
            iv.notes.append(ident)
        iv.diagnostics = problems.items[said:]
        videos.append(iv)
    retired, newly = {}, []
    for key, entry in lock.notes.items():
        if key in matched_keys:  # a current note (so not retired); its entry need not be read
            continue
        if entry.retired is not None:
            retired[key] = entry
        else:
            retired[key] = replace(entry, retired=now)
            newly.append(key)
    _course_order(videos, width, problems)
    return Identity(videos, retired, newly, renames, moved)


def _match_videos(deck: Deck, lock: Lock, by_video: dict[str, dict[str, LockedNote]]) -> dict[str, str]:
    """Current video slug → the slug the lock knows it by (renamed or renumbered files)."""
    current = {v.slug for v in deck.videos}
    out = {v.slug: v.slug for v in deck.videos if v.slug in lock.videos or v.pinned_id}
    free = [s for s in lock.videos if s not in current]
    for video in deck.videos:
        if video.slug in out:
            continue
        found = next((s for s in free if lock.videos[s].file == video.source), None)
        found = found or next((s for s in free if lock.videos[s].title == video.title), None)
        if found is None:
            ours = {n.key("").split("/", 1)[1] for n in video.notes}
            scores = {s: _overlap(ours, by_video.get(s, {})) for s in free}
            ranked = sorted(scores.items(), key=lambda kv: -kv[1])
            if ranked and ranked[0][1] >= 0.5 and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= MARGIN):
                found = ranked[0][0]
        if found is not None:
            free.remove(found)
        out[video.slug] = found or video.slug
    return out


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


def _subdeck_for(deck: Deck, video: Video, locked: LockedVideo | None, rename_decks: bool,
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


def _subdeck(deck: Deck, video: Video, locked: LockedVideo | None, rename_decks: bool,
             problems: Problems, renames: list, width: int) -> str:
    subdeck, name = _subdeck_for(deck, video, locked, rename_decks, width)
    if locked is None or locked.retired is not None or locked.subdeck == name:
        return subdeck
    if rename_decks:
        renames.append((locked.subdeck, name))
    elif not _renumbered_only(deck, video, locked.subdeck):
        problems.warn(video.path, 1, f"video retitled or renumbered: its cards stay in '{locked.subdeck}' "
                      f"(Anki matches decks by name); pass --rename-decks to send new cards to '{name}'",
                      "deck-kept")
    return subdeck


def _course_order(videos: list[IdentifiedVideo], width: int, problems: Problems) -> None:
    """Anki lists subdecks by name, as text, and hands out new cards deck by deck in that
    order: warn once if that is not the order of the videos' numbers (subdecks kept from a
    lock written before numbers were read, or at a width the series outgrew)."""
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


def _match_notes(deck: Deck, video: Video, notes: dict[str, LockedNote], taken: set[str],
                 problems: Problems):
    prefix = video.slug + "/"
    locked = {k: n for k, n in notes.items() if n.retired is None}
    keys = [spec.key(video.slug) for spec in video.notes]
    found: dict[int, str] = {i: k for i, k in enumerate(keys) if k in locked}
    current = set(keys)
    vanished = [k for k in locked if k not in current]
    for kind in {spec.kind for spec in video.notes} if vanished else ():  # nothing to match otherwise
        part = f"{prefix}{KEY_PART[kind]}"
        olds = [k for k in vanished if k == part or k.startswith(part + "/")]
        news = [i for i, s in enumerate(video.notes)
                if s.kind == kind and i not in found and not s.pinned]
        texts_old = [plain(locked[k].text + " " + locked[k].back) for k in olds]
        texts_new = [plain(video.notes[i].text + " " + video.notes[i].back) for i in news]
        for a, b in best_pairs(texts_old, texts_new, similarity):
            found[news[b]] = olds[a]
        unmatched = [k for k in olds if k not in found.values()]
        if unmatched and any(i not in found for i in news):
            problems.info(video.path, None, f"{len(unmatched)} {kind} note(s) not matched by similarity; "
                          "they are retired and the new ones added (pin with <!-- ankigen:id NAME -->)",
                          "weak-match")
    out = []
    for i, spec in enumerate(video.notes):
        key = keys[i]
        old_key = found.get(i)
        entry = locked.get(old_key) if old_key else None
        guid = entry.guid if entry else guid_for(deck, key, taken)
        if entry is None:
            taken.add(guid)
        spec, clozes, removed = _number_clozes(spec, entry, video.path, key, problems)
        out.append(Identified(video, spec, key, guid, clozes, removed,
                              renamed_from=old_key if old_key and old_key != key else None))
    return out


def _deletions(text: str) -> list[tuple[int, str]]:
    seen, out = set(), []
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in seen:
            seen.add(n)
            out.append((n, m.group(2)))
    return out


def _dkey(text: str) -> str:
    """A deletion's name in the lock: its words, lowercased and hyphenated."""
    return _NOT_WORD.sub("-", text.lower()).strip("-")[:48].rstrip("-")


_NOT_WORD = re.compile(r"[\W_]+")


def _dkeys(deletions: list[tuple[int, str]]) -> list[str]:
    keys, used = [], set()
    for n, text in deletions:
        k = _dkey(text) or f"c{n}"
        base, i = k, 1
        while k in used:
            i += 1
            k = f"{base}-{i}"
        used.add(k)
        keys.append(k)
    return keys


def _number_clozes(spec: NoteSpec, entry: LockedNote | None, path: str, key: str, problems: Problems):
    """Give each deletion its number for life; a removed number is never reused."""
    if spec.note_type != CLOZE:
        return spec, {}, {}
    deletions = _deletions(spec.text)
    dkeys = _dkeys(deletions)
    unchanged = {k: n for k, (n, _) in zip(dkeys, deletions)}  # each deletion keeps the number it has
    if entry is None or not entry.clozes:
        return spec, unchanged, {}
    if unchanged == entry.clozes:  # every deletion already has its number for life
        return spec, unchanged, dict(entry.removed_clozes)
    old = dict(entry.clozes)
    assigned: dict[int, int] = {}  # index in deletions → number
    for i, k in enumerate(dkeys):
        if k in old:
            assigned[i] = old.pop(k)
    left_new = [i for i in range(len(deletions)) if i not in assigned]
    left_old = sorted(old, key=old.get)
    for a, b in best_pairs(left_old, [dkeys[i] for i in left_new],
                           lambda o, n: similarity(o.replace("-", " "), n.replace("-", " "))):
        assigned[left_new[b]] = old.pop(left_old[a])
    left_new = [i for i in range(len(deletions)) if i not in assigned]
    left_old = sorted(old, key=old.get)
    for i, k in zip(left_new, left_old):  # reworded in place: keep the number in order
        assigned[i] = old.pop(k)
    used = set(entry.clozes.values()) | set(entry.removed_clozes.values())
    nxt = max(used, default=0) + 1
    for i in range(len(deletions)):
        if i not in assigned:
            assigned[i], nxt = nxt, nxt + 1
    removed = dict(entry.removed_clozes)
    for k, n in old.items():
        removed[k] = n
        problems.warn(path, spec.line, f"cloze {n} of {key} was removed: learners keep an empty card "
                      "for it ('No cloze found'); they can clear it with Tools → Empty Cards", "empty-card")
    renumber = {deletions[i][0]: n for i, n in assigned.items()}
    text = _MARKER.sub(lambda m: f"{CLOZE_OPEN}{renumber[int(m.group(1))]}{CLOZE_MID}{m.group(2)}{CLOZE_CLOSE}",
                       spec.text)
    clozes = {dkeys[i]: n for i, n in assigned.items()}
    return replace(spec, text=text), clozes, removed
