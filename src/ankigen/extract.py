"""A parsed script → a Video and its notes (CARDS.md is the specification)."""

from __future__ import annotations

import re
from pathlib import Path

from .contrast import Levels, example_notes, ladder_notes
from .errors import Problems
from .notes import ONE_LINER, QA, THINK, NoteSpec, Video
from .recap import recap_note, take_pin
from .script import Script, Section
from .text import sentences, slugify, strip_wrapping, word_count


def video_identity(script: Script, file: Path) -> tuple[str, str, bool]:
    """(slug, number) of a video: front-matter ``id`` wins over the file name."""
    stem = file.stem
    m = re.match(r"^(\d+)[-_. ]*(.*)$", stem)
    number, rest = (m.group(1), m.group(2)) if m else ("", stem)
    meta_id = script.meta.get("id")
    if meta_id not in (None, ""):
        return slugify(str(meta_id)), number, True
    return slugify(rest or stem), number, False


def extract(script: Script, file: Path, levels: Levels, problems: Problems) -> Video | None:
    """Every note a script yields, or None (with an error) if it is not a video script."""
    path = script.path
    roles = {s.role for s in script.sections}
    if not roles & {"recap", "one_liner", "examples"}:
        problems.error(path, 1, "not a video script: no Quick Recap, One-Liner to Remember "
                       "or Real-World Examples section", "not-a-script")
        return None
    slug, number, pinned = video_identity(script, file)
    title = _title(script, file, problems)
    notes: list[NoteSpec] = []
    for section in script.sections:
        notes += _section_notes(section, script, title, levels, problems)
    for role, label in (("recap", "Quick Recap"), ("one_liner", "One-Liner to Remember")):
        if role not in roles:
            problems.warn(path, 1, f"no '{label}' section", f"missing-{role.replace('_', '-')}")
    notes = _unique_anchors(notes, path, problems)
    return Video(slug=slug, title=title, number=number, path=path, notes=tuple(notes),
                 tags=_meta_tags(script), pinned_id=pinned)


def _title(script: Script, file: Path, problems: Problems) -> str:
    meta_title = script.meta.get("title")
    if isinstance(meta_title, str) and meta_title.strip():
        return " ".join(meta_title.split())
    if script.title:
        return " ".join(strip_wrapping(script.title).split())
    guess = re.sub(r"^\d+[-_. ]*", "", file.stem).replace("-", " ").replace("_", " ").strip()
    guess = guess[:1].upper() + guess[1:] if guess else file.stem
    problems.warn(script.path, 1, f"no '# Title' line; using '{guess}'", "no-title")
    return guess


def _section_notes(section: Section, script: Script, title: str, levels: Levels,
                   problems: Problems) -> list[NoteSpec]:
    path = script.path
    if section.role == "recap":
        return _recap(section, path, problems)
    if section.role == "one_liner":
        return _one_liner(section, title, path, problems)
    if section.role == "examples":
        return example_notes(section, levels, path, problems)
    if section.role == "think":
        return _think(section, path, problems)
    if section.role == "ladder":
        return ladder_notes(section, levels)
    return []


def _recap(section: Section, path: str, problems: Problems) -> list[NoteSpec]:
    lists = [b for b in section.blocks if b.kind == "list"]
    items = [item for block in lists for item in block.items]
    if not items:
        problems.warn(path, section.line, "recap section has no bullets", "empty-recap")
        return []
    if section.count is not None and section.count != len(items):
        problems.warn(path, section.line, f"heading says {section.count} bullets but the list has "
                      f"{len(items)}; all {len(items)} are used", "recap-count")
    return [recap_note(item, section.heading, path, problems) for item in items]


def _first_text(section: Section):
    return next((b for b in section.blocks if b.kind in ("paragraph", "quote") and b.text), None)


def _one_liner(section: Section, title: str, path: str, problems: Problems) -> list[NoteSpec]:
    block = _first_text(section)
    if block is None:
        problems.warn(path, section.line, "one-liner section is empty", "empty-one-liner")
        return []
    line, pin = take_pin(block.text)
    line = strip_wrapping(line)
    return [NoteSpec(ONE_LINER, pin or "", QA, f"What is the one-liner to remember from *{title}*?",
                     section.heading, block.line, back=line, answers=(line,), pinned=bool(pin))]


def _think(section: Section, path: str, problems: Problems) -> list[NoteSpec]:
    blocks = [b for b in section.blocks if b.kind in ("paragraph", "quote") and b.text]
    q_index = next((i for i, b in enumerate(blocks)
                    if b.kind == "quote" or b.text.startswith(('"', "“", "'", "‘"))
                    or b.text.rstrip("\"”'’*_ ").endswith("?")), None)
    if q_index is None or q_index + 1 >= len(blocks):
        problems.warn(path, section.line, "no quoted question followed by an answer", "no-question")
        return []
    question, pin = take_pin(blocks[q_index].text)
    question = strip_wrapping(question)
    answer = " ".join(b.text for b in blocks[q_index + 1:q_index + 2])
    rest = "\n\n".join(b.text for b in blocks[q_index + 2:])
    sents = sentences(answer)
    keep = 1 if word_count(sents[0]) > 25 or len(sents) == 1 else 2
    if keep == 2 and word_count(" ".join(sents[:2])) > 40:
        keep = 1
    back = " ".join(sents[:keep])
    extra = " ".join(sents[keep:])
    if rest:
        extra = f"{extra}\n\n{rest}".strip()
    return [NoteSpec(THINK, pin or "", QA, question, section.heading, blocks[q_index].line,
                     back=back, extra=extra, answers=(back,), pinned=bool(pin))]


def _unique_anchors(notes: list[NoteSpec], path: str, problems: Problems) -> list[NoteSpec]:
    """One key once: a repeated anchor gets ``-2``, ``-3``… in script order, with a warning."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for note in notes:
        key = (note.kind, note.anchor)
        if key in seen:
            seen[key] += 1
            anchor = f"{note.anchor}-{seen[key]}" if note.anchor else str(seen[key])
            problems.warn(path, note.line, f"another {note.kind} note here has the same identity "
                          f"'{note.anchor or note.kind}'; this one is '{anchor}' (pin it with "
                          f"<!-- ankigen:id NAME -->)", "duplicate-key")
            note = _with_anchor(note, anchor)
        else:
            seen[key] = 1
        out.append(note)
    return out


def _with_anchor(note: NoteSpec, anchor: str) -> NoteSpec:
    from dataclasses import replace
    return replace(note, anchor=anchor)


def _meta_tags(script: Script) -> tuple[str, ...]:
    tags = script.meta.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split()
    return tuple(str(t) for t in tags if str(t).strip())
