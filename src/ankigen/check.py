"""``ankigen check``: every problem in what ``build`` would read, at once. Writes nothing.

Three sources of diagnostics, all returned as plain ``Diagnostic`` values:

- the build's own reading (``build.plan`` and ``build.load_deck``): bad sources,
  config errors, refused scripts, extraction warnings;
- rules on the script text that extraction does not see (unbalanced ``{{``,
  a level label the deck's ``levels:`` does not know);
- card-quality rules, always ``info``: a front that shows its own answer, an
  answer over 40 words, two cards of a series with the same front.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

from . import cards
from .build import Options, find_configs, load_deck, lock_diagnostics, plan
from .config import display_path
from .levels import Levels
from .errors import ERROR, INFO, WARNING, AnkigenError, Diagnostic, Problems
from .notes import Deck
from .render import remember, to_html
from .files import read_source
from .script import decode
from .template import render_cards, reveal_cloze
from .text import word_count

LONG_ANSWER_WORDS = 40
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

# Codes for diagnostics that the build raises without one (matched on their wording).
_FALLBACK_CODES = (
    (r"^unknown key", "unknown-key"),
    (r"^'(name|id|sources|tags|levels)' must", "bad-config-value"),
    (r"^sources pattern", "no-source-match"),
    (r"^not valid YAML", "bad-yaml"),
    (r"^a deck config must be a mapping", "bad-config"),
    (r"^cannot read", "unreadable"),
    (r"^not UTF-8|^not valid UTF-|^looks like UTF-16", "bad-encoding"),
    (r"^a binary file", "binary-file"),
    (r"^over \d+ MB", "too-large"),
    (r"^front matter is not valid YAML", "bad-front-matter"),
    (r"^folder holds no Markdown", "empty-folder"),
    (r"^not a deck config", "bad-source"),
    (r"^no deck configs", "no-configs"),
    (r"^deck has no videos", "no-videos"),
    (r"lock file", "bad-lock"),
)


def check(sources: list[Path], allow_outside: bool = False, options: Options | None = None) -> list[Diagnostic]:
    """Every diagnostic for the given sources (none → every ``decks/*.yaml``), sorted by place.
    ``options``: how scripts are read (workers, cache), as for a build."""
    options = options or Options()
    found: list[Diagnostic] = []
    texts: dict[str, list[str]] = {}
    for config in _configs(sources, found, allow_outside):
        problems = Problems()
        deck, shelf = load_deck(config, problems, options.reading())
        for path in shelf.keys:  # the HTML the card rules render, as the build made it
            made = shelf.made(path)
            if made is not None:
                remember(made[0])
        if not problems.errors:
            found += lock_problems(config, deck, shelf)
        found += problems.items
        levels = Levels(config.levels)
        for file in config.sources:
            shown = display_path(file)
            lines = _read_lines(file)
            if lines is None:
                continue
            texts[shown] = lines
            found += brace_problems(shown, lines)
            found += level_problems(shown, lines, levels)
        found += card_problems(deck)
    return sorted((_complete(d, texts) for d in _unique(found)), key=_place)


def lock_problems(config, deck: Deck, shelf=None) -> list[Diagnostic]:
    """What the lock stage of a build would say: a changed note type, a removed cloze,
    a retitled video, a damaged lock."""
    return lock_diagnostics(config, deck, shelf)


def _configs(sources: list[Path], found: list[Diagnostic], allow_outside: bool = False):
    """Plan each config on its own, so one broken config does not hide the others' problems."""
    if not sources:
        sources = find_configs(Path.cwd()) or []
    configs = [s for s in sources if s.suffix.lower() in (".yaml", ".yml")]
    rest = [s for s in sources if s not in configs]
    groups = [[c] for c in configs] + ([rest] if rest or not sources else [])
    for group in groups:
        try:
            yield from plan(group, allow_outside)
        except AnkigenError as e:
            found += e.diagnostics


def _read_lines(file: Path) -> list[str] | None:
    try:
        text = decode(read_source(file, str(file)), str(file))
    except (AnkigenError, OSError):
        return None  # the build's reading has reported it
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


def _place(d: Diagnostic):
    return (d.file, d.line or 0, d.column or 0, SEVERITY_ORDER.get(d.severity, 3), d.code, d.message)


def _complete(d: Diagnostic, texts: dict[str, list[str]]) -> Diagnostic:
    """Give every diagnostic a code, and a column: the first character of its line."""
    code = d.code or next((c for pattern, c in _FALLBACK_CODES if re.search(pattern, d.message)),
                          "ankigen")
    column = d.column
    if column is None and d.line:
        lines = texts.get(d.file)
        text = lines[d.line - 1] if lines and 0 < d.line <= len(lines) else ""
        column = len(text) - len(text.lstrip()) + 1
    return replace(d, code=code, column=column)


def format_line(d: Diagnostic) -> str:
    """``file:line:col: CODE message``."""
    return f"{d.file}:{d.line or 1}:{d.column or 1}: {d.code} {d.message}"


def as_json(d: Diagnostic) -> dict:
    return {"file": d.file, "line": d.line or 1, "column": d.column or 1, "code": d.code,
            "severity": d.severity, "message": d.message}


def exit_code(diagnostics: list[Diagnostic], strict: bool) -> int:
    """0 clean, 1 errors (or warnings with ``strict``). Info never fails."""
    severities = {d.severity for d in diagnostics}
    if ERROR in severities or (strict and WARNING in severities):
        return 1
    return 0


# ---- script text rules ------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BRACES = re.compile(r"\{\{|\}\}")


def _prose(lines: list[str]):
    """(line number, text) of lines outside front matter and fenced code, inline code blanked."""
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        start = end + 1 if end else 0
    fence = None
    for no in range(start, len(lines)):
        line = lines[no]
        m = _FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield no + 1, re.sub(r"(`+)(.+?)\1", lambda c: " " * len(c.group(0)), line)


def brace_problems(shown: str, lines: list[str]) -> list[Diagnostic]:
    """``{{`` without ``}}`` (or the reverse) within a paragraph: a broken template or cloze."""
    out: list[Diagnostic] = []
    opened: list[tuple[int, int]] = []

    def close_paragraph():
        for line, col in opened:
            out.append(Diagnostic(shown, line, "'{{' is never closed with '}}' in this paragraph; "
                                  "the card shows it as typed", WARNING, "unbalanced-braces", col))
        opened.clear()

    for no, text in _prose(lines):
        if not text.strip():
            close_paragraph()
            continue
        for m in _BRACES.finditer(text):
            if m.group(0) == "{{":
                opened.append((no, m.start() + 1))
            elif opened:
                opened.pop()
            else:
                out.append(Diagnostic(shown, no, "'}}' closes no '{{'; the card shows it as typed",
                                      WARNING, "unbalanced-braces", m.start() + 1))
    close_paragraph()
    return out


_LEVELISH = re.compile(
    r"^(?:[A-Z]{1,3}\d{1,2}\+?|(?:new[ -]grad|intern|junior|mid|senior|staff|principal|"
    r"distinguished|fellow|lead|manager|director|architect|vp|cto|engineer|ic)\b.*)$", re.I)
_LIST_LABEL = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\*\*|__)?(?P<label>[^*_:\n]{1,30}?)\s*"
                         r"(?::(?:\*\*|__)|(?:\*\*|__)?:)\s*\S")
_PROSE_LABEL = re.compile(r"\b[Aa]t\s+(?:the\s+)?(?:\*\*|__)?(?P<label>[A-Z][\w+-]*(?:\s[A-Z0-9][\w+-]*)?)"
                          r"(?:\*\*|__)?\s*:")
_HEADING = re.compile(r"^ {0,3}#{2,6}\s+(.*)$")


def level_problems(shown: str, lines: list[str], levels: Levels) -> list[Diagnostic]:
    """A label that reads like a level (``L7:``, ``Principal:``) but is not in ``levels:``:
    its response is silently left out of the contrast."""
    out = []
    known = {label.lower() for label in levels.labels}
    in_examples = False
    for no, text in _prose(lines):
        heading = _HEADING.match(text)
        if heading:
            in_examples = bool(re.search(r"example|another way to see", heading.group(1), re.I))
            continue
        if not in_examples:
            continue
        for m in list(_LIST_LABEL.finditer(text)) + list(_PROSE_LABEL.finditer(text)):
            label = m.group("label").strip()
            if label.lower() not in known and _LEVELISH.match(label):
                out.append(Diagnostic(
                    shown, no, f"'{label}' reads like a level but is not one of this deck's levels, "
                    f"so it is left out of the contrast; add it to 'levels:' in the deck config",
                    WARNING, "unknown-level", m.start("label") + 1))
    return out


# ---- card quality -----------------------------------------------------------

def _visible(fragment: str) -> str:
    text = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _words(text: str) -> str:
    """Lower-case words only, for comparing what a learner reads."""
    return " ".join(re.findall(r"\w+", text.lower()))


def _contains(haystack: str, needle: str) -> bool:
    needle = _words(needle)
    return len(needle) >= 3 and f" {needle} " in f" {_words(haystack)} "


def card_problems(deck: Deck) -> list[Diagnostic]:
    """Card-quality rules (info): answer on the front, long answers, repeated fronts."""
    out: list[Diagnostic] = []
    fronts: dict[str, str] = {}
    for video in deck.videos:
        for spec in video.notes:
            note_type = cards.note_type(spec)
            values = cards.fields(deck, video, spec)
            where = (video.path, spec.line)
            for card, front, answers in _cards(note_type, values, spec):
                label = f"card c{card}" if note_type.cloze else "the card"
                for answer in answers:
                    if _contains(_visible(front), answer):
                        out.append(Diagnostic(*where, f"the front of {label} already shows its answer "
                                              f"'{_short(answer)}'", INFO, "answer-in-front"))
                    if word_count(answer) > LONG_ANSWER_WORDS:
                        out.append(Diagnostic(*where, f"the answer{f' of {label}' if note_type.cloze else ''} has {word_count(answer)} words "
                                              f"(over {LONG_ANSWER_WORDS} is hard to recall)",
                                              INFO, "long-answer"))
                key = _words(_visible(front))
                if key in fronts:
                    out.append(Diagnostic(*where, f"{label[:1].upper()}{label[1:]} has the same front as {fronts[key]}; "
                                          "a learner cannot tell them apart", INFO, "duplicate-front"))
                else:
                    fronts[key] = f"{video.path}:{spec.line}"
    return out


def _cards(note_type, values: tuple[str, ...], spec):
    """(number, the front's main text, what the learner must recall) for each card of a note."""
    fields = dict(zip(note_type.field_names, values))
    if note_type.cloze:
        for card in render_cards(note_type, values):
            front = reveal_cloze(fields["Text"], card.ordinal, True)
            back = reveal_cloze(fields["Text"], card.ordinal, False)
            answers = re.findall(rf'<span class="cloze" data-ordinal="{card.ordinal}">(.*?)</span>', back)
            yield card.ordinal, front, [_visible(a) for a in answers]
    else:
        answers = spec.answers or (spec.back,)
        yield 1, fields["Front"], [_visible(to_html(a)) for a in answers if a]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
