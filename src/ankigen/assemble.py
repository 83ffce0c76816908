"""Identified notes → the packaged notes, the new lock and the change report."""

from __future__ import annotations

import pickle
import re
import zlib
from dataclasses import dataclass, replace

from . import cards
from .cards import content_hash
from .changes import DeckChanges, word_diff
from .config import stable_id
from .errors import Diagnostic, Problems
from .identity import Identity, identify
from .retype import locked_type
from .lock import Lock, LockedNote, LockedVideo, next_mod, note_type_mod
from .notes import CLOZE, KEY_PART, Deck, Video
from .notetypes import CLOZE_TYPE, NOTE_TYPES, QA_TYPE
from .package import PackagedDeck, PackagedNote, guid_for
from .render import remember, text_html, to_html
from .text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN

RETIRED_TAG = "retired"
_KIND_OF = {part: kind for kind, part in KEY_PART.items()}


@dataclass
class Assembled:
    decks: list[PackagedDeck]
    notes: list[PackagedNote]
    lock: Lock
    changes: DeckChanges
    model_mods: dict[int, int]
    id_base: int
    reused: int = 0  # videos taken whole from the shelf (``Settled``)
    retired_packaged: int = 0  # retired notes packaged afresh (not taken from the shelf)

    @property
    def cards(self) -> int:
        return sum(len(n.ords) for n in self.notes if not n.retired)


def retired_search(deck: Deck) -> str:
    return f'"deck:{deck.name}" tag:{RETIRED_TAG}'


@dataclass(frozen=True)
class Settled:
    """A video assembled in a build that changed nothing about it: its script, lock entries
    and subdeck were already as written. While they stay so, the next build reuses this.
    Plain tuples and strings: thousands are unpickled on every rebuild."""

    locked: bytes  # ``Lock.digest`` of the lock's notes of the video
    video: tuple  # the lock's entry for the video, as a tuple
    subdeck: str
    keys: tuple[str, ...]  # its notes' keys, in order
    notes: tuple[tuple, ...]  # its PackagedNotes, as plain tuples
    diagnostics: tuple[Diagnostic, ...]  # what identifying it says each time


def assemble(deck: Deck, lock: Lock, now: int, rename_decks: bool, allow_notetype_change: bool,
             problems: Problems, source: str, shelf=None, retype: bool = False,
             retire_sections: bool = False, others: frozenset[str] = frozenset()) -> Assembled:
    """Everything the package and the lock need, decided before anything is written.

    ``shelf`` (a ``cache.Shelf``: each video's script key and what reading it made, and
    get/put by key) keeps each settled video, so a rebuild reassembles only the videos
    whose script or lock entries changed. ``retype``,
    ``retire_sections`` and ``others`` (the deck's scripts not built this time): see
    ``identify``."""
    def shelf_key(video) -> str | None:
        k = shelf.key(video.path) if shelf is not None else None
        return None if k is None else settled_key(deck, rename_decks, k)

    def settled(video, locked, locked_video) -> Settled | None:
        k = shelf_key(video)
        known = shelf.get(k) if k is not None else None
        if (isinstance(known, Settled) and locked_video is not None and known.video == locked_video.row()
                and known.locked == lock.digest(locked)):
            return known
        return None

    identity = identify(deck, lock, now, rename_decks, problems, settled, retype, others, retire_sections,
                        guid_of=guid_for)
    originals = {v.path: v for v in deck.videos}
    new = Lock(deck=deck.name, id_base=lock.id_base or now * 1000, lines=lock.lines,
               video_lines=lock.video_lines)
    changes = DeckChanges(deck.name, deck_renames=identity.video_renames)
    pdecks = {deck.name: PackagedDeck(deck.deck_id, deck.name)}
    pnotes: list[PackagedNote] = []
    reused = 0
    for iv in identity.videos:
        pdecks.setdefault(iv.subdeck, PackagedDeck(stable_id(f"deck:{iv.subdeck}"), iv.subdeck))
        if iv.settled is not None:
            slug = iv.video.slug
            new.videos[slug] = lock.videos[slug]
            for key in iv.settled.keys:
                new.notes[key] = lock.notes[key]
            pnotes.extend(map(PackagedNote._make, iv.settled.notes))
            changes.for_video(iv.subdeck).unchanged += len(iv.settled.keys)
            reused += 1
            continue
        first = len(pnotes)
        _assemble_video(deck, lock, now, iv, new, changes, pdecks[iv.subdeck].deck_id, pnotes,
                        _prepared(deck, shelf, iv.video, originals.get(iv.video.path)))
        k = shelf_key(iv.video)
        digest = lock.digest(iv.locked) if k is not None and _is_settled(lock, new, iv) else None
        if digest is not None:
            shelf.put(k, Settled(digest, new.videos[iv.video.slug].row(), iv.subdeck,
                                 tuple(n.key for n in iv.notes),
                                 tuple(map(tuple, pnotes[first:])),
                                 tuple(iv.diagnostics)))
    retired_packaged = _retire(deck, lock, identity, new, changes, pdecks, pnotes, now, shelf)
    model_mods = _note_types(lock, new, now, allow_notetype_change, problems, source)
    return Assembled(list(pdecks.values()), pnotes, new, changes, model_mods, new.id_base, reused, retired_packaged)


def settled_key(deck: Deck, rename_decks: bool, k: str) -> str:
    """Where a shelf keeps the ``Settled`` of the video whose script has cache key ``k``."""
    return "\0".join(("settled", deck.name, deck.slug, *deck.tags, "\0", str(rename_decks), k))


def _prepared(deck: Deck, shelf, video: Video, original: Video | None) -> tuple | None:
    """The video's ``cards.prepared`` rows, if made for this deck and this video as read
    (not one whose identity the lock changed); else its rendered HTML is remembered, for
    making the fields here. (A note whose clozes identify renumbered is rendered afresh.)"""
    made = shelf.made(video.path) if shelf is not None else None
    if made is None:
        return None
    rendered, prepared = made
    rows = rows_for(deck, prepared)
    if rows is None or video != original:
        remember(rendered)  # the fields are made here: from the HTML already rendered
        return None
    return rows


def rows_for(deck: Deck, prepared: tuple | None) -> tuple | None:
    """The rows of a ``cards.prepared``, if it was made for this deck (name, slug, tags)."""
    return prepared[1] if prepared is not None and prepared[0] == (deck.name, deck.slug, deck.tags) else None


def _assemble_video(deck: Deck, lock: Lock, now: int, iv, new: Lock, changes: DeckChanges,
                    deck_id: int, pnotes: list[PackagedNote], rows: tuple | None = None) -> None:
    """Assemble one video's notes; ``rows``, its ``cards.prepared`` rows, spare the work
    for each note whose spec identify left as it was (the same value as read)."""
    video = iv.video
    entry, was = LockedVideo(video.source or video.path, video.title, iv.subdeck), lock.videos.get(video.slug)
    new.videos[video.slug] = was if was == entry else entry  # the same: kept as read
    vc = changes.for_video(iv.subdeck)
    for i, ident in enumerate(iv.notes):
        spec = ident.spec
        # the spec as read (mostly the very object; else compared by value)
        same = rows is not None and (spec is video.notes[i] or spec == video.notes[i])
        flds, tag_string, model_id, digest, shown, ords = rows[i] if same else cards.note_row(deck, video, spec)
        entry = lock.notes.get(ident.locked_key) if ident.locked_key is not None else None
        mod = _note_mod(ident, entry, digest, shown, now, changes, vc)
        if entry is not None and entry.retired is None and (entry.guid, entry.hash, entry.mod, entry.text, entry.back, entry.clozes,
                                  entry.removed_clozes) == (ident.guid, digest, mod, shown, spec.back,
                                                            ident.clozes, ident.removed_clozes):
            new.notes[ident.key] = entry  # as the lock has it: its line is kept
        else:
            new.notes[ident.key] = LockedNote(ident.guid, digest, mod, shown, spec.back, ident.clozes, None,
                                              ident.removed_clozes)
        pnotes.append(PackagedNote(ident.guid, model_id, flds, tag_string, deck_id, mod, False, ords))


def _note_mod(ident, entry: LockedNote | None, digest: str, shown: str, now: int, changes: DeckChanges,
              vc) -> int:
    """The note's ``mod`` (moved forward when learners need an update), and what changed
    for them said in ``changes`` (and ``vc``, its video's part)."""
    spec = ident.spec
    if entry is None:
        vc.added.append(ident.key)
        changes.statuses[ident.guid] = "added"
        return now
    for k, n in ident.removed_clozes.items():
        if k not in entry.removed_clozes:
            changes.empty_cards.append((ident.key, n))
    if ident.restored:  # back from retirement: its fields, tags and cards are shipped again
        vc.restored.append(ident.key)
        changes.statuses[ident.guid] = "restored"
        return next_mod(now, entry.mod)
    if entry.hash == digest:
        vc.unchanged += 1
        return entry.mod
    changes.statuses[ident.guid] = "renamed" if ident.renamed_from else "changed"
    if ident.renamed_from:
        vc.renamed.append((ident.renamed_from, ident.key))
    else:
        vc.changed.append((ident.key, word_diff(entry.text + " " + entry.back, spec.text + " " + spec.back)
                           if (entry.text, entry.back) != (shown, spec.back)
                           else "(the same text; its source file, title, section or tags changed)"))
    return next_mod(now, entry.mod)


def _is_settled(lock: Lock, new: Lock, iv) -> bool:
    """Did assembling this video change nothing: every note, and the video, as the lock has
    them? (Its notes retired before stay retired: ``_retire`` ships them, not the video.)"""
    slug = iv.video.slug
    keys = {n.key for n in iv.notes}
    current = sum(1 for entry in iv.locked.values() if entry.retired is None)
    if new.videos[slug] != lock.videos.get(slug) or not len(iv.notes) == len(keys) == current:
        return False  # a new or retitled video, or lock entries that this build retires
    locked = iv.locked
    # an entry kept as read is the very object: the value comparison only for the others
    return all(n.renamed_from is None and (new.notes[n.key] is locked.get(n.key) or new.notes[n.key] == locked.get(n.key))
               for n in iv.notes)


def _retire(deck, lock, identity: Identity, new: Lock, changes: DeckChanges, pdecks, pnotes, now,
            shelf=None) -> int:
    """Retired notes keep shipping, tagged and without cards; their GUIDs are never reused.
    How many were packaged afresh (not taken from ``shelf``).

    A video's retired notes whose lock lines, subdeck and title are as a build that
    changed none of them left them come packaged from ``shelf``: a lock may hold hundreds
    of thousands of them, and each would be read, rendered and hashed again to the same
    bytes."""
    for slug, video in lock.videos.items():
        if slug not in new.videos:
            new.videos[slug] = video if video.retired is not None or slug in identity.kept \
                else replace(video, retired=now)
    if identity.kept:  # a build of some scripts: the other videos' entries stay as they are
        changes.kept_videos = len(identity.kept)
        for key, entry in lock.notes.items():
            if key.split("/", 1)[0] in identity.kept:
                new.notes[key] = entry
    newly = set(identity.newly_retired)
    groups = _retired_groups(deck, lock, identity, new, shelf, newly)
    if sum(len(group) for group, _, kept in groups if kept is None) > 1000:
        lock.read_all()  # many to read: in one go
    packaged = 0
    for group, k, kept in groups:
        if kept is not None:
            video = new.videos.get(group[0][0].split("/", 1)[0])
            subdeck = video.subdeck if video else f"{deck.name}::Retired"
            pdecks.setdefault(subdeck, PackagedDeck(stable_id(f"deck:{subdeck}"), subdeck))
            new.notes.update(group)
            pnotes.extend(_unpacked(kept))
            continue
        first = len(pnotes)
        if not _retire_group(deck, newly, new, changes, pdecks, pnotes, now, group) and k is not None:
            shelf.put(k, _Packed(pnotes[first:]))
        packaged += len(pnotes) - first
    return packaged


class _Packed:
    """One video's retired notes for the cache, packed (``_packed``) only as the cache
    writes them, in its own thread: a build that made them does not wait for it."""

    def __init__(self, notes: list[PackagedNote]):
        self.notes = notes

    def __reduce__(self):
        return bytes, (_packed(self.notes) or b"",)  # read back as the bytes; b"": not kept


def _packed(notes: list[PackagedNote]) -> bytes | None:
    """One video's retired notes as the cache keeps them: what they share (the end of
    their fields: context, notice; their deck) once, compressed. None if they share less."""
    tail = "\x1f" + "\x1f".join(notes[0].flds.split("\x1f")[-4:])  # context, notice, two empty fields
    deck_id, tags = notes[0].deck_id, {}
    rows = []
    for n in notes:
        if not n.flds.endswith(tail) or n.deck_id != deck_id or not n.retired:
            return None
        rows.append((n.guid, n.model_id, n.flds[:len(n.flds) - len(tail)], tags.setdefault(n.tag_string, n.tag_string), n.mod))
    return zlib.compress(pickle.dumps((tail, deck_id, rows), pickle.HIGHEST_PROTOCOL), 1)


def _unpacked(packed: bytes):
    tail, deck_id, rows = pickle.loads(zlib.decompress(packed))
    return [PackagedNote(guid, model_id, head + tail, tags, deck_id, mod, True, None)
            for guid, model_id, head, tags, mod in rows]


def _retired_groups(deck, lock: Lock, identity: Identity, new: Lock, shelf,
                    newly: set[str]) -> list[tuple[list, str | None, tuple | None]]:
    """The retired notes by video, in key order: (its [(key, entry)], where the shelf keeps
    them packaged or None if it may not, what the shelf has or None)."""
    from .cache import key as cache_key

    groups: list[tuple[list, str | None, tuple | None]] = []
    here: list = []
    for key, entry in sorted(identity.retired.items()):  # one video's keys are next to each other
        if here and key.split("/", 1)[0] != here[0][0].split("/", 1)[0]:
            groups.append((here, None, None))
            here = []
        here.append((key, entry))
    if here:
        groups.append((here, None, None))
    if shelf is None:
        return groups
    for i, (group, _, _) in enumerate(groups):
        if any(key in newly or key in new.notes for key, _ in group):
            continue
        digest = lock.digest(dict(group))  # None unless each entry is the line read
        if digest is None:
            continue
        slug = group[0][0].split("/", 1)[0]
        video = new.videos.get(slug)
        k = cache_key(digest, "retired", deck.name, deck.slug, *deck.tags, "\0", slug,
                      *((video.subdeck, video.title) if video else ()))
        kept = shelf.get(k)
        groups[i] = (group, k, kept if isinstance(kept, bytes) and kept else None)
    return groups


def _retire_group(deck, newly: set[str], new: Lock, changes: DeckChanges, pdecks, pnotes, now,
                  group: list) -> bool:
    """Package one video's retired notes; whether any entry changed (or is newly retired)."""
    changed = False
    slug = group[0][0].split("/", 1)[0]  # the same for the whole group
    video = new.videos.get(slug)
    subdeck = video.subdeck if video else f"{deck.name}::Retired"
    title = video.title if video else slug
    if subdeck not in pdecks:
        pdecks[subdeck] = PackagedDeck(stable_id(f"deck:{subdeck}"), subdeck)
    deck_id = pdecks[subdeck].deck_id
    context = _retired_context(deck.name, title)
    video_tag = cards.tag(f"{deck.slug}::{slug}")
    tags_of: dict[str, tuple[str, ...]] = {}
    for key, entry in group:
        note_type, fields = _retired_fields(deck, entry, title, context)
        kind = _KIND_OF.get(key.split("/")[1] if "/" in key else "", "")
        tags = tags_of.get(kind)
        if tags is None:
            tags = tags_of[kind] = tuple(t for t in (video_tag, kind, RETIRED_TAG) if t)
        digest = content_hash(fields, tags, note_type)
        mod = entry.mod if entry.hash == digest else next_mod(now, entry.mod)
        store = key if key not in new.notes else f"{key}~{entry.guid}"
        same = (digest, mod) == (entry.hash, entry.mod)
        new.notes[store] = entry if same else replace(entry, hash=digest, mod=mod)
        changed = changed or not same or store != key
        pnotes.append(PackagedNote.of(entry.guid, note_type, fields, tags, deck_id, mod, retired=True))
        if key in newly:
            changed = True
            changes.for_video(subdeck).retired.append(key)
            changes.statuses[entry.guid] = "retired"
    return changed


_RETIRED_NOTICE = ("This card was retired from the series: the video no longer teaches it. "
                   f"You can delete it (Browse, search <code>tag:{RETIRED_TAG}</code>).")
_LOCKED_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.S)


def _retired_context(deck_name: str, title: str) -> str:
    return " · ".join(text_html(p) for p in (deck_name, title, "Retired"))


def _retired_fields(deck: Deck, entry: LockedNote, title: str, context: str | None = None):
    context = context if context is not None else _retired_context(deck.name, title)
    text = entry.text
    if "{{c" in text:
        text = _LOCKED_CLOZE.sub(_marked_cloze, text)
    if locked_type(entry) == CLOZE:  # the type learners have, for life
        return CLOZE_TYPE, (to_html(text), context, _RETIRED_NOTICE, "", "")
    return QA_TYPE, (to_html(text), to_html(entry.back), context, _RETIRED_NOTICE, "", "")


def _marked_cloze(m: re.Match) -> str:
    return f"{CLOZE_OPEN}{m.group(1)}{CLOZE_MID}{m.group(2)}{CLOZE_CLOSE}"


def _note_types(lock: Lock, new: Lock, now: int, allow: bool, problems: Problems, source: str) -> dict[int, int]:
    mods = {}
    for note_type in NOTE_TYPES:
        locked = lock.note_types.get(note_type.model_id)
        if locked is not None and locked.shape != note_type.shape() and not allow:
            problems.error(source, None, f"note type '{note_type.name}' has different fields or templates "
                           "than learners have: importing it would mark every note 'conflicting' and add an "
                           f"unused copy '{note_type.name}+'. Restore them, or pass --allow-notetype-change "
                           "to accept that", "notetype-changed")
        entry = note_type_mod(note_type, locked, now)
        new.note_types[note_type.model_id] = entry
        mods[note_type.model_id] = entry.mod
    return mods
