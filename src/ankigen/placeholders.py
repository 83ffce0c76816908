"""``ankigen init``'s template script: its notes are placeholders, which keep their GUIDs
only while their text stays exactly so (never lent to the author's real content)."""

from __future__ import annotations

import re

from .errors import Problems
from .lock import LockedNote, LockedVideo
from .scaffold import FIRST_SCRIPT, SCRIPT
from .text import show_cloze

_TEMPLATE: frozenset[str] | None = None
_TEMPLATE_SLUG = FIRST_SCRIPT.removesuffix(".md").split("-", 1)[1]  # "first-video"
_TEMPLATE_TITLE: str | None = None
_TEMPLATE_HEADING = re.search(r"^# (.+)$", SCRIPT, re.M)


def placeholders() -> frozenset[str]:
    """The text of each note ``ankigen init``'s template script makes, as a lock holds it:
    a locked note with one of these is a placeholder, and keeps its GUID only while its
    text stays exactly so (never lent to the author's real content)."""
    global _TEMPLATE, _TEMPLATE_TITLE
    if _TEMPLATE is None:
        from pathlib import Path

        from .config import DEFAULT_LEVELS
        from .contrast import Levels
        from .extract import extract
        from .script import parse

        try:
            video = extract(parse(SCRIPT, FIRST_SCRIPT), Path(FIRST_SCRIPT), Levels(DEFAULT_LEVELS), Problems())
        except Exception:  # noqa: BLE001 - no template, no placeholders
            video = None
        _TEMPLATE = frozenset(show_cloze(n.text) for n in video.notes) if video else frozenset()
        _TEMPLATE_TITLE = video.title if video else None
    return _TEMPLATE


def was_template(slug: str, video: LockedVideo | None, notes: dict[str, LockedNote]) -> bool:
    """Was this video ``ankigen init``'s template when learners got it: its slug or file
    is the template's, or it has the template's title and most of its notes are
    placeholders (the file renamed before the first build)."""
    if slug == _TEMPLATE_SLUG or (video is not None and video.file.rsplit("/", 1)[-1] == FIRST_SCRIPT):
        return True
    if video is None or _TEMPLATE_HEADING is None or video.title != _TEMPLATE_HEADING.group(1).strip():
        return False
    live = [n.text for n in notes.values() if n.retired is None]
    return len(live) >= 3 and 2 * sum(t in placeholders() for t in live) >= len(live)


def is_template_title(video: LockedVideo | None) -> bool:
    """The locked video still has the template's title: its subdeck is a placeholder too,
    the real video's name is followed (learners' placeholder cards stay where they are)."""
    placeholders()
    return video is not None and video.title == _TEMPLATE_TITLE
