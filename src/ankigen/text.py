"""Small rules about words: slugs, sentences, bold spans, heading meaning."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Characters reserved for cloze markers inside extracted Markdown; authors'
# text never carries them (``clean`` removes them).
CLOZE_OPEN = "\ue000"
CLOZE_MID = "\ue001"
CLOZE_CLOSE = "\ue002"

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\ue002]")  # never in a field
# In UTF-8: the control characters above, and the lead byte of U+E000–U+EFFF (our markers).
_CONTROL_BYTES = bytes([*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f, 0xee])


def clean(text: str) -> str:
    """Drop control characters (NUL, Anki's field separator) and our markers."""
    if len(text) > 512 and not may_hold_control(text):
        return text
    return CONTROL.sub("", text)


@lru_cache(maxsize=1)
def may_hold_control(text: str) -> bool:
    """``holds_control_bytes``, kept for the last text: a build asks about each script's
    text three times in a row (parse, the check for an empty file, the warning)."""
    return holds_control_bytes(text)


def holds_control_bytes(text: str) -> bool:
    """False when ``CONTROL`` cannot match: for a whole script, three times as quick as
    the regex (bytes.translate runs in C at memory speed)."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, _CONTROL_BYTES)) != len(data)


_TAG = re.compile(r"<[^>]*>")
_NOT_WORD = re.compile(r"[\W_]+")


def slugify(text: str, limit: int = 60) -> str:
    """``Code ownership`` → ``code-ownership``; non-Latin letters are kept, HTML tags dropped."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if not text.isascii():  # ASCII has no accents to take apart
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("'", "").replace("’", "").replace("‘", "")
    text = text.replace("+", " plus ").replace("&", " and ")
    slug = _NOT_WORD.sub("-", text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    return slug


def cloze(n: int, text: str) -> str:
    """Mark ``text`` as cloze deletion ``n`` (rendered to ``{{cN::…}}`` later)."""
    return f"{CLOZE_OPEN}{n}{CLOZE_MID}{text}{CLOZE_CLOSE}"


_CLOZE_START = re.compile(f"{CLOZE_OPEN}(\\d+){CLOZE_MID}")


def show_cloze(text: str) -> str:
    """Markers → Anki's cloze syntax, for reports and golden files."""
    if CLOZE_OPEN in text:  # a question/answer note has none: no regex pass
        text = _CLOZE_START.sub(_anki_cloze_start, text)
    return text.replace(CLOZE_CLOSE, "}}")


def _anki_cloze_start(m: re.Match) -> str:
    return "{{c" + m.group(1) + "::"  # a function: quicker than a template in Python 3.11


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


_PARENTHESES = re.compile(r"\([^)]*\)")
_MARKUP = re.compile(r"[*_`#]")
_SPACES = re.compile(r"\s+")


def normalize_heading(text: str) -> str:
    """Heading text reduced to its meaning: case, quotes, counts, punctuation."""
    text = text.translate(_QUOTES).lower()
    text = _PARENTHESES.sub(" ", text)
    text = _MARKUP.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return text.rstrip(" :.!?-—–").strip()


_COUNT = re.compile(r"\(\s*(\d+)\s*(?:bullets?|points?|items?|takeaways?)?\s*\)", re.I)


def heading_count(text: str) -> int | None:
    """The ``5`` of ``Quick Recap (5 bullets)``; None for ranges or no count."""
    m = _COUNT.search(text) if "(" in text else None
    return int(m.group(1)) if m else None


class Bold(NamedTuple):  # a named tuple: immutable, and quicker to make than a dataclass
    """A ``**strong**`` span: where it starts and ends in the text, and what it holds."""

    start: int  # offset of the opening ``**``
    end: int  # offset just after the closing ``**``
    inner: str


# ``**`` or ``__``, a non-space, the fewest characters that end in a non-space, the same
# two again and no third ``*``. Each closing is a literal after the lazy repeat, which
# lets the regex skip ahead to it instead of testing every character.
_BOLD = re.compile(r"(?:\*\*(?=\S)(.+?)\*\*(?<=\S\*\*)|__(?=\S)(.+?)__(?<=\S__))(?!\*)", re.S)


def bold_spans(text: str) -> list[Bold]:
    """Every ``**strong**`` span outside inline code."""
    masked = mask_code(text)
    # A span ends at a closing ** or __ (and the character after it may not be *): the
    # regex need not read past the last one, which is most of a line of prose.
    end = max(masked.rfind("**"), masked.rfind("__")) + 3
    return [Bold(m.start(), m.end(), text[m.start(m.lastindex):m.end(m.lastindex)])
            for m in _BOLD.finditer(masked, 0, end)]


_CODE = re.compile(r"(``*)(.+?)\1")  # ``*, not `+: a literal first, which the regex finds quickly
_BACKTICKS = re.compile(r"`+")


def mask_code(text: str) -> str:
    """The text with inline code spans replaced by same-length filler."""
    ticks = text.count("`")
    if not ticks:
        return text
    if ticks > 64:  # the regex takes time cubic in backticks: a hostile line
        return _mask_code_runs(text)
    return _CODE.sub(lambda m: "\x00" * len(m.group(0)), text)


def _mask_code_runs(text: str) -> str:
    """``mask_code`` in linear time: a run of N backticks closes at the next run of N."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    later: dict[int, list[int]] = {}  # run length → indexes of runs of that length, last first
    for i in reversed(range(len(runs))):
        later.setdefault(runs[i][1] - runs[i][0], []).append(i)
    out, last, i = [], 0, 0
    while i < len(runs):
        start, end = runs[i]
        same = later[end - start]
        while same and same[-1] <= i:
            same.pop()
        if same:
            close = runs[same[-1]][1]
            out += [text[last:start], "\x00" * (close - start)]
            last, i = close, same[-1] + 1
        else:
            i += 1
    out.append(text[last:])
    return "".join(out)


# A sentence's end marks and closers, and the next character that is not a space.
# ``[.!?…][.!?…]*`` is ``[.!?…]+`` written to start with a set of characters: the regex
# skips ahead to the next of them instead of trying each position.
_SENTENCE_END = re.compile(r"[.!?…][.!?…]*[\"'”’)\]*_]*(?=\s|$)(?=\s*(\S)|)")
# Words whose final period does not end a sentence.
ABBREVIATIONS = frozenset({"e.g", "i.e", "vs", "cf", "dr", "mr", "mrs", "ms", "prof", "st", "approx"})


def sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping each one's final punctuation.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quote,
    bracket or emphasis) followed by a space and a word that does not start in
    lower case; never inside inline code, never after ``e.g.``, ``Dr.`` and the like.
    """
    masked = mask_code(text)
    out, start = [], 0
    for m in _SENTENCE_END.finditer(masked):
        if _ends_sentence(masked, m):
            end = m.end()
            piece = text[start:end].strip()
            if piece:
                out.append(piece)
            start = end
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


_LAST_WORD = re.compile(r"([\w.]+)$")
# Enough characters before a period to hold any abbreviation and the one before it:
# a longer word is none of them, whether seen whole or cut to this window.
_ABBREVIATION_WINDOW = max(map(len, ABBREVIATIONS)) + 2


_ABBREVIATION_ENDINGS = tuple(ABBREVIATIONS)  # for str.endswith


def _ends_sentence(text: str, m: re.Match) -> bool:
    nxt = m[1]  # the next character that is not a space
    if nxt and (nxt.islower() or nxt in "-–—"):
        return False
    start = m.start()
    if text[start] != ".":
        return True
    # Most periods follow no abbreviation, seen in one endswith (but after a line break,
    # which ``$`` below may stand before).
    before = text[max(0, start - _ABBREVIATION_WINDOW):start]
    if not before.endswith("\n") and not before.lower().endswith(_ABBREVIATION_ENDINGS):
        return True
    word = _LAST_WORD.search(text, max(0, start - _ABBREVIATION_WINDOW), start)
    return not (word and word.group(1).lower() in ABBREVIATIONS)


_TRAILING = frozenset(".,;:!?…")


def split_trailing_punct(text: str) -> tuple[str, str]:
    """``Technical direction ownership.`` → (``Technical direction ownership``, ``.``)."""
    end = len(text)
    while end and (text[end - 1] in _TRAILING or text[end - 1].isspace()):
        end -= 1
    if end in (0, len(text)):
        return text, ""
    return text[:end], text[end:].strip()


def strip_wrapping(text: str) -> str:
    """Remove emphasis or quotes wrapping a whole line: ``**line**`` → ``line``."""
    text = text.strip()
    if text[:1] not in ("*", "_", '"', "“"):  # the usual case: nothing wraps it
        return text
    changed = True
    while changed and len(text) > 2:
        changed = False
        for left, right in (("**", "**"), ("__", "__"), ("*", "*"), ("_", "_"),
                            ('"', '"'), ("“", "”")):
            if text.startswith(left) and text.endswith(right) and len(text) > len(left) + len(right):
                inner = text[len(left):-len(right)]
                if left in ('"', "“") and ('"' in inner or "“" in inner or "”" in inner):
                    continue
                if left in ("*", "_", "**", "__") and left in inner:
                    continue
                text = inner.strip()
                changed = True
    return text


_WORD = re.compile(r"\w+")


# Each ASCII byte that ``\w`` matches (a letter, a digit, ``_``) kept, any other made a space.
_WORD_BYTES = bytes(c if chr(c).isalnum() or chr(c) == "_" else 32 for c in range(128)) + b" " * 128


def word_count(text: str) -> int:
    """How many words (letters or digits) a text holds."""
    if text.isascii():  # on ASCII, ``\w`` is [A-Za-z0-9_]: its runs are what split() finds
        return len(text.encode("ascii").translate(_WORD_BYTES).split())
    return len(_WORD.findall(text))


def has_words(text: str) -> bool:
    """Whether the text holds a word at all (``word_count`` > 0, without counting)."""
    return _WORD.search(text) is not None


RECALL_WORDS = 40  # what a learner recalls from a back: at most about this many words
_CLAUSE_END = re.compile(r"\s*(?:;|:|—|–|\s-\s)\s*")


def recall_split(text: str, limit: int = RECALL_WORDS) -> tuple[str, str]:
    """An answer → (what to recall: its first sentence, or two short ones, at most about
    ``limit`` words; the rest of the answer). A first sentence over ``limit`` words is cut
    at its last clause break (``;``, ``:``, a dash) that keeps it within the limit."""
    parts = sentences(text)
    if not parts:
        return "", ""
    keep = 1 if word_count(parts[0]) > 25 or len(parts) == 1 else 2
    if keep == 2 and word_count(" ".join(parts[:2])) > limit:
        keep = 1
    return _within(parts, keep, limit)


def cap_words(text: str, limit: int = RECALL_WORDS) -> tuple[str, str]:
    """``text`` within about ``limit`` words: its leading sentences that fit (at least one,
    cut at a clause break when it alone is over), and the rest."""
    if word_count(text) <= limit:
        return text, ""
    parts = sentences(text)
    keep = 1
    while keep < len(parts) and word_count(" ".join(parts[:keep + 1])) <= limit:
        keep += 1
    return _within(parts, keep, limit)


def _within(parts: list[str], keep: int, limit: int) -> tuple[str, str]:
    """The first ``keep`` sentences and the rest; a head still over ``limit`` words is cut
    at a clause break, its tail put before the rest."""
    head, rest = " ".join(parts[:keep]), " ".join(parts[keep:])
    if word_count(head) > limit:
        head, more = cut_clause(head, limit)
        rest = f"{more} {rest}".strip()
    return head, rest


def cut_clause(sentence: str, limit: int = RECALL_WORDS) -> tuple[str, str]:
    """A long sentence → (its part up to the last clause break within ``limit`` words,
    with ``…``; ``…`` and the rest): a ``;``, ``:`` or dash, else a comma. Never inside
    bold, code or a quote; unchanged if no break fits."""
    for breaks in (_CLAUSE_END, _COMMA):
        best = None
        for m in breaks.finditer(sentence):
            head = sentence[:m.start()]
            words = word_count(head)
            if words > limit:
                break
            if words >= 8 and _balanced(head):
                best = m
        if best is not None:
            return sentence[:best.start()].rstrip(" ,") + "…", "…" + sentence[best.end():]
    return sentence, ""


_COMMA = re.compile(r",\s+")


def _balanced(text: str) -> bool:
    """No bold, code or quote left open in ``text``."""
    return (text.count("**") % 2 == 0 and text.count("__") % 2 == 0 and text.count("`") % 2 == 0
            and text.count('"') % 2 == 0 and text.count("“") == text.count("”"))


# Words that carry no point of their own: a cloze deletion made only of them asks for
# nothing, and a card whose front keeps only them gives nothing to answer from.
SMALL_WORDS = frozenset("""
a an the and or but nor so yet if then than that this these those there here it its
they them their theirs we us our ours you your yours i me my mine he him his she her hers
is are was were be been being am do does did done doing have has had having
will would shall should can could may might must
to of in on at by for with from into onto over under about as like up down out off through
via per not no yes never always only just also very too much many more most less least
some any all each every both either neither what which who whom whose when where why how
whether while because since although though unless until till after before again ever
even still now often else such same other another nobody somebody someone anyone
everyone everything nothing something anything s t etc e.g i.e vs
don't doesn't isn't aren't won't can't didn't wasn't weren't it's that's there's
you're we're they're let's
""".split())


def is_small(word: str) -> bool:
    """Whether a word is one of the ``SMALL_WORDS`` (or one letter): no point of its own."""
    word = word.lower().replace("’", "'")
    return word in SMALL_WORDS or (len(word) == 1 and word.isalpha())
