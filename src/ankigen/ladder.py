"""Another Way to See It: a ladder of ``Level: …`` rungs → one cloze, a deletion per rung."""

from __future__ import annotations

import re

from .levels import Levels
from .notes import CLOZE, LADDER, NoteSpec
from .recap import take_pin
from .script import Section
from .text import cloze, sentences, split_trailing_punct


def ladder_notes(section: Section, levels: Levels) -> list[NoteSpec]:
    """Each run of two or more ``Level: …`` rungs → one cloze, a deletion per rung."""
    notes = []
    for block in section.blocks:
        if block.kind == "paragraph":
            text, pin = take_pin(block.text)
            pieces = [p for s in sentences(text) for p in _split_rungs(s, levels)]
        elif block.kind == "list":
            pin = None
            pieces = [take_pin(i.text)[0] for i in block.items]
        else:
            continue
        found = [levels.leading_label(p) for p in pieces]
        for run in _rung_runs(found):
            rungs = [found[i] for i in run]
            context = ""
            if block.kind == "paragraph":
                context = " ".join(p for i, p in enumerate(pieces) if i not in run)
            notes.append(_ladder(rungs, pin, section.heading, block.line, context))
            pin = None
    return notes


_SEPARATORS = (";", "→", "->", "|")
_RUNG_SEPARATOR = re.compile(r"\s*(?:" + "|".join(map(re.escape, _SEPARATORS)) + r")\s*")


def _split_rungs(sentence: str, levels: Levels) -> list[str]:
    """``L5: my code → L6: my system`` → two rungs, when every piece starts with a level."""
    if not any(separator in sentence for separator in _SEPARATORS):
        return [sentence]
    pieces = [p for p in _RUNG_SEPARATOR.split(sentence) if p.strip()]
    if len(pieces) > 1 and all(levels.leading_label(p) for p in pieces):
        return pieces
    return [sentence]


def _rung_runs(found: list) -> list[list[int]]:
    """Indexes of each run of two or more consecutive rungs."""
    runs, run = [], []
    for i, rung in enumerate(found + [None]):
        if rung and rung[1]:
            run.append(i)
        else:
            if len(run) >= 2:
                runs.append(run)
            run = []
    return runs


def _ladder(rungs, pin, section, line, context) -> NoteSpec:
    bodies = [split_trailing_punct(body) for _, body in rungs]
    words = [b.split() for b, _ in bodies]
    prefix, suffix = common_parts(words)
    parts, answers = [], []
    for n, ((level, _), (body, punct), w) in enumerate(zip(rungs, bodies, words), 1):
        middle, rest = _recallable(" ".join(w[prefix: len(w) - suffix]))
        answers.append(middle)
        rung = " ".join(w[:prefix] + [cloze(n, middle) + rest] + w[len(w) - suffix:])
        parts.append(f"**{level}:** {rung}{punct or '.'}")
    return NoteSpec(LADDER, pin or "", CLOZE, " ".join(parts), section, line, extra=context,
                    answers=tuple(answers), pinned=bool(pin))


RUNG_WORDS = 10  # a rung's part to recall, at most; what follows a clause break stays shown
_CLAUSE_BREAK = re.compile(r"\s*(?:—|–|\s-\s|;|:\s|,\s)")


def _recallable(middle: str) -> tuple[str, str]:
    """A long rung's part → (what to recall: up to its first clause break, the rest shown):
    ``the whole flow safe—the key travels …`` hides ``the whole flow safe``."""
    if len(middle.split()) <= RUNG_WORDS:
        return middle, ""
    for m in _CLAUSE_BREAK.finditer(middle):
        head = middle[:m.start()]
        if 2 <= len(head.split()) <= RUNG_WORDS and all(head.count(mark) % 2 == 0 for mark in ("*", "`", '"')):
            return head, middle[m.start():]
    return middle, ""


def common_parts(rungs: list[list[str]]) -> tuple[int, int]:
    """How many leading and trailing words every rung shares (the part not deleted).

    Nothing is shared when that would leave a rung with nothing to delete, and a
    shared part never ends inside emphasis or code (``*your code*``)."""
    prefix = _balanced(rungs[0], _common(rungs))
    reverse = [list(reversed(w)) for w in rungs]
    suffix = _balanced(list(reversed(rungs[0])), _common(reverse))
    if prefix + suffix >= min(len(w) for w in rungs):
        return 0, 0
    return prefix, suffix


def _common(seqs: list[list[str]]) -> int:
    n = 0
    for column in zip(*seqs):
        if len({c.lower() for c in column}) != 1:
            break
        n += 1
    return n


def _balanced(words: list[str], n: int) -> int:
    """Shorten ``n`` until the first ``n`` words open no emphasis or code they don't close."""
    while n and any(" ".join(words[:n]).count(mark) % 2 for mark in ("*", "`")):
        n -= 1
    return n
