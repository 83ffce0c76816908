"""Parse a video script (Markdown) into a model that keeps file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import yaml

from .encoding import decode  # noqa: F401 - read from here by build and check
from .errors import AnkigenError
from .text import clean, heading_count, normalize_heading
from .yamlread import UniqueKeysSafeLoader, yaml_problem


# Item, Block and Section are named tuples: as immutable as a frozen dataclass, and made
# three times as quickly (a parse makes some forty of them per script).
class Item(NamedTuple):
    """One list item: wrapped lines joined into ``text``; nested items in ``children``."""

    text: str
    line: int
    marker: str
    children: tuple[str, ...] = ()


class Block(NamedTuple):
    """A paragraph, list, table, quote or fenced code block."""

    kind: str  # paragraph | list | table | quote | code | heading (a sub-heading)
    line: int
    text: str = ""
    items: tuple[Item, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()  # table rows, header first
    row_lines: tuple[int, ...] = ()


class Section(NamedTuple):
    """A ``##`` (or ``###``) section: its heading, what it means (``role``) and its blocks."""

    heading: str
    level: int
    line: int
    role: str | None
    blocks: tuple[Block, ...]

    @property
    def count(self) -> int | None:
        """The count the heading announces, e.g. 5 for ``Quick Recap (5 bullets)``."""
        return heading_count(self.heading)


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed video script: title, front matter and sections, each with its line."""

    path: str  # as shown to the user
    title: str | None
    title_line: int
    meta: dict = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    meta_lines: dict = field(default_factory=dict)  # front-matter key → its line
    preamble: tuple[Block, ...] = ()  # blocks between the title and the first section
    # what parsing noticed and mended: (line, message, code), reported as warnings
    remarks: tuple[tuple[int, str, str], ...] = ()
    unclosed: int = 0  # the line of a fence never closed that holds the rest of the file

    def meta_line(self, key: str) -> int:
        """The line of a front-matter key, for messages (1 when unknown)."""
        return self.meta_lines.get(key, 1)

    def sections_for(self, role: str) -> list[Section]:
        """Every section with this meaning (``recap``, ``one_liner``, …), in order."""
        return [s for s in self.sections if s.role == role]


ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (  # first match wins
    # A second analogy ("A Second Way to Think About It", "The Big Analogy") is context:
    # never a think-together, never a ladder.
    ("analogy", ("analogy", "second way to", "third way to", "another analogy")),
    ("recap", ("quick recap", "recap", "key takeaways", "summary", "tl;dr")),
    ("one_liner", ("one-liner", "one liner", "oneliner")),
    ("ladder", ("another way to see", "another way to look", "another way to think",
                "another way to put")),
    ("think", ("think together", "let's think", "lets think", "think about it", "thinking together")),
    ("examples", ("example", "case stud")),
    ("meta", ("video length", "level:")),
)


@lru_cache(maxsize=4096)
def section_role(heading: str) -> str | None:
    """The meaning of a heading, whatever its case, punctuation or count."""
    norm = normalize_heading(heading)
    raw = heading.lower()
    for role, phrases in ROLES:
        if any(p in norm or (p.endswith(":") and p in raw) for p in phrases):
            return role
    return None


_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_QUOTE_MARK = re.compile(r"^\s*>\s?")
_META_KEY = re.compile(r"^([\w-]+)\s*:")
# What a heading, rule, fence, list item, quote or table row starts with (digits aside).
_MARKERS = frozenset("#-*_+`~>|")


def _opening(line: str) -> str | None:
    """The line's first character that is not blank (``""`` for a blank line), or None when
    it is a letter or the like: a line of words, which no pattern above can match."""
    first = line.lstrip()[:1]
    return first if not first or first in _MARKERS or first.isdigit() else None


# The author's notes to self; ``<!-- ankigen:id … -->`` pins are kept for extraction.
_COMMENT = re.compile(r"<!--(?!\s*ankigen:id\s).*?-->", re.S)


def parse(text: str, path: str) -> Script:
    """Parse script text. Raises AnkigenError for broken front matter."""
    text = clean(text.lstrip("\ufeff"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.expandtabs(4)
    if "<!--" in text:
        text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = text.split("\n")
    meta, start = _front_matter(lines, path)
    title, title_line = None, 0
    sections: list[Section] = []
    heading, level, hline, blocks = None, 0, 0, []
    preamble: tuple[Block, ...] = ()
    fences = _Fences()

    def close_section():
        nonlocal preamble
        if heading is not None:
            sections.append(Section(heading, level, hline, section_role(heading), tuple(blocks)))
        else:
            preamble = tuple(blocks)

    i = start
    n = len(lines)
    while i < n:
        line = lines[i]
        first = _opening(line) if line else ""
        if first == "":
            i += 1
            continue
        found = _heading(line) if first == "#" else None
        if found:
            hashes, htext = found
            if hashes == 1 and title is None:
                title, title_line = htext, i + 1
            elif _is_subheading(heading, level, htext, hashes):
                blocks.append(Block("heading", i + 1, text=htext))
            else:
                close_section()
                heading, level, hline, blocks = htext, hashes, i + 1, []
            i += 1
            continue
        if first is None:
            block, i = _read_paragraph(lines, i)
        elif first in _FENCE_STARTS and _FENCE.match(line):
            block, i = fences.read(lines, i, level)
        else:
            block, i = _read_block(lines, i, first)
        if block is not None:
            blocks.append(block)
    close_section()
    meta_lines = {m.group(1): n + 1 for n, line in enumerate(lines[:start])
                  if (m := _META_KEY.match(line))}
    return Script(path, title, title_line, meta, tuple(sections), meta_lines, preamble,
                  tuple(fences.remarks), fences.unclosed)


@lru_cache(maxsize=4096)
def _heading(line: str) -> tuple[int, str] | None:
    """``## Quick Recap`` → (2, ``Quick Recap``); None when the line is no heading. Cached:
    scripts of a series share their headings, and the pattern is slow on long ones."""
    m = _HEADING.match(line)
    if not m or _RULE.match(line):
        return None
    return len(m.group(1)), (m.group(2) or "").strip()


def _is_subheading(parent: str | None, parent_level: int, text: str, level: int) -> bool:
    """``### Example 1: …`` under ``## Real-World Examples`` belongs to it."""
    if parent is None or level <= parent_level:
        return False
    role = section_role(parent)
    return role not in (None, "meta") and section_role(text) in (None, role)


def _front_matter(lines: list[str], path: str) -> tuple[dict, int]:
    """YAML between a first-line ``---`` and the next ``---``, when it looks like
    ``key: value`` lines; a leading rule followed by prose is not front matter."""
    end = _front_matter_end(lines)
    if end is None:
        return {}, 0
    content = [line for line in lines[1:end] if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        blank = all(not line.strip() for line in lines[1:end])
        return ({}, end + 1) if blank else ({}, 0)
    if not _META_KEY.match(content[0]):
        return {}, 0
    meta = _front_matter_yaml(lines[1:end], path)
    if not isinstance(meta, dict):
        return {}, 0
    for line in lines[1:end]:  # ``order: 012`` is twelve, as written (YAML 1.1 reads octal 10)
        if line.startswith("order:") and (m := _LEADING_ZERO.fullmatch(line)):
            meta["order"] = m.group(1)
    return meta, end + 1


def _front_matter_end(lines: list[str]) -> int | None:
    """The line of the ``---`` (or ``...``) that closes a first-line ``---``, if any."""
    if not lines or lines[0].strip() != "---":
        return None
    return next((end for end in range(1, len(lines)) if lines[end].strip() in ("---", "...")), None)


def _front_matter_yaml(lines: list[str], path: str):
    """The front matter's lines read as YAML; a mistake refused at its line."""
    try:
        return _load_yaml(lines)
    except yaml.YAMLError as e:
        problem, at = yaml_problem(e, "\n".join(lines), 1)  # in plain words, where the mistake is
        raise AnkigenError(f"front matter is not valid YAML: {problem}", path, at or 1) from None
    except RecursionError:
        raise AnkigenError("front matter is nested too deeply; keep it to 'title:', 'id:' "
                           "and 'tags:'", path, 2) from None


_LEADING_ZERO = re.compile(r"order:\s*(0\d+)\s*(?:#.*)?")


# A front-matter line of plain words: ``tags: [bench, queues]``, ``id: ownership``.
_WORD = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_PLAIN_META = re.compile(
    rf"[A-Za-z][A-Za-z0-9_-]*:(?: {_WORD}(?: {_WORD})*| \[{_WORD}(?:, {_WORD})*\])?")
_CSafeLoader = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml


def _load_yaml(lines: list[str]):
    """``yaml.safe_load``; front matter of plain words only is read by libyaml, which
    gives the same values (the same constructor and resolver) ten times as quick."""
    text = "\n".join(lines)
    if (_CSafeLoader is not None and all(_PLAIN_META.fullmatch(line) for line in lines)
            and len({line.split(":", 1)[0] for line in lines}) == len(lines)):  # no key twice
        return yaml.load(text, Loader=_CSafeLoader)
    return yaml.load(text, Loader=UniqueKeysSafeLoader)  # a key given twice is refused at its line


def _read_block(lines: list[str], i: int, first: str) -> tuple[Block | None, int]:
    """The block that starts at line ``i``, whose first character is the marker ``first``."""
    line = lines[i]
    if first in _RULE_STARTS and _RULE.match(line):
        return None, i + 1
    if _may_be_item(first) and _ITEM.match(line):
        return _read_list(lines, i)
    if first == ">":
        return _read_quote(lines, i)
    if first == "|" and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
        return _read_table(lines, i)
    return _read_paragraph(lines, i)


# What a rule, fence or list item can start with (``_opening``; an item, a digit too):
# a line that starts with anything else is not tried against the pattern.
_RULE_STARTS, _FENCE_STARTS, _ITEM_STARTS = "-*_", "`~", "-*+"


def _may_be_item(first: str) -> bool:
    return first in _ITEM_STARTS or first.isdigit()


def _ends_paragraph(line: str) -> bool:
    first = _opening(line) if line else ""
    if first is None:  # a line of words
        return False
    return (first in ("", ">") or (first == "#" and bool(_HEADING.match(line)))
            or (first in _RULE_STARTS and bool(_RULE.match(line)))
            or (first in _FENCE_STARTS and bool(_FENCE.match(line)))
            or (_may_be_item(first) and bool(_ITEM.match(line))))


def _read_paragraph(lines, i):
    start, parts = i, [lines[i].strip()]
    i += 1
    while i < len(lines) and lines[i] and not _ends_paragraph(lines[i]):
        parts.append(lines[i].strip())
        i += 1
    return Block("paragraph", start + 1, text=" ".join(parts)), i


_CLOSING_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
# Headings of the parts every script has besides the knowledge sections: a heading like
# these inside a fence that is closed only much later (by the next diagram's opening
# fence) shows the fence was left open.
_CONTEXT_HEADINGS = ("hook", "story", "connecting to", "diagram", "what could go wrong",
                     "disaster", "surprising", "fun fact", "next video", "video length")


class _Fences:
    """Fenced code blocks, mended where the author left one open.

    A fence never closed would, read strictly, turn the rest of the file into code. In a
    script whose later lines hold its own section headings, it ends before the first such
    heading (and the ``---`` rule before it), with a warning naming the fence's line. So
    does a fence whose body holds one of the script's section headings before the line
    that closes it (the next diagram's opening fence, most likely)."""

    def __init__(self):
        self.remarks: list[tuple[int, str, str]] = []
        self.unclosed = 0

    def read(self, lines: list[str], i: int, level: int) -> tuple[Block, int]:
        fence = _FENCE.match(lines[i]).group(1)
        start, n = i, len(lines)
        i += 1
        while i < n:
            line = lines[i]
            if line.lstrip()[:1] == fence[0]:
                m = _CLOSING_FENCE.match(line)
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                    break
            i += 1
        closed = i < n
        heading = _section_heading(lines, start + 1, i, max(level, 2), known_only=closed)
        if heading is not None:
            end = heading
            while end > start + 1 and (not lines[end - 1].strip() or _RULE.match(lines[end - 1])):
                end -= 1
            text = _heading(lines[heading])[1]
            how = f"is closed only at line {i + 1}" if closed else "is never closed"
            self.remarks.append((start + 1, f"code fence {how}; it ends before the heading "
                                 f"'{text}' at line {heading + 1} (close the fence before it)",
                                 "unclosed-fence"))
            return Block("code", start + 1, text="\n".join(lines[start + 1:end])), heading
        if not closed:
            self.unclosed = self.unclosed or start + 1
            self.remarks.append((start + 1, "code fence is never closed: the rest of the file is "
                                 "code (add a closing ``` line)", "unclosed-fence"))
        return Block("code", start + 1, text="\n".join(lines[start + 1:i])), i + 1


def _section_heading(lines: list[str], start: int, end: int, level: int, known_only: bool) -> int | None:
    """The index of the first line in ``lines[start:end]`` that is a section heading of the
    script: one whose meaning is known (``## Quick Recap``, ``### The Story``), or, unless
    ``known_only``, any from ``##`` down to ``level``."""
    for j in range(start, end):
        line = lines[j]
        if line[:1] != "#" and line.lstrip()[:1] != "#":
            continue
        found = _heading(line)
        if not found or found[0] < 2 or not found[1]:
            continue
        if (not known_only and found[0] <= level) or section_role(found[1]) not in (None, "meta") \
                or any(p in normalize_heading(found[1]) for p in _CONTEXT_HEADINGS):
            return j
    return None


def _read_quote(lines, i):
    start, parts = i, []
    while i < len(lines) and lines[i].strip() and not _HEADING.match(lines[i]):
        parts.append(_QUOTE_MARK.sub("", lines[i]).strip())
        i += 1
    return Block("quote", start + 1, text=" ".join(p for p in parts if p)), i


def _read_table(lines, i):
    start, rows, row_lines = i, [], []
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        if not _TABLE_SEP.match(lines[i]):
            cells = lines[i].strip().strip("|").split("|")
            rows.append(tuple(c.strip() for c in cells))
            row_lines.append(i + 1)
        i += 1
    return Block("table", start + 1, rows=tuple(rows), row_lines=tuple(row_lines)), i


def _read_list(lines, i):
    """Items at the first item's indent (give or take one space); deeper items are children."""
    start, items = i, []
    base = len(lines[i]) - len(lines[i].lstrip())
    deeper = " " * (base + 2)
    current: list | None = None  # [text, line, marker, children]
    while i < len(lines):
        line = lines[i]
        m = _ITEM.match(line)
        if m and not line.startswith(deeper):
            if current is not None:
                items.append(_item(current))
            current = [m.group(4).strip(), i + 1, m.group(2), []]
        elif not line.strip():
            # A blank line ends the list unless an indented item or text follows.
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not nxt.strip() or not (nxt.startswith(deeper) or _ITEM.match(nxt)):
                break
        elif _ends_paragraph(line) and not line.startswith(deeper):
            break
        else:
            nested = _ITEM.match(line.strip()) if line.startswith(deeper) else None
            if nested:
                current[3].append(nested.group(4).strip())
            elif current[3]:
                current[3][-1] = f"{current[3][-1]} {line.strip()}".strip()
            else:
                current[0] = f"{current[0]} {line.strip()}".strip()
        i += 1
    if current is not None:
        items.append(_item(current))
    return Block("list", start + 1, items=tuple(items)), i


def _item(parts: list) -> Item:
    text, line, marker, children = parts
    return Item(text, line, marker, tuple(filter(None, children)))
