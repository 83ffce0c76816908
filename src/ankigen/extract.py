"""A parsed script → a Video and its notes (CARDS.md is the specification)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .blanks import blank_side
from .contrast import Levels, example_notes
from .ladder import ladder_notes
from .errors import Problems
from .notes import ONE_LINER, QA, NoteSpec, Video
from .recap import recap_note, take_pin
from .script import Script, Section
from .text import cap_words, clean, has_words, slugify, strip_wrapping
from .think import think_notes


# The video's course number in its file name, as authors write it: ``01-x``, ``3.x``,
# ``[01] x``, ``Topic_01_X``, ``Lesson 3 - x``, ``video-012_x``, ``Episode 7: x``, ``Ep07 x``.
# A number that is part of the title is not one: ``10x-engineer``, ``http2``, ``3.5-inch``,
# ``top-10-tips`` (no course word before it), nor a date (``2024-05-01-x``).
_COURSE_WORDS = ("topic|lesson|lecture|video|vid|episode|ep|part|pt|chapter|chap|ch|module|"
                 "unit|session|section|sec|day|week|class|talk|step|tutorial|tut|clip|no|nr|"
                 "lektion|kapitel|teil|folge|lecon|leçon|capitulo|capítulo|aula|clase|tema|"
                 "parte|episodio")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?![\d])[-_ .]*")
_NUMBERED = re.compile(
    rf"^[\[(#]?\s*(?:(?:{_COURSE_WORDS})[-_.#:\s]*)?(\d+)"
    r"(?=$|[-_ :)\]–—,]|\.(?!\d))"  # digits end at a separator: not 10x, http2 or 3.5
    r"[-_ .:)\]–—,]*", re.I)


def course_number(stem: str) -> tuple[str, str]:
    """(number as written, the rest) of a file name: ``Topic_01_What_Is_A_Queue`` →
    ``01``, ``What_Is_A_Queue``; ``("", stem)`` when the name carries no course number."""
    m = _NUMBERED.match(stem)
    if m is None or _DATE.match(stem):
        return "", _DATE.sub("", stem) or stem
    return m.group(1), stem[m.end():]


MAX_ORDER = 10 ** 9  # a course number in front matter is below this


def meta_order(script: Script) -> str:
    """Front matter ``order: 12`` as ``"12"``; ``""`` when absent or not a whole number."""
    order = script.meta.get("order")
    if isinstance(order, int) and not isinstance(order, bool) and 0 <= order < MAX_ORDER:
        return str(order)
    text = order.strip() if isinstance(order, str) else ""
    if 0 < len(text) < 100 and text.isascii() and text.isdigit() and int(text) < MAX_ORDER:
        return str(int(text))
    return ""


def video_identity(script: Script, file: Path) -> tuple[str, str, bool]:
    """(slug, number, pinned) of a video: front-matter ``id`` wins over the file name for
    the slug, front-matter ``order`` for the number. The slug is the file name without its
    course number: ``Topic_01_What_Is_A_Queue.md`` → ``what-is-a-queue``, ``01``."""
    stem = file.stem
    number, rest = course_number(stem)
    number = meta_order(script) or number
    meta_id = slugify(str(script.meta.get("id") or ""))
    if meta_id:
        return meta_id, number, True
    return slugify(rest) or slugify(stem) or "video", number, False


KNOWLEDGE = (("recap", "Quick Recap"), ("one_liner", "One-Liner to Remember"),
             ("examples", "Real-World Examples"))


def extract(script: Script, file: Path, levels: Levels, problems: Problems,
            source: str = "") -> Video | None:
    """Every note a script yields, or None (with an error) if it is not a video script.
    ``source``: the file relative to the deck's root (``Video.source``)."""
    path = script.path
    roles = {s.role for s in script.sections}
    if not roles & {role for role, _ in KNOWLEDGE}:
        if script.unclosed:
            _swallowed(script, problems)
        else:
            problems.error(path, 1, "not a video script: no Quick Recap, One-Liner to Remember "
                           "or Real-World Examples section; add one, or move the file out of the "
                           "sources", "not-a-script")
        return None
    _check_meta(script, problems)
    slug, number, pinned = video_identity(script, file)
    title = _title(script, file, problems)
    found = Problems()
    notes: list[NoteSpec] = []
    for section in script.sections:
        notes += _section_notes(section, script, title, levels, found)
    notes = [note for note in notes if not _blank(note, path, found)]
    if not notes and script.unclosed:
        _swallowed(script, problems)
        return None
    if not notes:
        first = next(s for s in script.sections if s.role in dict(KNOWLEDGE))
        problems.error(path, first.line, f"not a video script: its sections ('{first.heading}' "
                       "and any others) hold no recap bullet, one-liner or example to make a card "
                       "from; write them, or move the file out of the sources", "not-a-script")
        return None
    for line, message, code in script.remarks:  # a fence mended, or left open
        problems.warn(path, line, message, code)
    problems.items.extend(found.items)
    if roles & {"recap", "examples"}:
        swallowed = (f" (the code fence at line {script.unclosed} is never closed: the rest of the "
                     "file is code)") if script.unclosed else ""
        for role, label in KNOWLEDGE:
            if role not in roles:
                problems.warn(path, script.unclosed or 1, f"no '{label}' section{swallowed}",
                              f"missing-{role.replace('_', '-')}")
    else:  # a short video (a trailer, an intro): one note, nothing missing
        problems.info(path, 1, "no Quick Recap or Real-World Examples: a short video, built from its "
                      "One-Liner to Remember", "one-liner-only")
    notes = _unique_anchors(notes, path, problems)
    return Video(slug=slug, title=title, number=number, path=path, notes=tuple(notes), source=source,
                 tags=_meta_tags(script) + level_tags(script), pinned_id=pinned)


def _swallowed(script: Script, problems: Problems) -> None:
    problems.error(script.path, script.unclosed, "not a video script as read: the code fence "
                   "opened here is never closed, so the rest of the file is code, not sections; "
                   "close it with a ``` line", "not-a-script")


def _blank(note: NoteSpec, path: str, problems: Problems) -> bool:
    side = blank_side(note)
    if side:
        where = f"card {side}" if side.startswith("c") else f"the card's {side}"
        problems.warn(path, note.line, f"{where} would show nothing once the Markdown is rendered; "
                      "no card (reword it)", "blank-card")
    return bool(side)


def _check_meta(script: Script, problems: Problems) -> None:
    """Front matter values of the wrong type are ignored, with a warning."""
    meta = script.meta
    if "title" in meta and not (isinstance(meta["title"], str) and clean(meta["title"]).strip()):
        problems.warn(script.path, script.meta_line("title"), "front matter 'title' must be text; ignored", "front-matter")
    if "id" in meta and not slugify(str(meta["id"] or "")):
        problems.warn(script.path, script.meta_line("id"), "front matter 'id' has no letters or digits; ignored "
                      "(the file name identifies the video)", "front-matter")
    if "order" in meta and not meta_order(script):
        problems.warn(script.path, script.meta_line("order"), "front matter 'order' must be a whole "
                      "number (the video's place in the course); ignored", "front-matter")
    tags = meta.get("tags")
    if tags is not None and not isinstance(tags, (str, list)):
        problems.warn(script.path, script.meta_line("tags"), "front matter 'tags' must be a list; ignored", "front-matter")


def _title(script: Script, file: Path, problems: Problems) -> str:
    meta_title = script.meta.get("title")
    if isinstance(meta_title, str) and clean(meta_title).strip():
        return " ".join(clean(meta_title).split())
    title = strip_wrapping(script.title) if script.title else ""
    if title:
        return " ".join(title.split())
    rest = course_number(file.stem)[1]
    guess = " ".join(clean(rest).replace("-", " ").replace("_", " ").split())
    guess = guess[:1].upper() + guess[1:] if guess else " ".join(clean(file.stem).split()) or "Untitled"
    problems.warn(script.path, 1, f"no '# Title' line; using '{guess}' (add a '# Title' first line "
                  "or 'title:' in front matter)", "no-title")
    return guess


def _section_notes(section: Section, script: Script, title: str, levels: Levels,
                   problems: Problems) -> list[NoteSpec]:
    path = script.path
    if section.role == "recap":
        return _recap(section, title, path, problems)
    if section.role == "one_liner":
        return _one_liner(section, title, path, problems)
    if section.role == "examples":
        return example_notes(section, levels, path, problems)
    if section.role == "think":
        return think_notes(section, path, problems)
    if section.role == "ladder":
        return ladder_notes(section, levels)
    return []


def _recap(section: Section, title: str, path: str, problems: Problems) -> list[NoteSpec]:
    lists = [b for b in section.blocks if b.kind == "list"]
    items = [item for block in lists for item in block.items]
    if not items:
        problems.warn(path, section.line, "recap section has no bullets", "empty-recap")
        return []
    counted = sum(1 for item in items if has_words(take_pin(item.text)[0]))
    if section.count is not None and section.count != counted:
        problems.warn(path, section.line, f"heading says {section.count} bullets but the list has "
                      f"{counted}; all {counted} are used", "recap-count")
    notes = [recap_note(item, section.heading, path, problems, title) for item in items]
    return [note for note in notes if note is not None]


def _texts(section: Section) -> list[tuple[str, int]]:
    """The section's paragraphs, quotes and list items, with their lines."""
    out = []
    for block in section.blocks:
        if block.kind in ("paragraph", "quote") and block.text:
            out.append((block.text, block.line))
        elif block.kind == "list":
            out += [(item.text, item.line) for item in block.items]
    return out


def _one_liner(section: Section, title: str, path: str, problems: Problems) -> list[NoteSpec]:
    """The line → the back of a question that names the video; what follows → context."""
    texts = _texts(section)
    if not texts:
        problems.warn(path, section.line, "one-liner section is empty", "empty-one-liner")
        return []
    line, pin = take_pin(texts[0][0])
    line = strip_wrapping(line)
    if not has_words(line):
        problems.warn(path, texts[0][1], "the one-liner is empty; no card", "empty-one-liner")
        return []
    line, more = cap_words(line)
    extra = "\n\n".join(filter(None, (more, *(text for text, _ in texts[1:]))))
    return [NoteSpec(ONE_LINER, pin or "", QA, f"What is the one-liner to remember from “{title}”?",
                     section.heading, texts[0][1], back=line, extra=extra, answers=(line,),
                     pinned=bool(pin))]


def _unique_anchors(notes: list[NoteSpec], path: str, problems: Problems) -> list[NoteSpec]:
    """One key once. Pinned anchors are kept first; a repeated anchor gets ``-2``, ``-3``…
    in script order, with a warning."""
    taken: set[tuple[str, str]] = set()
    out: list[NoteSpec | None] = [None] * len(notes)
    order = sorted(range(len(notes)), key=lambda i: not notes[i].pinned)
    for i in order:
        note = notes[i]
        anchor, n = note.anchor, 1
        while (note.kind, anchor) in taken:
            n += 1
            anchor = f"{note.anchor}-{n}" if note.anchor else str(n)
        if anchor != note.anchor:
            problems.warn(path, note.line, f"another {note.kind} note has the same identity "
                          f"'{note.anchor or note.kind}'; this one is '{anchor}' (pin it with "
                          f"<!-- ankigen:id NAME -->)", "duplicate-key")
            note = replace(note, anchor=anchor)
        taken.add((note.kind, anchor))
        out[i] = note
    return out


def _meta_tags(script: Script) -> tuple[str, ...]:
    tags = script.meta.get("tags") or []
    if not isinstance(tags, (str, list)):
        return ()
    if isinstance(tags, str):
        tags = tags.split()
    return tuple(str(t) for t in tags if str(t).strip())


# ``Level: Staff`` in the ``## Video Length: ~4-5 minutes | Level: Staff`` line, or a
# ``**Level:** Beginner`` line between the title and the first section.
_LEVEL = re.compile(r"(?:^|[|·•,;]\s*|\s(?=[*_]{2}))[*_]{0,2}\s*level\s*[*_]{0,2}\s*[:：]\s*[*_]{0,2}\s*([A-Za-z][\w+]*(?:[ -][A-Za-z][\w+]*){0,2})", re.I)


def level_tags(script: Script) -> tuple[str, ...]:
    """``level::staff`` for a video whose metadata states its level (front matter
    ``level:``, the ``Video Length … | Level: …`` line, a ``Level:`` line before the first
    section); none when it states none."""
    level = script.meta.get("level")
    if not isinstance(level, str) or not level.strip():
        level = None
        texts = [s.heading for s in script.sections if s.role == "meta"]
        texts += [b.text for s in script.sections if s.role == "meta" for b in s.blocks]
        texts += [b.text for b in script.preamble if b.kind in ("paragraph", "quote")]
        texts += [i.text for b in script.preamble if b.kind == "list" for i in b.items]
        for text in texts:
            m = _LEVEL.search(text)
            if m:
                level = m.group(1)
                break
    slug = slugify(level) if level else ""
    return (f"level::{slug}",) if slug else ()
