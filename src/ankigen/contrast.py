"""Real-World Examples: each example that contrasts levels → one question/answer note."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from .errors import Problems
from .levels import BEFORE_AFTER, Levels
from .notes import CONTRAST, QA, NoteSpec
from .recap import take_pin
from .script import Block, Item, Section
from .text import (RECALL_WORDS, bold_spans, cap_words, has_words, sentences, slugify,
                   split_trailing_punct, strip_wrapping, word_count)


class Response(NamedTuple):  # a named tuple: immutable, and quicker to make than a dataclass
    """What one level says or does in an example."""

    level: str
    text: str


def example_notes(section: Section, levels: Levels, path: str, problems: Problems) -> list[NoteSpec]:
    """Each example that contrasts levels → one Q/A note; the others stay context."""
    notes = []
    for example in _examples(section, levels):
        found = levels.responses_in_prose(example.body)  # read once, for the note and the message
        note = _contrast(example, section.heading, levels, found)
        if note is None:
            what = (f"names no level ({levels.sample()})" if not _names_a_level(example, levels, found)
                    else "names one level and no situation for it to answer")
            problems.info(path, example.line, f"example {what}; it stays context, not a card",
                          "no-contrast")
        else:
            if example.numbered and not note.pinned:
                problems.warn(path, example.line, f"example has no title, so its identity is "
                              f"'{note.anchor}', which moves if examples are reordered; give it "
                              "a bold title (**Example 1: Migration.**)", "untitled-example")
            notes.append(note)
    return notes


@dataclass
class Example:
    """One Real-World Example as found: its title, its prose and any list or table of levels."""

    line: int
    title: str
    body: str
    pin: str | None = None
    attached: list[Block] = field(default_factory=list)
    numbered: bool = False  # no title of its own: "Example 4" names it


def _examples(section: Section, levels: Levels) -> list[Example]:
    """Examples: a bold-titled paragraph, list item or sub-heading, with the blocks that
    answer it."""
    out: list[Example] = []
    current = None
    if _EXAMPLE_HEADING.match(section.heading) and not _plural(section.heading):
        current = _heading_example(section.heading, section.line)
        out.append(current)
    for block in section.blocks:
        current = _read_example_block(block, current, levels, out)
    for example in out:
        example.body, pin = take_pin(example.body)
        example.pin = example.pin or pin
    return out


def _read_example_block(block: Block, current: Example | None, levels: Levels,
                        out: list[Example]) -> Example | None:
    """One block of an examples section: a new example (into ``out``), more of the
    current one, or neither. The example the next block adds to, if any."""
    starts_level = block.kind == "paragraph" and _starts_with_level(block.text, levels)
    if block.kind == "heading":
        out.append(_heading_example(block.text, block.line))
        return out[-1]
    if block.kind == "paragraph" and _titled(block.text) and not starts_level:
        out.append(_paragraph_example(block.text, block.line))
        return out[-1]
    if current and block.kind == "paragraph" and (not current.body or starts_level):
        current.body = f"{current.body} {block.text}".strip()
        return current
    if block.kind == "list" and _example_list(block, levels):
        out += [_item_example(item) for item in block.items]
        return None
    if current and block.kind in ("list", "table"):
        current.attached.append(block)
        return current
    return None


_EXAMPLE_PREFIX = r"^example\s*\d*\s*[:.—–-]?\s*"
_EXAMPLE_HEADING = re.compile(r"^\W*example\b", re.I)
_EXAMPLES_HEADING = re.compile(r"^\W*examples\b", re.I)
_TITLED = re.compile(rf"(?:{_EXAMPLE_PREFIX})?(\*\*|__)", re.I)
_TITLE_PREFIX = re.compile(_EXAMPLE_PREFIX, re.I)
_PREFIX_BEFORE_BOLD = re.compile(rf"{_EXAMPLE_PREFIX}(?=\*\*|__)", re.I)
_QUOTED_RESPONSE = re.compile(r'^(["“][^"”]+["”][.!?]?)\s+(\S.*)$', re.S)


def _titled(text: str) -> bool:
    """``**Migration.** …`` or ``Example 2: **Migration.** …``."""
    return bool(_TITLED.match(text))


def _starts_with_level(text: str, levels: Levels) -> bool:
    return levels.starts_with_response(text)


def _example_list(block: Block, levels: Levels) -> bool:
    """A list whose every item is a titled example (``1. **Migration.** …``), not responses."""
    return all(_titled(item.text) and not levels.leading_label(item.text) for item in block.items)


def _item_example(item: Item) -> Example:
    example = _paragraph_example(item.text, item.line)
    if item.children:
        nested = tuple(Item(child, item.line, "-") for child in item.children)
        example.attached.append(Block("list", item.line, items=nested))
    return example


def _heading_example(heading: str, line: int) -> Example:
    text, pin = take_pin(heading)
    return Example(line, _clean_title(text), "", pin)


def _plural(heading: str) -> bool:
    return bool(_EXAMPLES_HEADING.match(heading))


def _clean_title(text: str) -> str:
    title = strip_wrapping(text)
    title = _TITLE_PREFIX.sub("", title)
    title, _ = split_trailing_punct(title.strip())
    return title


def _paragraph_example(text: str, line: int) -> Example:
    """``**Example 1: Migration.** Your team …`` → title ``Migration`` and the rest."""
    text, pin = take_pin(text)
    text = _PREFIX_BEFORE_BOLD.sub("", text)
    spans = bold_spans(text)
    if not spans or spans[0].start != 0:
        return Example(line, "", text, pin)
    title = _clean_title(spans[0].inner)
    body = text[spans[0].end:].lstrip(" :.—–-")
    if not title:  # "**Example 1:** Migration. Your team …": a short first sentence is the title
        first = (sentences(body) or [""])[0]
        if 0 < word_count(first) <= 8:
            title, body = split_trailing_punct(first)[0], body[len(first):].strip()
        else:
            title = strip_wrapping(spans[0].inner).rstrip(":. ")
            return Example(line, title, body, pin, numbered=True)
    return Example(line, title, body, pin)


def _names_a_level(example: Example, levels: Levels, found: list[re.Match]) -> bool:
    return bool(found) or any(
        _block_responses(block, levels) for block in example.attached)


def _contrast(example: Example, section: str, levels: Levels, found: list[re.Match]) -> NoteSpec | None:
    """The example's note; ``found``: ``levels.responses_in_prose`` of its body."""
    body = example.body
    responses = _prose_responses(body, found, levels)
    scenario = body[: found[0].start()].strip() if responses else body
    for block in example.attached:
        responses += _block_responses(block, levels)
    if not responses or not example.title:
        return None
    if len(responses) == 1 and not has_words(scenario):  # "**Netflix.** At Staff level, …"
        return None  # one level named, and nothing it answers: a story, not a contrast
    top = max(range(len(responses)), key=lambda i: (levels.rank(responses[i].level), i))
    answer = responses[top]
    others = [r for i, r in enumerate(responses) if i != top]
    front = [f"**{example.title}.** {scenario}".strip()]
    if others:
        front.append("\n".join(f"- **{r.level}:** {r.text}" for r in others))
    front.append(_question(answer.level))
    recall, rest = split_response(answer.text)
    return NoteSpec(CONTRAST, example.pin or slugify(example.title), QA, "\n\n".join(front),
                    section, example.line, back=f"**{answer.level}:** {recall}", extra=rest,
                    answers=(recall,), pinned=bool(example.pin))


def split_response(text: str) -> tuple[str, str]:
    """A response → (what the learner recalls, the commentary after it).

    A quoted response is the quote; the author's commentary after it is context.
    An unquoted one over RECALL_WORDS keeps its first two sentences."""
    m = _QUOTED_RESPONSE.match(text)
    if m and word_count(m.group(2)) >= 3:
        recall, rest = m.group(1), m.group(2)
    elif word_count(text) <= RECALL_WORDS:
        return text, ""
    elif text[:1] in _QUOTE_PAIRS:
        return _capped(text)
    else:
        parts = sentences(text)
        recall, rest = " ".join(parts[:2]), " ".join(parts[2:])
    if word_count(recall) > RECALL_WORDS:  # a long quote, or two long sentences
        recall, more = _capped(recall)
        rest = f"{more} {rest}".strip()
    return recall, rest


_QUOTE_PAIRS = {'"': '"', "“": "”"}


def _capped(text: str) -> tuple[str, str]:
    """``text`` within about RECALL_WORDS words (``cap_words``); a quote cut short is
    closed with ``…"`` and its rest opened with ``"…``."""
    close = _QUOTE_PAIRS.get(text[:1])
    if close is None or close not in text[1:]:
        return cap_words(text, RECALL_WORDS)
    end = text.rindex(close)
    head, more = cap_words(text[1:end], RECALL_WORDS)
    if not more:
        return text, ""
    head = head if head.endswith("…") else f"{head} …"
    more = more if more.startswith("…") else f"… {more}"
    return f"{text[0]}{head}{close}", f"{text[0]}{more}{text[end:]}"


def _question(level: str) -> str:
    if level.lower() in BEFORE_AFTER:
        return f"What happens **{level.lower()}**?"
    return f"How does **{level}** respond?"


def _prose_responses(body: str, matches: list[re.Match], levels: Levels) -> list[Response]:
    out = []
    for m, nxt in zip(matches, matches[1:] + [None]):
        level = levels.canonical(m.group("a") or m.group("b"))
        chunk = body[m.end(): nxt.start() if nxt else len(body)].strip()
        if chunk:
            out.append(Response(level, chunk))
    return out


def _block_responses(block: Block, levels: Levels) -> list[Response]:
    if block.kind == "list":
        found = [levels.leading_label(item.text) for item in block.items]
        return [Response(*f) for f in found if f and f[1]]
    if block.kind != "table" or len(block.rows) < 2:
        return []
    return _table_responses(block.rows, levels)


def _table_responses(rows: list, levels: Levels) -> list[Response]:
    """A table's responses: a header row of levels over rows of responses, or a level
    in the first cell of each row."""
    header = [levels.label_cell(c) for c in rows[0]]
    if all(header) and len(header) >= 2:  # | L5 | L6 | over a row of responses
        return [Response(level, cell) for row in rows[1:]
                for level, cell in zip(header, row) if cell]
    out = []
    for row in rows[1:]:
        level = levels.label_cell(row[0]) if row else None
        response = " ".join(c for c in row[1:] if c)
        if level and response:
            out.append(Response(level, response))
    return out
