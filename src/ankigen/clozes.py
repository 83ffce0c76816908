"""Cloze numbers for life: each deletion keeps its number through rewording, and a
removed number is never reused (learners keep an empty card for it)."""

from __future__ import annotations

import re
from dataclasses import replace

from .errors import Problems
from .lock import LockedNote
from .notes import CLOZE, NoteSpec
from .similar import best_pairs, similarity
from .text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN

MARKER = re.compile(f"{CLOZE_OPEN}(\\d+){CLOZE_MID}([^{CLOZE_CLOSE}]*){CLOZE_CLOSE}")  # the first close ends it


def deletions(text: str) -> list[tuple[int, str]]:
    """Each deletion's number and words, in order, once per number."""
    seen, out = set(), []
    for m in MARKER.finditer(text):
        n = int(m.group(1))
        if n not in seen:
            seen.add(n)
            out.append((n, m.group(2)))
    return out


def _dkey(text: str) -> str:
    """A deletion's name in the lock: its words, lowercased and hyphenated."""
    return _NOT_WORD.sub("-", text.lower()).strip("-")[:48].rstrip("-")


_NOT_WORD = re.compile(r"[\W_]+")


def _dkeys(found: list[tuple[int, str]]) -> list[str]:
    keys, used = [], set()
    for n, text in found:
        k = _dkey(text) or f"c{n}"
        base, i = k, 1
        while k in used:
            i += 1
            k = f"{base}-{i}"
        used.add(k)
        keys.append(k)
    return keys


def number_clozes(spec: NoteSpec, entry: LockedNote | None, path: str, key: str, problems: Problems):
    """Give each deletion its number for life; a removed number is never reused.
    (The note renumbered, its deletion names → numbers, its removed ones.)"""
    if spec.note_type != CLOZE:
        return spec, {}, {}
    found = deletions(spec.text)
    dkeys = _dkeys(found)
    unchanged = {k: n for k, (n, _) in zip(dkeys, found)}  # each deletion keeps the number it has
    if entry is None or not entry.clozes:
        return spec, unchanged, {}
    if unchanged == entry.clozes:  # every deletion already has its number for life
        return spec, unchanged, dict(entry.removed_clozes)
    old = dict(entry.clozes)
    assigned = _kept_numbers(dkeys, old)
    used = set(entry.clozes.values()) | set(entry.removed_clozes.values())
    nxt = max(used, default=0) + 1
    for i in range(len(found)):
        if i not in assigned:
            assigned[i], nxt = nxt, nxt + 1
    removed = dict(entry.removed_clozes)
    for k, n in old.items():
        removed[k] = n
        problems.warn(path, spec.line, f"cloze {n} of {key} was removed: learners keep an empty card "
                      "for it ('No cloze found'); they can clear it with Tools → Empty Cards", "empty-card")
    renumber = {found[i][0]: n for i, n in assigned.items()}
    text = MARKER.sub(lambda m: f"{CLOZE_OPEN}{renumber[int(m.group(1))]}{CLOZE_MID}{m.group(2)}{CLOZE_CLOSE}",
                      spec.text)
    clozes = {dkeys[i]: n for i, n in assigned.items()}
    return replace(spec, text=text), clozes, removed


def _kept_numbers(dkeys: list[str], old: dict[str, int]) -> dict[int, int]:
    """Index of a deletion → the number it keeps: by its name, else by a clearly similar
    name, else reworded in place (in order). The numbers taken are removed from ``old``."""
    assigned: dict[int, int] = {}
    for i, k in enumerate(dkeys):
        if k in old:
            assigned[i] = old.pop(k)
    left_new = [i for i in range(len(dkeys)) if i not in assigned]
    left_old = sorted(old, key=old.get)
    for a, b in best_pairs(left_old, [dkeys[i] for i in left_new],
                           lambda o, n: similarity(o.replace("-", " "), n.replace("-", " "))):
        assigned[left_new[b]] = old.pop(left_old[a])
    left_new = [i for i in range(len(dkeys)) if i not in assigned]
    left_old = sorted(old, key=old.get)
    for i, k in zip(left_new, left_old):  # reworded in place: keep the number in order
        assigned[i] = old.pop(k)
    return assigned
