"""A recap bullet as the rules in ``shapes`` and ``terms`` read it: its text, the same with
code, link targets and parentheses blanked, its sentences and clauses as spans, and the
small word-level tools they share."""

from __future__ import annotations

import re

from .text import is_small, mask_code, sentences

Span = tuple[int, int]  # offsets into the bullet's text
Cards = list[list[Span]]  # per card (c1, c2 …), the spans it hides

TOKEN = re.compile(r"\w+(?:[-'’/.]\w+)*%?")
_TRAILING = ".,;:!?…"


class Bullet:
    """The bullet's text; the same with code, link targets and parentheses blanked (where
    separators are looked for); its sentences as spans."""

    def __init__(self, text: str):
        self.text = text
        self.masked = _mask(text)
        self.sentences = _sentence_spans(text)
        self.clauses: list[Span] | None = None  # made when first asked for: ``clauses``

    def first(self) -> Span:
        return self.sentences[0]

    def tokens(self, start: int = 0, end: int | None = None) -> list[re.Match]:
        return list(TOKEN.finditer(self.text, start, len(self.text) if end is None else end))


_LINK_TARGET = re.compile(r"(?<=\])\([^)]*\)|<[a-z]+:[^>]*>")
_PARENTHESIZED = re.compile(r"(?<=\()[^()]*(?=\))")


HIDDEN = "\x01"  # a link's target: never on a card as text, so never a deletion
_NOT_HIDDEN = re.compile("[^\x01]")


def _mask(text: str) -> str:
    """Code and parentheses blanked with NUL, link targets with ``HIDDEN``."""
    masked = mask_code(text)
    if _LINK_TARGET.search(masked):
        masked = _LINK_TARGET.sub(lambda m: HIDDEN * len(m.group(0)), masked)
    if _PARENTHESIZED.search(masked):  # a link inside parentheses stays hidden
        masked = _PARENTHESIZED.sub(lambda m: _NOT_HIDDEN.sub("\x00", m.group(0)), masked)
    return masked


def _sentence_spans(text: str) -> list[Span]:
    spans, pos = [], 0
    for sentence in sentences(text):
        start = text.find(sentence, pos)
        if start < 0:  # cannot happen: sentences are pieces of the text, in order
            break
        spans.append((start, start + len(sentence)))
        pos = start + len(sentence)
    return spans


def trim(text: str, start: int, end: int) -> Span:
    """The span without spaces around it and without trailing ``.,;:!?…``."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING):
        end -= 1
    return start, end


def has_content(text: str) -> bool:
    return any(not is_small(t.group(0)) for t in TOKEN.finditer(text))


def count(text: str) -> int:
    return len(TOKEN.findall(text))


EQUALS = re.compile(r"(?<![=<>!:])=(?![=>])|≈")


def clauses(bullet: Bullet) -> list[Span]:
    """Sentences cut at semicolons, and at the comma before each further ``X =``."""
    if bullet.clauses is None:
        out = []
        for start, end in bullet.sentences:
            cuts = [start]
            semicolon = bullet.masked.find(";", start, end)
            while semicolon >= 0:
                cuts.append(semicolon + 1)
                semicolon = bullet.masked.find(";", semicolon + 1, end)
            for a, b in zip(cuts, cuts[1:] + [end]):
                out += _cut_at_commas(bullet.masked, a, b)
        bullet.clauses = out
    return bullet.clauses


def _cut_at_commas(masked: str, start: int, end: int) -> list[Span]:
    equals = [m.start() for m in EQUALS.finditer(masked, start, end)]
    spans, pos = [], start
    for before, eq in zip(equals, equals[1:]):
        comma = masked.rfind(",", before, eq)
        if comma < 0:
            return [(start, end)]
        spans.append((pos, comma + 1))
        pos = comma + 1
    spans.append((pos, end))
    return spans


def ends_question(text: str) -> bool:
    return text.rstrip("\"'”’*_) ").endswith("?")


def word_runs(bullet: Bullet, keep, aside: bool = True) -> list[list[re.Match]]:
    """Runs of tokens of the first sentence that ``keep`` accepts, next to each other
    (nothing but a space or a hyphen between them); with ``aside`` False, none in code or
    in parentheses."""
    start, end = bullet.first()
    runs: list[list[re.Match]] = []
    last = None
    for token in bullet.tokens(start, end):
        if not keep(token.group(0)) or bullet.masked[token.start()] in ("\x00\x01" if not aside
                                                                         else HIDDEN):
            last = None
            continue
        if last is not None and bullet.text[last.end():token.start()].strip(" -") == "":
            runs[-1].append(token)
        else:
            runs.append([token])
        last = token
    return runs


def everywhere(bullet: Bullet, start: int, end: int) -> list[Span]:
    """Each place the phrase appears, as a word of its own, in any case."""
    phrase = re.compile(r"(?<!\w)" + re.escape(bullet.text[start:end]) + r"(?!\w)", re.I)
    return [m.span() for m in phrase.finditer(bullet.text) if bullet.masked[m.start()] != HIDDEN]


def balanced(text: str) -> bool:
    return (text.count("`") % 2 == 0 and text.count("*") % 2 == 0 and text.count('"') % 2 == 0
            and text.count("[") == text.count("]") and text.count("(") == text.count(")")
            and text.count("<") == text.count(">") and text.count("“") == text.count("”"))


_WORD = re.compile(r"\w+")


def words(text: str) -> str:
    """The text's words in lower case, one space apart (``1/N`` is two: as a learner reads)."""
    return " ".join(_WORD.findall(text.lower()))
