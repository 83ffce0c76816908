"""A parsed script → a Video and its notes (CARDS.md is the specification)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .cards import blank_side
from .contrast import Levels, example_notes
from .ladder import ladder_notes
from .errors import Problems
from .notes import ONE_LINER, QA, THINK, NoteSpec, Video
from .recap import recap_note, take_pin
from .script import Script, Section
from .text import clean, has_words, sentences, slugify, strip_wrapping, word_count


_NUMBERED = re.compile(r"^(\d+)[-_. ]*(.*)$")  # 01-ownership → 01, ownership
_NUMBER = re.compile(r"^\d+[-_. ]*")


def video_identity(script: Script, file: Path) -> tuple[str, str, bool]:
    """(slug, number, pinned) of a video: front-matter ``id`` wins over the file name."""
    stem = file.stem
    m = _NUMBERED.match(stem)
    number, rest = (m.group(1), m.group(2)) if m else ("", stem)
    meta_id = slugify(str(script.meta.get("id") or ""))
    if meta_id:
        return meta_id, number, True
    return slugify(rest or stem) or slugify(stem) or "video", number, False


KNOWLEDGE = (("recap", "Quick Recap"), ("one_liner", "One-Liner to Remember"),
             ("examples", "Real-World Examples"))


def extract(script: Script, file: Path, levels: Levels, problems: Problems) -> Video | None:
    """Every note a script yields, or None (with an error) if it is not a video script."""
    path = script.path
    roles = {s.role for s in script.sections}
    if not roles & {role for role, _ in KNOWLEDGE}:
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
    if not notes:
        problems.error(path, 1, "not a video script: its sections hold no recap bullet, "
                       "one-liner or example to make a card from; write them, or move the file "
                       "out of the sources", "not-a-script")
        return None
    problems.items.extend(found.items)
    for role, label in KNOWLEDGE:
        if role not in roles:
            problems.warn(path, 1, f"no '{label}' section", f"missing-{role.replace('_', '-')}")
    notes = _unique_anchors(notes, path, problems)
    return Video(slug=slug, title=title, number=number, path=path, notes=tuple(notes),
                 tags=_meta_tags(script), pinned_id=pinned)


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
    guess = " ".join(clean(_NUMBER.sub("", file.stem)).replace("-", " ").replace("_", " ").split())
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
        return _think(section, path, problems)
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
    extra = "\n\n".join(text for text, _ in texts[1:])
    return [NoteSpec(ONE_LINER, pin or "", QA, f"What is the one-liner to remember from “{title}”?",
                     section.heading, texts[0][1], back=line, extra=extra, answers=(line,),
                     pinned=bool(pin))]


_LEADING_QUESTION = re.compile(r"^\s*[*_]*[\"“](?P<q>[^\"“”]+\?)[\"”][*_]*\s+(?P<rest>\S.*)$", re.S)


def _think(section: Section, path: str, problems: Problems) -> list[NoteSpec]:
    """The quoted question → front; the answer's first sentences → back; the rest → context."""
    blocks = [(b.text, b.line, b.kind) for b in section.blocks
              if b.kind in ("paragraph", "quote") and b.text]
    quoted = (i for i, (text, _, kind) in enumerate(blocks)
              if kind == "quote" or text.lstrip("*_ ").startswith(('"', "“", "'", "‘")))
    asked = (i for i, (text, _, _) in enumerate(blocks) if text.rstrip("\"”'’*_ ").endswith("?"))
    q_index = next(quoted, None)
    q_index = next(asked, None) if q_index is None else q_index
    if q_index is not None:
        m = _LEADING_QUESTION.match(blocks[q_index][0])
        if m:  # "Whose problem is it?" At L5, … — question and answer in one paragraph
            text, line, _ = blocks[q_index]
            blocks[q_index:q_index + 1] = [(m.group("q"), line, "quote"), (m.group("rest"), line, "")]
    if q_index is None or q_index + 1 >= len(blocks):
        problems.warn(path, section.line, "no quoted question followed by an answer", "no-question")
        return []
    question, pin = take_pin(blocks[q_index][0])
    question = strip_wrapping(question)
    answer, _ = take_pin(blocks[q_index + 1][0])
    pin = pin or _
    rest = "\n\n".join(text for text, _, _ in blocks[q_index + 2:])
    back, extra = _answer_split(answer)
    if not has_words(question) or not has_words(back):
        problems.warn(path, blocks[q_index][1], "the question or its answer is empty; no card",
                      "no-question")
        return []
    if rest:
        extra = f"{extra}\n\n{rest}".strip()
    return [NoteSpec(THINK, pin or "", QA, question, section.heading, blocks[q_index][1],
                     back=back, extra=extra, answers=(back,), pinned=bool(pin))]


def _answer_split(answer: str) -> tuple[str, str]:
    """What to recall (one or two short sentences) and the rest of the answer."""
    sents = sentences(answer)
    if not sents:
        return "", ""
    keep = 1 if word_count(sents[0]) > 25 or len(sents) == 1 else 2
    if keep == 2 and word_count(" ".join(sents[:2])) > 40:
        keep = 1
    return " ".join(sents[:keep]), " ".join(sents[keep:])


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
