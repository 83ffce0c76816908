"""Where the author bolded nothing: the deletion a recap bullet's own shape names.

CARDS.md, "Where the author bolded nothing". Each rule reads the bullet and returns its
cards as groups of spans (offsets into the bullet), one group per card (c1, c2 …), or
nothing; ``deletions`` keeps the first answer that holds up (``_sound``): no deletion is
the whole bullet, none is only small words, none is already shown on its card's front.
The rules, in order (``tests/test_recap_shapes.py`` is their table):

1. ``X = definition. Y = definition.`` (or ``≈``; or ``→`` in two clauses or more): each
   value its own card (numbers bullets too); values that repeat each other, one card.
2. ``A question? Its answer. More.``: the answer sentence.
3. ``Use X for Y.`` (``Prefer``, ``Avoid``, ``Don't use`` …): X; Y where X is what the
   video is about (its title names it).
4. ``A → B → C``: each step of a chain of short steps.
5. ``Label: …``, ``Head — …``, ``Cause → …`` (a head of at most six words, with no
   ``is``): the first sentence after it that is not a question; and so for each later
   sentence with a head of its own.
6. ``X is Y`` / ``X are Y`` / ``X means Y`` (a short X, not a clause): Y, up to a colon,
   semicolon or dash; each clause of the first sentence that says so.
7. ``A, B, and C`` (three or more items of about one size): each item.
8. ``Do X when Y`` (``if``, ``before``, ``so`` …), ``X beats Y``: X, without the small
   words that open it; ``X, not Y``: the words of substance just before ``, not``.
9. The most distinctive term of the first sentence, outside parentheses and code, that
   the title does not name: its longest word (a digit, hyphen, slash, percent sign or
   inner capital counts five letters more), with the "odd" words beside it, each time
   it appears.
10. The phrase the video is about: the longest run of words shared with the main part of
    its title (before a colon, dash or parenthesis), each time it appears.

CARDS.md puts 10 before 9; measured, that order hid the video's own subject (``Every
{{c1::index}} slows writes a little.`` in "Database Indexes"), which the card's front
already shows in its title: a card with nothing to recall. So the subject is hidden
only where the bullet holds no other word of substance.

Sentence-like deletions (5, 2) keep their final punctuation, as a bold label's sentence
does; phrase-like ones leave it outside, as a bold term's does.
"""

from __future__ import annotations

import re

from .bullet import (EQUALS, HIDDEN, TOKEN, Bullet, Cards, Span, balanced, clauses, count,
                     ends_question, has_content, trim, words)
from .terms import distinctive_terms, same_word, stem, title_phrases, topic_words
from .text import is_small

_MOST_CARDS = 9  # a rule that finds more (a list of fifty) names no card anyone wants


def deletions(text: str, title: str = "") -> Cards | None:
    """The bullet's cards as groups of spans to hide, or None: no deletion is defensible."""
    bullet = Bullet(text)
    if not bullet.sentences:
        return None
    for rule in (_pairs, _answered_question, _use, _chain, _separated, _is, _enumeration, _advice,
                 _contrast):
        cards = _sound(bullet, rule(bullet, title) if rule is _use else rule(bullet))
        if cards:
            return cards
    for candidate in [*distinctive_terms(bullet, title), *title_phrases(bullet, title)]:
        cards = _sound(bullet, [candidate])
        if cards:
            return cards
    return None


# ---------------------------------------------------------------- 1. X = definition

def _pairs(bullet: Bullet) -> Cards:
    """Each value of ``X = value`` clauses, the first clause one of them; with arrows
    instead (``80% → shed; 95% → reject``), two clauses at least, each with one arrow."""
    return (_values(bullet, EQUALS, 1)
            or _values(bullet, _ARROW, 2, lambda c: len(_ARROW.findall(bullet.masked[slice(*c)])) == 1))


def _values(bullet: Bullet, separator: re.Pattern, least: int, fits=lambda clause: True) -> Cards:
    text, masked = bullet.text, bullet.masked
    cards = []
    for n, clause in enumerate(clauses(bullet)):
        start, end = clause
        sep = separator.search(masked, start, end) if fits(clause) else None
        head = text[start:sep.start()] if sep else ""
        if not sep or not 1 <= count(head) <= 8 or not has_content(head):
            if n == 0:
                return []
            continue
        cards.append([trim(text, sep.end(), end)])
    return cards if len(cards) >= least else []


# ---------------------------------------------------------------- 2. question, answer

def _answered_question(bullet: Bullet) -> Cards:
    spans = bullet.sentences
    if not ends_question(bullet.text[slice(*spans[0])]):
        return []
    answer = next((s for s in spans[1:] if not ends_question(bullet.text[slice(*s)])), None)
    return [[answer]] if answer else []


# ---------------------------------------------------------------- 3. Use X for Y

_USE = re.compile(r"(?:Use|Prefer|Choose|Pick|Reach for|Try|Avoid|Never use|Don['’]t use|"
                  r"Do not use|Default to|Start with)\s+(?:(?:a|an|the)\s+)?", re.I)
_USE_END = re.compile(r"\s+(?:for|as|when|whenever|if|to|instead of|over|rather than|so|until|"
                      r"before|after|where|unless|in|on|at|but|not|than)\b|\s*[,;:.!?—–(]|\s-\s")


def _use(bullet: Bullet, title: str = "") -> Cards:
    """X of ``Use X for Y``; Y where X is what the video is about (its title names it)."""
    start, end = bullet.first()
    m = _USE.match(bullet.text, start, end)
    if not m:
        return []
    stop = _USE_END.search(bullet.masked, m.end(), end)
    span = trim(bullet.text, m.end(), stop.start() if stop else end)
    if not 1 <= count(bullet.text[slice(*span)]) <= 6:
        return []
    topic = topic_words(title)
    if stop and stop.group(0).strip() and topic and all(
            any(same_word(stem(w), t) for t in topic)
            for w in TOKEN.findall(bullet.text[slice(*span)]) if not is_small(w)):
        return [[trim(bullet.text, stop.end(), end)]]
    return [[span]]


# ---------------------------------------------------------------- 4. A → B → C

_ARROW = re.compile(r"\s*(?:→|->|=>|⇒|⟶)\s*")


def _chain(bullet: Bullet) -> Cards:
    start, end = clauses(bullet)[0]
    arrows = list(_ARROW.finditer(bullet.masked, start, end))
    if len(arrows) < 2:
        return []
    bounds = [start] + [p for a in arrows for p in (a.start(), a.end())] + [end]
    steps = [trim(bullet.text, a, b) for a, b in zip(bounds[::2], bounds[1::2])]
    if any(not 1 <= count(bullet.text[slice(*s)]) <= 5 or ":" in bullet.masked[slice(*s)]
           for s in steps):
        return []
    return [[s] for s in steps]


# ---------------------------------------------------------------- 5. Label: …

_SEPARATOR = re.compile(r":(?=\s|$)|\s[—–-]\s|—|\s*(?:→|->|=>|⇒|⟶)\s*")


def _separated(bullet: Bullet) -> Cards:
    """The first sentence's head and what follows it; and so for each later sentence that
    opens with a head of its own (``Range: easy scans. Hash: even spread.``)."""
    start, end = bullet.first()
    pos = _after_head(bullet, start, end)
    if pos is None:
        return []
    cards = _first_answer(bullet, pos)
    for start, end in bullet.sentences[1:]:
        if cards and start >= cards[-1][0][1]:
            pos = _after_head(bullet, start, end)
            if pos is not None:
                cards += _first_answer(bullet, pos)
    return cards


def _after_head(bullet: Bullet, start: int, end: int) -> int | None:
    """Where the body starts, after a short head and its separator; None without one."""
    sentence = bullet.masked[start:end]
    for m in _SEPARATOR.finditer(bullet.masked, start, end):
        if "—" in m.group(0) and sentence.count("—") > 1:  # a pair of dashes: an aside
            continue
        head = bullet.text[start:m.start()]
        if (not 1 <= count(head) <= 6 or not has_content(head) or not balanced(head)
                or _IS.search(head)):  # ``X is Y — …``: the ``is`` rule's
            return None
        return m.end()
    return None


def _first_answer(bullet: Bullet, pos: int) -> Cards:
    """The first sentence from ``pos`` on that is not a question, whole (or the first)."""
    first: Cards = []
    for start, end in bullet.sentences:
        if end <= pos:
            continue
        span = trim(bullet.text, max(start, pos), end)
        span = (span[0], end)  # a sentence keeps its final punctuation
        if span[0] < end and not ends_question(bullet.text[start:end]):
            return [[span]]
        first = first or [[span]] if span[0] < end else first
    return first  # only questions: ``The real question: what does the user see?``


# ---------------------------------------------------------------- 6. X is Y

_IS = re.compile(r"\s(?:is|are|means)\s+(?:not\s+)?", re.I)
# A subject holding one of these is a clause (``Fail open when the limiter is down``), or
# points elsewhere (``It is``, ``This is``): its ``is`` names nothing to recall.
_NOT_SUBJECT = frozenset("it this that these those there here what which who if when whenever "
                         "because since while unless until although though so and but or how why "
                         "where once as before after".split())
_PREDICATE_END = re.compile(r"[:;]|\s[—–-]\s|—")


def _is(bullet: Bullet) -> Cards:
    """Y in the first sentence's ``X is Y``; and in each of its clauses after a semicolon
    that says the same of another X (``Dashboards are for humans; alerts are for pagers``)."""
    start, end = bullet.first()
    parts = [c for c in clauses(bullet) if start <= c[0] < end]
    cards = []
    for n, (a, b) in enumerate(parts):
        span = _predicate(bullet, a, b)
        if span is None and n == 0:
            return []
        if span is not None:
            cards.append([span])
    return cards


def _predicate(bullet: Bullet, start: int, end: int) -> Span | None:
    m = _IS.search(bullet.masked, start, end)
    if not m:
        return None
    subject = bullet.text[start:m.start()]
    comma = subject.rfind(",")
    if comma >= 0 and count(subject[:comma]) <= 3:  # ``At L6, the fix is …``
        subject = subject[comma + 1:]
    if _PREDICATE_END.search(bullet.masked, start, m.start()) or "," in subject:
        return None
    words = [w.lower() for w in TOKEN.findall(subject)]
    if not 1 <= len(words) <= 6 or not has_content(subject) or _NOT_SUBJECT.intersection(words):
        return None
    stop = _PREDICATE_END.search(bullet.masked, m.end(), end)
    return trim(bullet.text, m.end(), stop.start() if stop else end)


# ---------------------------------------------------------------- 7. A, B, and C

_COMMA = re.compile(r",\s+(?:(?:and|or)\s+)?")
_LAST_AND = re.compile(r"\s+(?:and|or)\s+")


def _enumeration(bullet: Bullet) -> Cards:
    """``Claim the key, store the response, and replay it``: three or more items of about
    one size, the last after ``and`` or ``or`` (before any colon or dash); each item a card."""
    start, end = bullet.first()
    stop = _PREDICATE_END.search(bullet.masked, start, end)
    end = stop.start() if stop else end
    cuts = [(m.start(), m.end()) for m in _COMMA.finditer(bullet.masked, start, end)]
    if not cuts:
        return []
    if not _LAST_AND.search(bullet.masked[cuts[-1][0]:cuts[-1][1]] + " "):
        last = list(_LAST_AND.finditer(bullet.masked, cuts[-1][1], end))
        if not last:
            return []
        cuts.append(last[-1].span())
    if len(cuts) < 2:
        return []
    bounds = [start] + [p for cut in cuts for p in cut] + [end]
    items = [trim(bullet.text, a, b) for a, b in zip(bounds[::2], bounds[1::2])]
    sizes = [count(bullet.text[slice(*s)]) for s in items]
    if min(sizes) < 1 or max(sizes) > 8 or sizes[0] > max(sizes[1:]) + 2:
        return []
    if any(_opens_aside(bullet.text[slice(*s)]) for s in items):  # ``X, e.g. Y, does Z``
        return []
    return [[s] for s in items]


def _opens_aside(item: str) -> bool:
    """Whether an item opens with a small word other than an article: an aside, not an item."""
    first = TOKEN.match(item)
    return bool(first) and is_small(first.group(0)) and first.group(0).lower() not in ("a", "an", "the")


# ---------------------------------------------------------------- 8. X when Y, X beats Y

_CONDITION = re.compile(r"\s(?:when|whenever|if|unless|until|before|after|so|because|while|once)\s",
                        re.I)
_BEATS = re.compile(r"\s(?:beats?|over|vs\.?|versus|trumps?)\s", re.I)


def _advice(bullet: Bullet) -> Cards:
    """``Push back before you fall over``: the advice before ``when``, ``if``, ``before``,
    ``so`` …; ``Quotas beat throttles``: what wins. Small words that open it stay out
    (``Never {{c1::shard}} before you must``)."""
    start, end = clauses(bullet)[0]
    m = _CONDITION.search(bullet.masked, start, end) or _BEATS.search(bullet.masked, start, end)
    if not m:
        return []
    head = bullet.text[start:m.start()]
    tokens = [t for t in bullet.tokens(start, m.start())]
    if not 1 <= len(tokens) <= 5 or "," in head or not has_content(bullet.text[m.end():end]):
        return []
    first = next((t for t in tokens if not is_small(t.group(0))), None)
    return [[trim(bullet.text, first.start(), m.start())]] if first else []


_NOT = re.compile(r"(?:\s*\([^)]*\))?,\s+(?:not|never)\s")


def _contrast(bullet: Bullet) -> Cards:
    """``Pair on the pattern, not the line``: the words of substance just before ``, not``
    (three at most, past a parenthesis: ``Alert on symptoms (user pain), not causes``)."""
    start, end = clauses(bullet)[0]
    m = _NOT.search(bullet.text, start, end)
    if not m:
        return []
    tokens = bullet.tokens(start, m.start())
    run: list[re.Match] = []
    for i in range(len(tokens) - 1, -1, -1):
        word, joined = tokens[i].group(0), bool(run)
        if joined and bullet.text[tokens[i].end():run[0].start()].strip(" -"):
            break
        if is_small(word) and not (joined and word in ("and", "or") and i and not is_small(
                tokens[i - 1].group(0)) and not is_small(run[0].group(0))):
            break
        run.insert(0, tokens[i])
        if sum(not is_small(t.group(0)) for t in run) == 3:
            break
    while run and is_small(run[0].group(0)):
        run.pop(0)
    return [[(run[0].start(), run[-1].end())]] if run else []


# ---------------------------------------------------------------- soundness

def _sound(bullet: Bullet, cards: Cards) -> Cards | None:
    """The cards, or all of them merged into one card where one card's front would show
    another's answer; None when a deletion is empty, only small words, unbalanced, or
    leaves its card's front with no word of substance."""
    if not cards or len(cards) > _MOST_CARDS or not all(cards):  # a card that hides nothing
        return None
    text = bullet.text
    spans = sorted(s for card in cards for s in card)
    if any(b <= a for a, b in spans) or any(b > c for (_, b), (c, _) in zip(spans, spans[1:])):
        return None
    if not all(has_content(text[a:b]) and balanced(text[a:b]) for a, b in spans):
        return None
    if any(HIDDEN in bullet.masked[a:b] for a, b in spans):  # never a link's target, nor across one
        return None
    if not _fronts_hold(text, cards):
        if len(cards) == 1:
            return None
        cards = [spans]
        if not _fronts_hold(text, cards):
            return None
    return cards


def _fronts_hold(text: str, cards: Cards) -> bool:
    for card in cards:
        front, pos = [], 0
        for a, b in sorted(card):
            front.append(text[pos:a])
            pos = b
        front.append(text[pos:])
        front_text = " … ".join(front)
        if not has_content(front_text):
            return False
        lowered = front_text.lower()
        answers = [words(text[a:b]) for a, b in card]
        if any(a.split(" ", 1)[0] in lowered for a in answers):  # else none can be shown
            shown = f" {words(front_text)} "
            if any(f" {a} " in shown for a in answers):
                return False
    return True
