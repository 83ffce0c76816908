"""Identified notes → the packaged notes, the new lock and the change report."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import cards
from .changes import DeckChanges, content_hash, next_mod, note_type_mod, word_diff
from .config import stable_id
from .errors import Problems
from .identity import Identity, identify
from .lock import Lock, LockedNote, LockedVideo
from .notes import KEY_PART, Deck
from .notetypes import CLOZE_TYPE, NOTE_TYPES, QA_TYPE
from .package import PackagedDeck, PackagedNote
from .render import text_html, to_html
from .text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN, show_cloze

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

    @property
    def cards(self) -> int:
        return sum(_card_count(n) for n in self.notes if not n.retired)


def _card_count(note: PackagedNote) -> int:
    if note.note_type.cloze:
        return len(set(re.findall(r"\{\{c(\d+)::", note.fields[0])))
    return 1


def retired_search(deck: Deck) -> str:
    return f'"deck:{deck.name}" tag:{RETIRED_TAG}'


def assemble(deck: Deck, lock: Lock, now: int, rename_decks: bool, allow_notetype_change: bool,
             problems: Problems, source: str) -> Assembled:
    """Everything the package and the lock need, decided before anything is written."""
    identity = identify(deck, lock, now, rename_decks, problems)
    new = Lock(deck=deck.name, id_base=lock.id_base or now * 1000, lines=lock.lines)
    changes = DeckChanges(deck.name, deck_renames=identity.video_renames)
    pdecks = {deck.name: PackagedDeck(deck.deck_id, deck.name)}
    pnotes: list[PackagedNote] = []
    for iv in identity.videos:
        pdecks.setdefault(iv.subdeck, PackagedDeck(stable_id(f"deck:{iv.subdeck}"), iv.subdeck))
        video = iv.video
        new.videos[video.slug] = LockedVideo(video.source or video.path, video.title, iv.subdeck)
        vc = changes.for_video(iv.subdeck)
        for ident in iv.notes:
            spec = ident.spec
            fields = cards.fields(deck, video, spec)
            tags = cards.tags(deck, video, spec)
            note_type = cards.note_type(spec)
            digest = content_hash(fields, tags, note_type)
            old_key = ident.renamed_from or ident.key
            entry = lock.notes.get(old_key)
            if entry is not None and entry.retired is not None:
                entry = None
            if entry is None:
                mod = now
                vc.added.append(ident.key)
                changes.statuses[ident.guid] = "added"
            elif entry.hash == digest:
                mod = entry.mod
                vc.unchanged += 1
            else:
                mod = next_mod(now, entry.mod)
                changes.statuses[ident.guid] = "renamed" if ident.renamed_from else "changed"
                if ident.renamed_from:
                    vc.renamed.append((ident.renamed_from, ident.key))
                else:
                    vc.changed.append((ident.key, word_diff(entry.text + " " + entry.back,
                                                            spec.text + " " + spec.back)))
            if entry is not None:
                for k, n in ident.removed_clozes.items():
                    if k not in entry.removed_clozes:
                        changes.empty_cards.append((ident.key, n))
            locked = LockedNote(ident.guid, digest, mod, show_cloze(spec.text), spec.back,
                                ident.clozes, None, ident.removed_clozes)
            new.notes[ident.key] = entry if locked == entry else locked  # the same: its line is kept
            pnotes.append(PackagedNote(ident.guid, note_type, fields, tags,
                                       pdecks[iv.subdeck].deck_id, mod, len(pnotes) + 1))
    _retire(deck, lock, identity, new, changes, pdecks, pnotes, now)
    model_mods = _note_types(lock, new, now, allow_notetype_change, problems, source)
    return Assembled(list(pdecks.values()), pnotes, new, changes, model_mods, new.id_base)


def _retire(deck, lock, identity: Identity, new: Lock, changes: DeckChanges, pdecks, pnotes, now):
    """Retired notes keep shipping, tagged and without cards; their GUIDs are never reused."""
    for slug, video in lock.videos.items():
        if slug not in new.videos:
            new.videos[slug] = video if video.retired is not None else replace(video, retired=now)
    for key, entry in sorted(identity.retired.items()):
        slug = key.split("/", 1)[0]
        video = new.videos.get(slug)
        subdeck = video.subdeck if video else f"{deck.name}::Retired"
        title = video.title if video else slug
        pdecks.setdefault(subdeck, PackagedDeck(stable_id(f"deck:{subdeck}"), subdeck))
        note_type, fields = _retired_fields(deck, entry, title)
        kind = _KIND_OF.get(key.split("/")[1] if "/" in key else "", "")
        tags = tuple(t for t in (cards.tag(f"{deck.slug}::{slug}"), kind, RETIRED_TAG) if t)
        digest = content_hash(fields, tags, note_type)
        mod = entry.mod if entry.hash == digest else next_mod(now, entry.mod)
        store = key if key not in new.notes else f"{key}~{entry.guid}"
        new.notes[store] = entry if (digest, mod) == (entry.hash, entry.mod) else replace(entry, hash=digest, mod=mod)
        pnotes.append(PackagedNote(entry.guid, note_type, fields, tags, pdecks[subdeck].deck_id, mod,
                                   len(pnotes) + 1, retired=True))
        if key in identity.newly_retired:
            changes.for_video(subdeck).retired.append(key)
            changes.statuses[entry.guid] = "retired"


def _retired_fields(deck: Deck, entry: LockedNote, title: str):
    context = " · ".join(text_html(p) for p in (deck.name, title, "Retired"))
    notice = ("This card was retired from the series: the video no longer teaches it. "
              f"You can delete it (Browse, search <code>tag:{RETIRED_TAG}</code>).")
    text = re.sub(r"\{\{c(\d+)::(.*?)\}\}", lambda m: f"{CLOZE_OPEN}{m.group(1)}{CLOZE_MID}"
                  f"{m.group(2)}{CLOZE_CLOSE}", entry.text, flags=re.S)
    if entry.clozes or CLOZE_OPEN in text:
        return CLOZE_TYPE, (to_html(text), context, notice, "", "")
    return QA_TYPE, (to_html(text), to_html(entry.back), context, notice, "", "")


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
