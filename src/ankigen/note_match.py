"""Which note is which within one video: the lock's entry each current note is (by key, a
retired key come back, or clearly similar text of the same kind), its GUID, its type and
its cloze numbers for life. Ambiguous or weak matches are never guessed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .clozes import number_clozes
from .errors import Problems
from .lock import LockedNote
from .notes import KEY_PART, Deck, NoteSpec, Video
from .placeholders import placeholders as template_placeholders
from .retype import kept_type, locked_type
from .similar import best_pairs, plain, similarity

# A GUID made of values (``package.guid_for``, genanki's): given by the caller, so
# identifying imports nothing of the package format.
GuidOf = Callable[..., str]


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
    locked_key: str | None = None  # the lock entry this note is (None: a new note)
    restored: bool = False  # that entry was retired: the note comes back under its GUID
    retyped_from: str | None = None  # the note type the lock had, kept (an info says so)


def guid_for(deck: Deck, key: str, taken: set[str], guid_of: GuidOf) -> str:
    """The GUID of a new note: derived from its key; salted only if a lock already holds it."""
    guid = guid_of("ankigen", deck.slug, key)
    n = 1
    while guid in taken:
        n += 1
        guid = guid_of("ankigen", deck.slug, key, n)
    return guid


def match_notes(deck: Deck, video: Video, notes: dict[str, LockedNote], taken: set[str],
                problems: Problems, guid_of: GuidOf, retype: bool = False,
                template: bool = False) -> list[Identified]:
    """Each note's identity. ``template``: the video is (or was) ``ankigen init``'s
    template script, whose placeholder notes keep their GUIDs only while their text does."""
    placeholders = template_placeholders() if template else frozenset()
    locked, retired = _live_and_retired(notes)
    keys = [spec.key(video.slug) for spec in video.notes]
    found = _same_keys(video, keys, locked, placeholders)
    current = {keys[i] for i in found}
    vanished = [k for k in locked if k not in current]
    if retired:  # a retired note whose key comes back gets its GUID back
        _keys_back(video, keys, retired, found, placeholders)
    kinds = {spec.kind for spec in video.notes} if vanished or retired else ()  # nothing to match otherwise
    for kind in kinds:
        _similar(video, kind, notes, (vanished, retired), found, placeholders, problems)
    return [_identified(deck, video, spec, keys[i], found.get(i), notes, taken, problems, guid_of, retype)
            for i, spec in enumerate(video.notes)]


def _live_and_retired(notes: dict[str, LockedNote]) -> tuple[dict[str, LockedNote], dict[str, LockedNote]]:
    """The entries learners study, and the retired ones."""
    live = {k: n for k, n in notes.items() if n.retired is None}
    retired = {k: n for k, n in notes.items() if n.retired is not None} if len(live) < len(notes) else {}
    return live, retired


def _same_keys(video: Video, keys: list[str], locked: dict[str, LockedNote],
               placeholders: frozenset[str]) -> dict[int, str]:
    """Index of a note → the live entry with its key (init's template never lends its GUIDs
    to other text)."""
    found = {i: k for i, k in enumerate(keys) if k in locked}
    if found and placeholders:
        for i, k in list(found.items()):
            if locked[k].text in placeholders and not _same_text(locked[k], video.notes[i]):
                del found[i]
    return found


def _keys_back(video: Video, keys: list[str], retired: dict[str, LockedNote], found: dict[int, str],
               placeholders: frozenset[str]) -> None:
    """Each note not found whose key a retired entry had: that entry (the one with the same
    text, else the latest), into ``found``."""
    for i, k in enumerate(keys):
        if i in found:
            continue
        back = [r for r in retired if _base(r) == k and r not in found.values()
                and (retired[r].text not in placeholders or _same_text(retired[r], video.notes[i]))]
        if back:
            spec = video.notes[i]
            found[i] = max(back, key=lambda r: (_same_text(retired[r], spec), retired[r].mod))


def _similar(video: Video, kind: str, notes: dict[str, LockedNote], pools: tuple, found: dict[int, str],
             placeholders: frozenset[str], problems: Problems) -> None:
    """The notes of one kind not found yet, matched by clearly similar text: first to the
    entries learners study (``pools[0]``, vanished keys), then to retired ones whose text
    comes back. Entries left unmatched beside new notes: an info says so."""
    part = f"{video.slug}/{KEY_PART[kind]}"
    news = [i for i, s in enumerate(video.notes) if s.kind == kind and i not in found and not s.pinned]
    texts_new = [plain(video.notes[i].text + " " + video.notes[i].back) for i in news]
    for pool in pools:
        _pair(pool, part, news, texts_new, notes, found, placeholders)
    matched = set(found.values())
    unmatched = [k for k in pools[0] if k not in matched and _candidate(k, part, notes, placeholders, False)]
    if unmatched and any(i not in found for i in news):
        problems.info(video.path, None, f"{len(unmatched)} {kind} note(s) not matched by similarity; "
                      "they are retired and the new ones added (pin with <!-- ankigen:id NAME -->)",
                      "weak-match")


def _pair(pool: list[str] | dict[str, LockedNote], part: str, news: list[int], texts_new: list[str],
          notes: dict[str, LockedNote], found: dict[int, str], placeholders: frozenset[str]) -> None:
    """The new notes left (``news``, their ``texts_new``) paired with the entries of ``pool``
    not taken yet, each with its clear best match by text, into ``found``."""
    used = set(found.values())
    olds = [k for k in pool if k not in used and _candidate(k, part, notes, placeholders, True)]
    left = [(i, t) for i, t in zip(news, texts_new) if i not in found]
    if not olds or not left:
        return
    texts_old = [plain(notes[k].text + " " + notes[k].back) for k in olds]
    for a, b in best_pairs(texts_old, [t for _, t in left], similarity):
        found[left[b][0]] = olds[a]


def _candidate(key: str, part: str, notes: dict[str, LockedNote], placeholders: frozenset[str],
               retired_key: bool) -> bool:
    """Is the entry ``key`` one of the kind whose keys start ``part`` (or, with
    ``retired_key``, whose key did before a ``~GUID`` was added), and no placeholder?"""
    if notes[key].text in placeholders:
        return False
    return key == part or key.startswith(part + "/") or (retired_key and _base(key) == part)


def _identified(deck: Deck, video: Video, spec: NoteSpec, key: str, old_key: str | None,
                notes: dict[str, LockedNote], taken: set[str], problems: Problems, guid_of: GuidOf,
                retype: bool) -> Identified:
    """One note's identity, its entry found (``old_key``) or not: its type as learners have
    it, its GUID, its cloze numbers."""
    entry = notes.get(old_key) if old_key else None
    retyped = None
    if entry is not None and locked_type(entry) != spec.note_type:
        kept = kept_type(video.path, spec, key, entry, retype, problems)
        if kept is None:  # retyped: a new note
            entry = old_key = None
        else:
            spec, retyped = kept
    guid = entry.guid if entry else guid_for(deck, key, taken, guid_of)
    if entry is None:
        taken.add(guid)
    spec, clozes, removed = number_clozes(spec, entry, video.path, key, problems)
    return Identified(video, spec, key, guid, clozes, removed,
                      renamed_from=old_key if old_key and _base(old_key) != key else None,
                      locked_key=old_key, restored=entry is not None and entry.retired is not None,
                      retyped_from=retyped)


def _base(key: str) -> str:
    """A lock key without the ``~GUID`` a retired note gets when its key is taken again."""
    return key.split("~", 1)[0] if "~" in key else key


def _same_text(entry: LockedNote, spec: NoteSpec) -> bool:
    return plain(entry.text + " " + entry.back) == plain(spec.text + " " + spec.back)
