"""The labels that count as levels (L5, Staff+, Junior, Before…) and where they appear."""

from __future__ import annotations

import re

WHO = r"(?:engineers?|developers?|leads?|version|answer|response)"
SAYS = r"(?:says|would say|might say|asks|replies|answers|does|would do|thinks)"
BEFORE_AFTER = ("before", "after")
# What ends a sentence, and what may close it before the spaces (quotes, brackets, emphasis).
_SENTENCE_MARKS = (".", "!", "?", "…", ":", ";")
_CLOSERS = "\"'”’)]*_"


_BEFORE_LABEL = frozenset("athen*_")  # the letters of "at", "the", "an", and emphasis
_WORD_IN_RUN = frozenset("athen_")  # no match starts just after these (its ``(?<!\w)``)
# The characters ``re.I`` matches to an ASCII one (İ ı ſ K: to i, i, s, k), and no other:
# tests/test_fast_paths.py tries every code point.
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


def _starts_sentence(text: str, at: int) -> bool:
    """Whether ``at`` begins the text or a sentence: only the last few characters matter
    (looking at the whole prefix each time made long scripts quadratic)."""
    window = text[max(0, at - 64): at]
    if at > 64 and window.strip():
        return _after_sentence(window)  # the start of the text is out of sight
    before = text[:at] if at > 64 else window
    return not before.strip() or _after_sentence(before)


def _after_sentence(before: str) -> bool:
    """``before`` ends with a sentence's last mark, then closing quotes or the like, then spaces."""
    return before.rstrip().rstrip(_CLOSERS)[-1:] in _SENTENCE_MARKS


def _letters(chars) -> str:
    """A character class of ``chars`` in either case."""
    variants = {re.escape(x) for c in chars for x in (c, c.lower(), c.upper())}
    return "[" + "".join(sorted(variants)) + "]"


def _first_letters(labels: tuple[str, ...], more: str) -> str:
    """A lookahead for the characters a label (or ``more``) can start with: it changes no
    match, but lets the regex give up at most positions without trying every label."""
    if not all(labels):
        return ""
    return f"(?={_letters([lab[0] for lab in labels] + list(more))})"


def _label_start(labels: tuple[str, ...]) -> str:
    """A lookahead for a label's first two letters (any first, then any second): the
    same, once a match has come as far as its label."""
    if not all(labels):
        return ""
    if min(map(len, labels)) == 1:
        return _first_letters(labels, "")
    return f"(?={_letters(lab[0] for lab in labels)}{_letters(lab[1] for lab in labels)})"


class Levels:
    """The labels that count as levels, lowest first, with patterns to find them."""

    def __init__(self, labels: tuple[str, ...]):
        self.labels = labels
        self._rank: dict[str, int] = {}  # lower case → position (the first, if named twice)
        for i, lab in enumerate(labels):
            self._rank.setdefault(lab.lower(), i)
        alts = "|".join(re.escape(lab) for lab in sorted(labels, key=len, reverse=True))
        end = r"(?![\w+])"
        label, start = _label_start(labels), _first_letters(labels, "at*_")
        # "At L5: …", "At L5, you might say …", "L6 says: …", "Junior: …", "**L5:** …"
        # Both start where no word character comes before (``\b`` before "At", else the
        # look-behind): said up front, so a position inside a word is given up at once.
        self.in_prose = re.compile(
            rf"{start}(?<!\w)(?:\b[Aa]t\s+(?:the\s+)?[*_]*{label}(?P<a>{alts}){end}"
            rf"[*_]*(?:\s+level)?\s*[:,]"
            rf"|(?<![\w+])(?:(?:an?|the)\s+)?[*_]*{label}(?P<b>{alts}){end}(?:\s+{WHO})?"
            rf"(?:\s+{SAYS})?\s*(?::[*_]*|[*_]+:))",
            re.I)
        # "L5: …", "**L5:** …", "L5 — …", "**L5** …" at the start of a list item or rung
        self.leading = re.compile(
            rf"^\s*(?:(?P<bold>\*\*|__)\s*(?P<blevel>{alts}){end}\s*:?\s*(?P=bold)\s*[:—–-]?"
            rf"|(?P<level>{alts}){end}(?:\s+{SAYS})?\s*(?::|\s[—–-]))\s*(?P<rest>.*)$",
            re.S | re.I)
        # Any label in lower case, found without ``re.I`` (``_in_prose``) when all are ASCII.
        lower = "|".join(map(re.escape, {lab.lower() for lab in labels}))
        self._lower = re.compile(lower) if all(labels) and all(lab.isascii() for lab in labels) else None
        self.whole = re.compile(rf"^\s*[*_]*\s*(?P<level>{alts})\s*[*_]*\s*:?\s*$", re.I)

    def sample(self) -> str:
        """The first few labels, for messages."""
        more = ", …" if len(self.labels) > 6 else ""
        return ", ".join(self.labels[:6]) + more

    def canonical(self, label: str) -> str:
        """The configured spelling of a label found in any case."""
        i = self._rank.get(label.lower())
        return label if i is None else self.labels[i]

    def rank(self, label: str) -> int:
        """Position in the ladder (lowest first); -1 for a label that is not a level."""
        return self._rank.get(label.lower(), -1)

    def leading_label(self, text: str) -> tuple[str, str] | None:
        """``**L5:** you own your code`` → (``L5``, ``you own your code``)."""
        m = self.leading.match(text)
        if not m:
            return None
        return self.canonical(m.group("blevel") or m.group("level")), m.group("rest").strip()

    def label_cell(self, text: str) -> str | None:
        """A table cell that is only a level label (``L5``, ``**Staff+**``)."""
        m = self.whole.match(text)
        return self.canonical(m.group("level")) if m else None

    def starts_with_response(self, text: str) -> bool:
        """Whether the text opens with a level's response (``At L5:`` …)."""
        return self.in_prose.match(text) is not None

    def responses_in_prose(self, body: str) -> list[re.Match]:
        """Level labels that start a sentence: ``At L5:``, ``L6 says:``, ``Junior:``."""
        return [m for m in self._in_prose(body) if _starts_sentence(body, m.start())]

    def _in_prose(self, body: str) -> list[re.Match]:
        """``in_prose.finditer(body)``, tried only before each label in the body: a match
        holds a label, and before it only "at", "the", "an", spaces, ``*`` and ``_``. The
        labels are found in the lower-cased body, as ``re.I`` finds them when they are ASCII
        and no character of the body folds to ASCII (``_FOLDS_TO_ASCII``)."""
        if self._lower is None or (not body.isascii() and not _FOLDS_TO_ASCII.isdisjoint(body)):
            return list(self.in_prose.finditer(body))
        low, found, done = body.lower(), [], 0  # every place before ``done`` tried (or skipped)
        label = self._lower.search(low)
        while label:
            at = start = label.start()
            while start > done and (low[start - 1] in _BEFORE_LABEL or low[start - 1].isspace()):
                start -= 1
            done = at + 1
            for place in range(start, at + 1):  # as finditer: the first match, then on from its end
                if (place == start or low[place - 1] not in _WORD_IN_RUN) and (
                        m := self.in_prose.match(body, place)):
                    found.append(m)
                    done = m.end()
                    break
            label = self._lower.search(low, done)
        return found
