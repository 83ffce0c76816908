"""Which note is which: GUIDs, cloze numbers and subdecks that survive every edit.

CARDS.md "Identity" is the contract. A note's GUID comes from its natural key
(series, video, kind, anchor); the lock remembers what learners already have,
so renamed files, slightly renamed anchors and reworded deletions keep their
GUIDs and cloze numbers. Matching by similarity is done within one video and
one kind only, and ambiguous or weak matches are never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any, Callable

import genanki

from .errors import Diagnostic, Problems
from .lock import Lock, LockedNote, LockedVideo
from .notes import CLOZE, CONTRAST, KEY_PART, LADDER, ONE_LINER, QA, RECAP, THINK, Deck, NoteSpec, Video
from .scaffold import FIRST_SCRIPT, SCRIPT
from .text import CLOZE_CLOSE, CLOZE_MID, CLOZE_OPEN, cloze, show_cloze

MATCH = 0.6  # a similarity below this is not the same note
MARGIN = 0.1  # the best match must beat the runner-up by this much
_MARKER = re.compile(f"{CLOZE_OPEN}(\\d+){CLOZE_MID}([^{CLOZE_CLOSE}]*){CLOZE_CLOSE}")  # the first close ends it


@dataclass
class Identified:
    """One note with its identity settled."""

    video: Video
    spec: NoteSpec  # cloze markers renumbered to their numbers for life
    key: str
    guid: str
    clozes: dict[str, int]
    removed_clozes: dict[str, int]
    renamed_from: str | None = None
    locked_key: str | None = None  # the lock entry this note is (None: a new note)
    restored: bool = False  # that entry was retired: the note comes back under its GUID
    retyped_from: str | None = None  # the note type the lock had, kept (an info says so)


@dataclass
class IdentifiedVideo:
    video: Video  # slug is the identity the lock knows it by
    subdeck: str  # the subdeck name learners have
    notes: list[Identified] = field(default_factory=list)
    locked: dict[str, LockedNote] = field(default_factory=dict)  # the lock's notes of this video
    diagnostics: list[Diagnostic] = field(default_factory=list)  # what identifying it said
    settled: Any = None  # what ``settled`` gave: nothing to identify, all is as the lock has it


@dataclass
class Identity:
    videos: list[IdentifiedVideo]
    retired: dict[str, LockedNote]  # key → entry, retired before or in this build
    newly_retired: list[str]
    video_renames: list[tuple[str, str]]  # (old subdeck, new subdeck) applied with --rename-decks
    moved_files: list[tuple[str, str]]  # (locked slug, file now)
    kept: frozenset[str] = frozenset()  # videos not built this time: their lock entries kept as they are


def guid_for(deck: Deck, key: str, taken: set[str]) -> str:
    """The GUID of a new note: derived from its key; salted only if a lock already holds it."""
    guid = genanki.guid_for("ankigen", deck.slug, key)
    n = 1
    while guid in taken:
        n += 1
        guid = genanki.guid_for("ankigen", deck.slug, key, n)
    return guid


def plain(text: str) -> str:
    text = re.sub(r"\{\{c\d+::|\}\}", "", show_cloze(text))
    return re.sub(r"[*_`]", "", text)


def similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a.lower(), b.lower(), autojunk=False)
    if matcher.real_quick_ratio() < MATCH or matcher.quick_ratio() < MATCH:
        return matcher.quick_ratio() * 0.5
    return matcher.ratio()


def best_pairs(olds: list[str], news: list[str], score) -> list[tuple[int, int]]:
    """Pairs (i, j) that are each other's clear best match above MATCH."""
    scores = [[score(o, n) for n in news] for o in olds]
    pairs = []
    for i, row in enumerate(scores):
        if not row:
            continue
        j = max(range(len(row)), key=row.__getitem__)
        best = row[j]
        if best < MATCH:
            continue
        rivals = [r for k, r in enumerate(row) if k != j] + [scores[k][j] for k in range(len(olds)) if k != i]
        if all(best - r >= MARGIN for r in rivals):
            pairs.append((i, j))
    return pairs


def identify(deck: Deck, lock: Lock, now: int, rename_decks: bool, problems: Problems,
             settled: Callable[[Video, dict[str, LockedNote], LockedVideo | None], Any] | None = None,
             retype: bool = False, others: frozenset[str] = frozenset(),
             retire_sections: bool = False) -> Identity:
    """Settle every note's GUID, cloze numbers and subdeck against the lock.

    ``settled(video, its locked notes, its locked video)`` may say a video is known to
    be settled already (a script and lock entries unchanged since a build in which
    nothing about it changed): it is then not identified again. What it returns must
    have ``keys`` (its notes' keys), ``subdeck`` and ``diagnostics``."""
    by_video: dict[str, dict[str, LockedNote]] = {}
    for key, entry in lock.notes.items():
        by_video.setdefault(key.split("/", 1)[0], {})[key] = entry
    slugs = _match_videos(deck, lock, by_video, others)
    kept = frozenset(s for s, v in lock.videos.items() if others and v.file in others
                     and s not in slugs.values())
    taken = set(lock.guids)
    width = number_width(deck, lock, slugs)
    known_of = {video.path: settled(video, by_video.get(video.slug, {}), lock.videos.get(video.slug))
                for video in deck.videos if settled and slugs[video.slug] == video.slug}
    if sum(1 for k in known_of.values() if k is None) > len(deck.videos) // 2:
        lock.read_all()  # most videos are assembled again, so their notes are all read
    videos, matched_keys, moved, renames = [], set(), [], []
    for video in deck.videos:
        slug = slugs[video.slug]
        if slug != video.slug:
            moved.append((slug, video.source or video.path))
            video = replace(video, slug=slug)
        locked = by_video.get(slug, {})
        known = known_of.get(video.path)
        if known is not None and known.subdeck != _subdeck_for(deck, video, lock.videos.get(slug),
                                                               rename_decks, width)[0]:
            known = None  # settled by a worker, which saw the deck's width narrower
        if known is not None:
            problems.items.extend(known.diagnostics)
            matched_keys.update(known.keys)
            videos.append(IdentifiedVideo(video, known.subdeck, locked=locked,
                                          diagnostics=list(known.diagnostics), settled=known))
            continue
        said = len(problems.items)
        was = lock.videos.get(slug)
        template = _was_template(slug, was, locked)
        subdeck = _subdeck(deck, video, was, rename_decks or (template and _is_template_title(was)),
                           problems, renames, width)
        iv = IdentifiedVideo(video, subdeck, locked=locked)
        _vanished_sections(video, locked, problems, retire_sections)
        for ident in _match_notes(deck, video, locked, taken, problems, retype, template):
            if ident.locked_key is not None:
                matched_keys.add(ident.locked_key)
            taken.add(ident.guid)
            iv.notes.append(ident)
        iv.diagnostics = problems.items[said:]
        videos.append(iv)
    retired, newly = {}, []
    for key, entry in lock.notes.items():
        if key in matched_keys:  # a current note (so not retired); its entry need not be read
            continue
        if kept and key.split("/", 1)[0] in kept:  # a video not built this time: as the lock has it
            continue
        if entry.retired is not None:
            retired[key] = entry
        else:
            retired[key] = replace(entry, retired=now)
            newly.append(key)
    _course_order(videos, width, problems)
    return Identity(videos, retired, newly, renames, moved, kept)


def _match_videos(deck: Deck, lock: Lock, by_video: dict[str, dict[str, LockedNote]],
                  others: frozenset[str] = frozenset()) -> dict[str, str]:
    """Current video slug → the slug the lock knows it by (renamed or renumbered files).
    A locked video whose file is one of ``others`` (not built this time) is no candidate."""
    current = {v.slug for v in deck.videos}
    out = {v.slug: v.slug for v in deck.videos if v.slug in lock.videos or v.pinned_id}
    free = [s for s in lock.videos if s not in current and lock.videos[s].file not in others]
    for video in deck.videos:
        if video.slug in out:
            continue
        found = next((s for s in free if lock.videos[s].file == video.source), None)
        found = found or next((s for s in free if lock.videos[s].title == video.title), None)
        if found is None:
            ours = {n.key("").split("/", 1)[1] for n in video.notes}
            scores = {s: _overlap(ours, by_video.get(s, {})) for s in free}
            ranked = sorted(scores.items(), key=lambda kv: -kv[1])
            if ranked and ranked[0][1] >= 0.5 and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= MARGIN):
                found = ranked[0][0]
        if found is not None:
            free.remove(found)
        out[video.slug] = found or video.slug
    return out


def _overlap(ours: set[str], notes: dict[str, LockedNote]) -> float:
    theirs = {k.split("/", 1)[1] for k in notes}
    if not ours or not theirs:
        return 0.0
    return len(ours & theirs) / len(ours | theirs)


DEFAULT_WIDTH = 3  # subdeck numbers: 001 … 999, then as many digits as the series needs
_DECK_NUMBER = re.compile(r"^(\d+) ")


def number_width(deck: Deck, lock: Lock, slugs: dict[str, str] | None = None) -> int:
    """How many digits a subdeck's number has: as many as the lock's subdecks already use
    for their videos' numbers (``Staff Engineering::01 Ownership`` → 2) while the series'
    numbers fit, else three, or more from video 1000 on. ``slugs``: a video's slug → the
    one the lock knows it by. Text order is course order only at one width for all."""
    numbers = [int(v.number) for v in deck.videos if v.number]
    needed = len(str(max(numbers))) if numbers else 1
    locked = 0
    for video in deck.videos:
        entry = lock.videos.get((slugs or {}).get(video.slug, video.slug))
        m = (_DECK_NUMBER.match(entry.subdeck.rsplit("::", 1)[-1])
             if entry and entry.retired is None and video.number else None)
        if m and int(m.group(1)) == int(video.number):
            locked = max(locked, len(m.group(1)))
    return locked if locked >= needed else max(DEFAULT_WIDTH, needed)


def _subdeck_for(deck: Deck, video: Video, locked: LockedVideo | None, rename_decks: bool,
                 width: int) -> tuple[str, str]:
    """(the subdeck the video's cards go to, the name it would have anew)."""
    name = f"{deck.name}::{video.subdeck_name(width).replace('::', ':')}"
    if locked is None or locked.subdeck == name or locked.retired is not None or rename_decks:
        return name, name
    return locked.subdeck, name


def _renumbered_only(deck: Deck, video: Video, kept: str) -> bool:
    """Is the kept subdeck this video's title with its number padded otherwise, or without
    it (named before numbers were read from names like ``Topic_01_X``)? Then the deck-wide
    course-order check speaks, once, instead of a warning per video."""
    if not video.number:
        return False
    title = f"{deck.name}::{video.title.replace('::', ':')}"
    if kept == title:
        return True
    m = re.fullmatch(rf"{re.escape(deck.name)}::(\d+) (.*)", kept, re.S)
    return bool(m) and int(m.group(1)) == int(video.number) and m.group(2) == video.title.replace("::", ":")


def _subdeck(deck: Deck, video: Video, locked: LockedVideo | None, rename_decks: bool,
             problems: Problems, renames: list, width: int) -> str:
    subdeck, name = _subdeck_for(deck, video, locked, rename_decks, width)
    if locked is None or locked.retired is not None or locked.subdeck == name:
        return subdeck
    if rename_decks:
        renames.append((locked.subdeck, name))
    elif not _renumbered_only(deck, video, locked.subdeck):
        problems.warn(video.path, 1, f"video retitled or renumbered: its cards stay in '{locked.subdeck}' "
                      f"(Anki matches decks by name); pass --rename-decks to send new cards to '{name}'",
                      "deck-kept")
    return subdeck


def _course_order(videos: list[IdentifiedVideo], width: int, problems: Problems) -> None:
    """Anki lists subdecks by name, as text, and hands out new cards deck by deck in that
    order: warn once if that is not the order of the videos' numbers (subdecks kept from a
    lock written before numbers were read, or at a width the series outgrew)."""
    numbered = [iv for iv in videos if iv.video.number]
    listed = sorted(numbered, key=lambda iv: [part.lower() for part in iv.subdeck.split("::")])
    for before, after in zip(listed, listed[1:]):
        if int(after.video.number) < int(before.video.number):
            problems.warn(after.video.path, 1, f"Anki lists '{before.subdeck}' (video "
                          f"{int(before.video.number)}) before '{after.subdeck}' (video "
                          f"{int(after.video.number)}), so new cards come out of course order; "
                          f"pass --rename-decks to number every subdeck with {width} digits "
                          "(learners' existing cards stay in the subdecks they have)", "course-order")
            return


def _match_notes(deck: Deck, video: Video, notes: dict[str, LockedNote], taken: set[str],
                 problems: Problems, retype: bool = False, template: bool = False):
    """Each note's identity. ``template``: the video is (or was) ``ankigen init``'s
    template script, whose placeholder notes keep their GUIDs only while their text does."""
    placeholders = _placeholders() if template else frozenset()
    prefix = video.slug + "/"
    locked = {k: n for k, n in notes.items() if n.retired is None}
    keys = [spec.key(video.slug) for spec in video.notes]
    found: dict[int, str] = {i: k for i, k in enumerate(keys) if k in locked}
    if found and placeholders:  # init's template never lends its GUIDs to other text
        for i, k in list(found.items()):
            if locked[k].text in placeholders and not _same_text(locked[k], video.notes[i]):
                del found[i]
    current = {keys[i] for i in found}
    vanished = [k for k in locked if k not in current]
    retired = {k: n for k, n in notes.items() if n.retired is not None} if len(locked) < len(notes) else {}
    if retired:  # a retired note whose key comes back gets its GUID back
        for i, k in enumerate(keys):
            if i in found:
                continue
            back = [r for r in retired if _base(r) == k and r not in found.values()
                    and (retired[r].text not in placeholders or _same_text(retired[r], video.notes[i]))]
            if back:
                spec = video.notes[i]
                found[i] = max(back, key=lambda r: (_same_text(retired[r], spec), retired[r].mod))
    kinds = {spec.kind for spec in video.notes} if vanished or retired else ()  # nothing to match otherwise
    for kind in kinds:
        part = f"{prefix}{KEY_PART[kind]}"
        news = [i for i, s in enumerate(video.notes) if s.kind == kind and i not in found and not s.pinned]
        texts_new = [plain(video.notes[i].text + " " + video.notes[i].back) for i in news]
        # the notes learners study first, then retired ones whose text comes back
        for pool in (vanished, retired):
            used = set(found.values())
            olds = [k for k in pool if k not in used and notes[k].text not in placeholders
                    and (k == part or k.startswith(part + "/") or _base(k) == part)]
            left = [(i, t) for i, t in zip(news, texts_new) if i not in found]
            if not olds or not left:
                continue
            texts_old = [plain(notes[k].text + " " + notes[k].back) for k in olds]
            for a, b in best_pairs(texts_old, [t for _, t in left], similarity):
                found[left[b][0]] = olds[a]
        unmatched = [k for k in vanished if k not in found.values() and notes[k].text not in placeholders
                     and (k == part or k.startswith(part + "/"))]
        if unmatched and any(i not in found for i in news):
            problems.info(video.path, None, f"{len(unmatched)} {kind} note(s) not matched by similarity; "
                          "they are retired and the new ones added (pin with <!-- ankigen:id NAME -->)",
                          "weak-match")
    out = []
    for i, spec in enumerate(video.notes):
        key = keys[i]
        old_key = found.get(i)
        entry = notes.get(old_key) if old_key else None
        retyped = None
        if entry is not None and locked_type(entry) != spec.note_type:
            was = locked_type(entry)
            if retype:
                problems.warn(video.path, spec.line, f"{key}: retyped (--retype): learners' "
                              f"{_TYPE_NAME[was]} note is retired with its reviews and a new "
                              f"{_TYPE_NAME[spec.note_type]} note is added, studied from scratch", "retyped")
                entry = old_key = None
            else:
                problems.info(video.path, spec.line, f"{key} stays a {_TYPE_NAME[was]} note, as learners "
                              f"have it (the script now makes a {_TYPE_NAME[spec.note_type]} note); pass "
                              "--retype to retire it and add a new note, which costs its reviews", "type-kept")
                spec, retyped = as_type(spec, was, entry), was
        guid = entry.guid if entry else guid_for(deck, key, taken)
        if entry is None:
            taken.add(guid)
        spec, clozes, removed = _number_clozes(spec, entry, video.path, key, problems)
        out.append(Identified(video, spec, key, guid, clozes, removed,
                              renamed_from=old_key if old_key and _base(old_key) != key else None,
                              locked_key=old_key, restored=entry is not None and entry.retired is not None,
                              retyped_from=retyped))
    return out


SECTION_NAMES = {RECAP: "Quick Recap", ONE_LINER: "One-Liner to Remember", CONTRAST: "Real-World Examples",
                 THINK: "Let's Think Together", LADDER: "Another Way to See It"}
_KIND_OF_PART = {part: kind for kind, part in KEY_PART.items()}
RETIRE_SECTIONS = "--retire-sections"


def _vanished_sections(video: Video, notes: dict[str, LockedNote], problems: Problems, allow: bool) -> None:
    """A script that still builds but no longer makes any note of a kind it made before
    (a misspelled heading, a deleted section, a code fence that swallowed it) loses a whole
    section: refused, naming the closest heading, unless ``allow`` (``--retire-sections``).
    Deleting single notes is an ordinary edit."""
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
    want = _heading_words(name)
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
    score, no, heading, fenced = best
    if score < 0.6:
        return gone
    if fenced is not None:
        return (no, f"the {name} heading is inside the code block opened at line {fenced}",
                "close the code block")
    if score >= 0.95:
        return no, f"the {name} section makes no note any more", "restore its notes"
    return (no, f"heading '{heading}' names no section: did you mean '{name}'? The {name} section is gone",
            "fix the heading")


def _heading_words(text: str) -> str:
    return " ".join(re.sub(r"\([^)]*\)|[^\w\s']", " ", text.lower()).split())


def _base(key: str) -> str:
    """A lock key without the ``~GUID`` a retired note gets when its key is taken again."""
    return key.split("~", 1)[0] if "~" in key else key


def _same_text(entry: LockedNote, spec: NoteSpec) -> bool:
    return plain(entry.text + " " + entry.back) == plain(spec.text + " " + spec.back)


_TYPE_NAME = {CLOZE: "cloze", QA: "question/answer"}


def locked_type(entry: LockedNote) -> str:
    """The note type learners have: a cloze note has cloze numbers for life (locks of every
    ankigen version record them), a question/answer note never does."""
    return CLOZE if entry.clozes or entry.removed_clozes else QA


def as_type(spec: NoteSpec, note_type: str, entry: LockedNote | None = None) -> NoteSpec:
    """The note as the note type it has for life. A cloze as a question/answer note: the
    text with each deletion shown as ``[...]`` on the front, the deleted words on the back.
    A question/answer note as a cloze: its answer with the words the learners' cloze
    deleted deleted again, under their numbers (a bullet whose bold was removed reads as
    before); failing that, the question, then the answer's first paragraph as one deletion
    (the rest of the answer goes to the back's extra). Never the whole front deleted."""
    if note_type == spec.note_type:
        return spec
    if note_type == CLOZE and entry is not None:
        again = _deleted_again(spec.back, entry.text)
        if again is not None:
            text, answers = again
            return replace(spec, note_type=CLOZE, text=text, back="", answers=answers)
    if note_type == QA:
        answers = [t for _, t in _deletions(spec.text)]
        back = " · ".join(answers)
        return replace(spec, note_type=QA, text=_MARKER.sub("[...]", spec.text), back=back,
                       answers=(back,))
    first, _, rest = spec.back.strip().partition("\n\n")
    extra = "\n\n".join(p for p in (rest.strip(), spec.extra) if p)
    return replace(spec, note_type=CLOZE, text=f"{spec.text}\n\n{cloze(1, first)}", back="",
                   extra=extra, answers=(first,))


_SHOWN_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.S)


def _deleted_again(text: str, locked: str) -> tuple[str, tuple[str, ...]] | None:
    """``text`` with each deletion of the locked cloze text (``{{cN::…}}``) that it still
    holds, in order, marked again under its number; None if it holds none of them."""
    out, pos, answers, seen = [], 0, [], set()
    for m in _SHOWN_CLOZE.finditer(locked):
        n, words = int(m.group(1)), m.group(2).strip()
        at = text.find(words, pos) if words and n not in seen else -1
        if at < 0:
            continue
        seen.add(n)
        out += [text[pos:at], cloze(n, words)]
        answers.append(words)
        pos = at + len(words)
    if not answers or len(" ".join(answers).split()) >= len(text.split()):
        return None  # nothing, or everything, deleted: no card to answer
    return "".join(out) + text[pos:], tuple(answers)


_TEMPLATE: frozenset[str] | None = None
_TEMPLATE_SLUG = FIRST_SCRIPT.removesuffix(".md").split("-", 1)[1]  # "first-video"


def _placeholders() -> frozenset[str]:
    """The text of each note ``ankigen init``'s template script makes, as a lock holds it:
    a locked note with one of these is a placeholder, and keeps its GUID only while its
    text stays exactly so (never lent to the author's real content)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        from pathlib import Path

        from .config import DEFAULT_LEVELS
        from .extract import extract
        from .contrast import Levels
        from .scaffold import SCRIPT
        from .script import parse

        try:
            video = extract(parse(SCRIPT, FIRST_SCRIPT), Path(FIRST_SCRIPT), Levels(DEFAULT_LEVELS), Problems())
        except Exception:  # noqa: BLE001 - no template, no placeholders
            video = None
        _TEMPLATE = frozenset(show_cloze(n.text) for n in video.notes) if video else frozenset()
        global _TEMPLATE_TITLE
        _TEMPLATE_TITLE = video.title if video else None
    return _TEMPLATE


_TEMPLATE_TITLE: str | None = None
_TEMPLATE_HEADING = re.search(r"^# (.+)$", SCRIPT, re.M)


def _was_template(slug: str, video: LockedVideo | None, notes: dict[str, LockedNote]) -> bool:
    """Was this video ``ankigen init``'s template when learners got it: its slug or file
    is the template's, or it has the template's title and most of its notes are
    placeholders (the file renamed before the first build)."""
    if slug == _TEMPLATE_SLUG or (video is not None and video.file.rsplit("/", 1)[-1] == FIRST_SCRIPT):
        return True
    if video is None or _TEMPLATE_HEADING is None or video.title != _TEMPLATE_HEADING.group(1).strip():
        return False
    live = [n.text for n in notes.values() if n.retired is None]
    return len(live) >= 3 and 2 * sum(t in _placeholders() for t in live) >= len(live)


def _is_template_title(video: LockedVideo | None) -> bool:
    """The locked video still has the template's title: its subdeck is a placeholder too,
    the real video's name is followed (learners' placeholder cards stay where they are)."""
    _placeholders()
    return video is not None and video.title == _TEMPLATE_TITLE


def _deletions(text: str) -> list[tuple[int, str]]:
    seen, out = set(), []
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in seen:
            seen.add(n)
            out.append((n, m.group(2)))
    return out


def _dkey(text: str) -> str:
    """A deletion's name in the lock: its words, lowercased and hyphenated."""
    return _NOT_WORD.sub("-", text.lower()).strip("-")[:48].rstrip("-")


_NOT_WORD = re.compile(r"[\W_]+")


def _dkeys(deletions: list[tuple[int, str]]) -> list[str]:
    keys, used = [], set()
    for n, text in deletions:
        k = _dkey(text) or f"c{n}"
        base, i = k, 1
        while k in used:
            i += 1
            k = f"{base}-{i}"
        used.add(k)
        keys.append(k)
    return keys


def _number_clozes(spec: NoteSpec, entry: LockedNote | None, path: str, key: str, problems: Problems):
    """Give each deletion its number for life; a removed number is never reused."""
    if spec.note_type != CLOZE:
        return spec, {}, {}
    deletions = _deletions(spec.text)
    dkeys = _dkeys(deletions)
    unchanged = {k: n for k, (n, _) in zip(dkeys, deletions)}  # each deletion keeps the number it has
    if entry is None or not entry.clozes:
        return spec, unchanged, {}
    if unchanged == entry.clozes:  # every deletion already has its number for life
        return spec, unchanged, dict(entry.removed_clozes)
    old = dict(entry.clozes)
    assigned: dict[int, int] = {}  # index in deletions → number
    for i, k in enumerate(dkeys):
        if k in old:
            assigned[i] = old.pop(k)
    left_new = [i for i in range(len(deletions)) if i not in assigned]
    left_old = sorted(old, key=old.get)
    for a, b in best_pairs(left_old, [dkeys[i] for i in left_new],
                           lambda o, n: similarity(o.replace("-", " "), n.replace("-", " "))):
        assigned[left_new[b]] = old.pop(left_old[a])
    left_new = [i for i in range(len(deletions)) if i not in assigned]
    left_old = sorted(old, key=old.get)
    for i, k in zip(left_new, left_old):  # reworded in place: keep the number in order
        assigned[i] = old.pop(k)
    used = set(entry.clozes.values()) | set(entry.removed_clozes.values())
    nxt = max(used, default=0) + 1
    for i in range(len(deletions)):
        if i not in assigned:
            assigned[i], nxt = nxt, nxt + 1
    removed = dict(entry.removed_clozes)
    for k, n in old.items():
        removed[k] = n
        problems.warn(path, spec.line, f"cloze {n} of {key} was removed: learners keep an empty card "
                      "for it ('No cloze found'); they can clear it with Tools → Empty Cards", "empty-card")
    renumber = {deletions[i][0]: n for i, n in assigned.items()}
    text = _MARKER.sub(lambda m: f"{CLOZE_OPEN}{renumber[int(m.group(1))]}{CLOZE_MID}{m.group(2)}{CLOZE_CLOSE}",
                       spec.text)
    clozes = {dkeys[i]: n for i, n in assigned.items()}
    return replace(spec, text=text), clozes, removed
