"""Where a recap bullet has no shape to go by: its most distinctive term that the title
does not name, else the phrase the video is about (the words it shares with its title):
rules 9 and 10 of ``shapes``."""

from __future__ import annotations

import re

from .bullet import TOKEN, Bullet, Span, everywhere, word_runs
from .text import is_small

TRIES = 12  # phrases or terms offered, best first: each try reads the whole bullet


# ---------------------------------------------------------------- the video's phrase

_SUBTITLE = re.compile(r"[:(—–?]|\s-\s")


def stem(word: str) -> str:
    return word.lower().replace("’", "'").removesuffix("'s")


def same_word(a: str, b: str) -> bool:
    """One word in two forms: ``shed`` and ``shedding``, ``key`` and ``keys``, ``cache``
    and ``caching``, ``limiter`` and ``limiting``: they share all their letters but the
    last one or two (the last three, in a word of seven or more), and four at least."""
    short, long = sorted((a, b), key=len)
    if len(short) <= 3:
        return long in (short, short + "s", short + "es", short + "ing", short + short[-1:] + "ing")
    common = 0
    for x, y in zip(short, long):
        if x != y:
            break
        common += 1
    return common >= max(4, len(short) - (2 if len(short) >= 7 else 1))


def topic_words(title: str) -> list[str]:
    main = _SUBTITLE.split(title, 1)[0]
    words = [stem(w) for w in TOKEN.findall(main) if not is_small(w)]
    return words or [stem(w) for w in TOKEN.findall(title) if not is_small(w)]


def _in_topic(word: str, topic: list[str]) -> bool:
    return any(same_word(stem(word), t) for t in topic)


def title_phrases(bullet: Bullet, title: str) -> list[list[Span]]:
    """The longest runs of words the bullet shares with its title's main part, first."""
    topic = topic_words(title)
    if not topic:
        return []
    runs = word_runs(bullet, lambda w: not is_small(w) and _in_topic(w, topic))
    runs.sort(key=lambda run: -len(run))
    return [everywhere(bullet, run[0].start(), run[-1].end()) for run in runs[:TRIES]]


# ---------------------------------------------------------------- the distinctive term


def _odd(word: str) -> bool:
    """A word with a digit, a hyphen, a slash, a percent sign or a capital inside."""
    return (any(c.isdigit() for c in word) or any(c in word for c in "-/%")
            or any(c.isupper() for c in word[1:]))


def _score(word: str) -> int:
    return len(word) + (5 if _odd(word) else 0)


def distinctive_terms(bullet: Bullet, title: str = "") -> list[list[Span]]:
    """Content words of the first sentence that the title does not name (the card's front
    shows the title), best first, each with the odd words next to it (``High-cardinality
    IDs``)."""
    topic = topic_words(title) if title else []
    runs = word_runs(bullet, lambda w: not is_small(w) and not _in_topic(w, topic), aside=False)
    words = sorted(((i, j) for i, run in enumerate(runs) for j in range(len(run))),
                   key=lambda ij: -_score(runs[ij[0]][ij[1]].group(0)))
    out = []
    for i, j in words[:TRIES]:
        run = runs[i]
        lo, hi = j, j + 1
        while lo > 0 and _odd(run[lo - 1].group(0)):
            lo -= 1
        while hi < len(run) and _odd(run[hi].group(0)):
            hi += 1
        out.append(everywhere(bullet, run[lo].start(), run[hi - 1].end()))
        if hi - lo > 1:
            out.append(everywhere(bullet, *run[j].span()))
    return out
