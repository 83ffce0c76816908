"""How alike two texts are, and which old and new texts are clearly the same (for matching
renamed notes and reworded cloze deletions)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .text import show_cloze

MATCH = 0.6  # a similarity below this is not the same note
MARGIN = 0.1  # the best match must beat the runner-up by this much


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
