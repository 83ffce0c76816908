"""A note keeps the note type learners have: a cloze note stays a cloze, a question/answer
note stays one, unless ``--retype`` retires it (with its reviews) and adds a new note."""

from __future__ import annotations

import re
from dataclasses import replace

from .clozes import MARKER, deletions
from .errors import Problems
from .lock import LockedNote
from .notes import CLOZE, QA, NoteSpec
from .text import cloze

TYPE_NAME = {CLOZE: "cloze", QA: "question/answer"}


def locked_type(entry: LockedNote) -> str:
    """The note type learners have: a cloze note has cloze numbers for life (locks of every
    ankigen version record them), a question/answer note never does."""
    return CLOZE if entry.clozes or entry.removed_clozes else QA


def kept_type(path: str, spec: NoteSpec, key: str, entry: LockedNote, retype: bool,
              problems: Problems) -> tuple[NoteSpec, str] | None:
    """A note whose type extraction changed, against the entry learners have: (the note as
    the type it has, that type), or None with ``retype`` (the entry is retired, a new note added)."""
    was = locked_type(entry)
    if retype:
        problems.warn(path, spec.line, f"{key}: retyped (--retype): learners' "
                      f"{TYPE_NAME[was]} note is retired with its reviews and a new "
                      f"{TYPE_NAME[spec.note_type]} note is added, studied from scratch", "retyped")
        return None
    problems.info(path, spec.line, f"{key} stays a {TYPE_NAME[was]} note, as learners "
                  f"have it (the script now makes a {TYPE_NAME[spec.note_type]} note); pass "
                  "--retype to retire it and add a new note, which costs its reviews", "type-kept")
    return as_type(spec, was, entry), was


def as_type(spec: NoteSpec, note_type: str, entry: LockedNote | None = None) -> NoteSpec:
    """The note as the note type it has for life. A cloze as a question/answer note: the
    text with each deletion shown as ``[...]`` on the front, the deleted words on the back.
    A question/answer note as a cloze: its answer with the words the learners' cloze
    deleted deleted again, under their numbers (a bullet whose bold was removed reads as
    before); failing that, the question, then the answer's first paragraph as one deletion
    (the rest of the answer goes to the back's extra). Never the whole front deleted."""
    if note_type == spec.note_type:
        return spec
    if note_type == CLOZE and entry is not None:
        again = _deleted_again(spec.back, entry.text)
        if again is not None:
            text, answers = again
            return replace(spec, note_type=CLOZE, text=text, back="", answers=answers)
    if note_type == QA:
        answers = [t for _, t in deletions(spec.text)]
        back = " · ".join(answers)
        return replace(spec, note_type=QA, text=MARKER.sub("[...]", spec.text), back=back,
                       answers=(back,))
    first, _, rest = spec.back.strip().partition("\n\n")
    extra = "\n\n".join(p for p in (rest.strip(), spec.extra) if p)
    return replace(spec, note_type=CLOZE, text=f"{spec.text}\n\n{cloze(1, first)}", back="",
                   extra=extra, answers=(first,))


_SHOWN_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.S)


def _deleted_again(text: str, locked: str) -> tuple[str, tuple[str, ...]] | None:
    """``text`` with each deletion of the locked cloze text (``{{cN::…}}``) that it still
    holds, in order, marked again under its number; None if it holds none of them."""
    out, pos, answers, seen = [], 0, [], set()
    for m in _SHOWN_CLOZE.finditer(locked):
        n, words = int(m.group(1)), m.group(2).strip()
        at = text.find(words, pos) if words and n not in seen else -1
        if at < 0:
            continue
        seen.add(n)
        out += [text[pos:at], cloze(n, words)]
        answers.append(words)
        pos = at + len(words)
    if not answers or len(" ".join(answers).split()) >= len(text.split()):
        return None  # nothing, or everything, deleted: no card to answer
    return "".join(out) + text[pos:], tuple(answers)
