"""Level contrasts: Real-World Examples → Q/A notes, Another Way to See It → ladder cloze."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Problems
from .notes import CLOZE, CONTRAST, LADDER, QA, NoteSpec
from .recap import take_pin
from .script import Block, Section
from .text import bold_spans, cloze, sentences, slugify, split_trailing_punct


@dataclass(frozen=True)
class Response:
    level: str
    text: str


class Levels:
    """The labels that count as levels, with patterns to find them in prose."""

    def __init__(self, labels: tuple[str, ...]):
        self.labels = labels
        alts = "|".join(re.escape(lab) for lab in sorted(labels, key=len, reverse=True))
        end = r"(?![\w+])"
        # "At L5: …", "At L5, you might say …", "L6 says: …", "Junior: …"
        self.in_prose = re.compile(
            rf"(?:\b[Aa]t\s+(?:the\s+)?(?P<a>{alts}){end}(?:\s+level)?\s*[:,]"
            rf"|(?<![\w+])(?P<b>{alts}){end}(?:\s+(?:says|would say|might say|asks|replies|answers))?\s*:)"
        )
        self.leading = re.compile(rf"^\s*[*_]*\s*(?P<level>{alts}){end}\s*[*_]*\s*:?\s*[*_]*\s*(?P<rest>.*)$", re.S)

    def rank(self, label: str) -> int:
        return self.labels.index(label) if label in self.labels else -1

    def leading_label(self, text: str) -> tuple[str, str] | None:
        m = self.leading.match(text)
        if not m:
            return None
        return m.group("level"), m.group("rest").strip()


def example_notes(section: Section, levels: Levels, path: str, problems: Problems) -> list[NoteSpec]:
    notes = []
    for header, body, attached in _examples(section.blocks):
        note = _contrast(header, body, attached, section.heading, levels)
        if note is None:
            problems.info(path, header.line, "example names no level "
                          f"({', '.join(levels.labels[:6])}, …); it stays context, not a card",
                          "no-contrast")
        else:
            notes.append(note)
    return notes


def _examples(blocks: tuple[Block, ...]):
    """Yield (header paragraph, its text after the bold title, attached list/table blocks)."""
    current = None
    for block in blocks:
        if block.kind == "paragraph" and block.text.startswith(("**", "__")):
            if current:
                yield current
            current = (block, block.text, [])
        elif current and block.kind in ("list", "table"):
            current[2].append(block)
        else:
            if current:
                yield current
            current = None
    if current:
        yield current


def _title(header_text: str) -> tuple[str, str]:
    spans = bold_spans(header_text)
    if not spans or spans[0].start != 0:
        return "", header_text
    inner = spans[0].inner.strip()
    title = re.sub(r"^example\s*\d*\s*[:.—–-]\s*", "", inner, flags=re.I)
    title, _ = split_trailing_punct(title)
    return title, header_text[spans[0].end:].strip()


def _contrast(header: Block, text: str, attached: list[Block], section: str, levels: Levels):
    text, pin = take_pin(text)
    title, body = _title(text)
    responses = _prose_responses(body, levels)
    scenario = body[: levels.in_prose.search(body).start()].strip() if responses else body
    for block in attached:
        responses += _block_responses(block, levels)
    if not responses or not title:
        return None
    top = max(range(len(responses)), key=lambda i: (levels.rank(responses[i].level), i))
    answer = responses[top]
    others = [r for i, r in enumerate(responses) if i != top]
    front = [f"**{title}.** {scenario}".strip()]
    if others:
        front.append("\n".join(f"- **{r.level}:** {r.text}" for r in others))
    front.append(f"How does **{answer.level}** respond?")
    return NoteSpec(CONTRAST, pin or slugify(title), QA, "\n\n".join(front), section, header.line,
                    back=f"**{answer.level}:** {answer.text}", answers=(answer.text,),
                    pinned=bool(pin))


def _prose_responses(body: str, levels: Levels) -> list[Response]:
    matches = list(levels.in_prose.finditer(body))
    out = []
    for m, nxt in zip(matches, matches[1:] + [None]):
        level = m.group("a") or m.group("b")
        chunk = body[m.end(): nxt.start() if nxt else len(body)].strip()
        if chunk:
            out.append(Response(level, chunk))
    return out


def _block_responses(block: Block, levels: Levels) -> list[Response]:
    out = []
    if block.kind == "list":
        for item in block.items:
            found = levels.leading_label(item.text)
            if found and found[1]:
                out.append(Response(*found))
    elif block.kind == "table":
        for row in block.rows[1:]:
            if len(row) >= 2:
                found = levels.leading_label(row[0])
                response = " ".join(c for c in row[1:] if c)
                if found and response:
                    out.append(Response(found[0], response))
    return out


def ladder_notes(section: Section, levels: Levels) -> list[NoteSpec]:
    """Each run of two or more ``Level: …`` rungs → one cloze, a deletion per rung."""
    notes = []
    for block in section.blocks:
        if block.kind == "paragraph":
            text, pin = take_pin(block.text)
            runs = _rung_runs([(s, levels.leading_label(s)) for s in sentences(text)])
        elif block.kind == "list":
            pin = None
            runs = _rung_runs([(i.text, levels.leading_label(i.text)) for i in block.items])
        else:
            continue
        for rungs in runs:
            notes.append(_ladder(rungs, pin, section.heading, block.line, text if block.kind == "paragraph" else ""))
            pin = None
    return notes


def _rung_runs(candidates):
    runs, run = [], []
    for _, found in candidates + [("", None)]:
        if found and found[1]:
            run.append(found)
        else:
            if len(run) >= 2:
                runs.append(run)
            run = []
    return runs


def _ladder(rungs, pin, section, line, paragraph) -> NoteSpec:
    bodies = [split_trailing_punct(body) for _, body in rungs]
    words = [b.split() for b, _ in bodies]
    prefix = _common(words)
    suffix = _common([list(reversed(w)) for w in words])
    shortest = min(len(w) for w in words)
    if prefix + suffix >= shortest:
        prefix, suffix = 0, 0
    parts, answers = [], []
    for n, ((level, _), (body, punct), w) in enumerate(zip(rungs, bodies, words), 1):
        middle = " ".join(w[prefix: len(w) - suffix])
        answers.append(middle)
        rung = " ".join(w[:prefix] + [cloze(n, middle)] + w[len(w) - suffix:])
        parts.append(f"**{level}:** {rung}{punct or '.'}")
    anchor = pin or ""
    extra = paragraph if paragraph else ""
    return NoteSpec(LADDER, anchor, CLOZE, " ".join(parts), section, line, extra=extra,
                    answers=tuple(answers), pinned=bool(pin))


def _common(seqs: list[list[str]]) -> int:
    n = 0
    for column in zip(*seqs):
        if len({c.lower() for c in column}) != 1:
            break
        n += 1
    return n
