"""A whole section gone from a script (a misspelled heading, a deleted section, a code
fence that swallowed it): refused, naming the closest heading, unless ``--retire-sections``."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .errors import Problems
from .lock import LockedNote
from .notes import CONTRAST, KEY_PART, LADDER, ONE_LINER, RECAP, THINK, Video

SECTION_NAMES = {RECAP: "Quick Recap", ONE_LINER: "One-Liner to Remember", CONTRAST: "Real-World Examples",
                 THINK: "Let's Think Together", LADDER: "Another Way to See It"}
_KIND_OF_PART = {part: kind for kind, part in KEY_PART.items()}
RETIRE_SECTIONS = "--retire-sections"


def vanished_sections(video: Video, notes: dict[str, LockedNote], problems: Problems, allow: bool) -> None:
    """A script that still builds but no longer makes any note of a kind it made before
    loses a whole section: refused, naming the closest heading, unless ``allow``
    (``--retire-sections``). Deleting single notes is an ordinary edit."""
    if not notes:
        return
    had: dict[str, int] = {}
    for key, entry in notes.items():
        part = key.split("/", 2)[1] if key.count("/") else ""
        kind = _KIND_OF_PART.get(part.split("~", 1)[0])
        if kind is not None and entry.retired is None:
            had[kind] = had.get(kind, 0) + 1
    gone = set(had) - {spec.kind for spec in video.notes}
    for kind in sorted(gone, key=list(SECTION_NAMES).index):
        name, n = SECTION_NAMES[kind], had[kind]
        line, what, fix = _closest_heading(video.path, name)
        notes_ = f"{n} {kind} note{'s' if n > 1 else ''}"
        if allow:
            problems.warn(video.path, line, f"{what}: its {notes_} learners have "
                          f"{'are' if n > 1 else 'is'} retired ({RETIRE_SECTIONS})", "section-retired")
        else:
            problems.error(video.path, line, f"{what}: its {notes_} learners have would be retired; "
                           f"{fix}, or pass {RETIRE_SECTIONS} to retire {'them' if n > 1 else 'it'}",
                           "section-vanished")


def _closest_heading(path: str, name: str) -> tuple[int | None, str, str]:
    """Where the section named ``name`` went: the line of the script's heading most like it
    (fenced code included), what happened and what to do (no line if nothing is like it)."""
    gone = (None, f"the {name} section is gone", "restore it")
    from pathlib import Path

    from .script import decode

    try:
        text = decode(Path(path).read_bytes(), path)
    except (OSError, ValueError, Exception):  # noqa: BLE001 - a hint only
        return gone
    score, no, heading, fenced = _best_heading(text, _heading_words(name))
    if score < 0.6:
        return gone
    if fenced is not None:
        return (no, f"the {name} heading is inside the code block opened at line {fenced}",
                "close the code block")
    if score >= 0.95:
        return no, f"the {name} section makes no note any more", "restore its notes"
    return (no, f"heading '{heading}' names no section: did you mean '{name}'? The {name} section is gone",
            "fix the heading")


def _best_heading(text: str, want: str) -> tuple[float, int | None, str, int | None]:
    """(how like ``want`` it is, its line, its text, the line of the code fence it is in)
    of the heading most like ``want``."""
    best, fence = (0.0, None, "", None), None
    for no, line in enumerate(text.splitlines(), 1):
        opened = re.match(r" {0,3}(`{3,}|~{3,})", line)
        if opened:
            fence = None if fence and opened.group(1)[0] == fence[0][0] else (fence or (opened.group(1), no))
            continue
        m = re.match(r" {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", line)
        if not m:
            continue
        words = _heading_words(m.group(1))
        score = SequenceMatcher(None, words, want, autojunk=False).ratio()
        if want in words:
            score = max(score, 0.95)
        if score > best[0]:
            best = (score, no, m.group(1), fence[1] if fence else None)
    return best


def _heading_words(text: str) -> str:
    return " ".join(re.sub(r"\([^)]*\)|[^\w\s']", " ", text.lower()).split())
