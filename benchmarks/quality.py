"""Measure what a learner gets from a folder of scripts: build it, import it, score it.

    python benchmarks/quality.py FOLDER [--manifest M] [--json] [--samples 20] [--seed 1]

Builds FOLDER as one deck through the CLI (``python -m ankigen build`` in a
temporary copy: nothing is written into FOLDER, and the user's cache is not
touched), imports the package into a fresh collection with the real Anki
backend (``anki``, as tests/anki_helpers.py does), and reports:

- the build: exit code, errors, videos built / scripts, notes, cards; when the
  build refuses scripts, they are named, left out of a second build, and the
  rest is measured;
- warnings: how many, per video, grouped by message (and, with a manifest,
  how many fall on scripts with no real mistake);
- recap: notes, % cloze, % cloze among bullets with no bold (manifest), how
  often a cloze's deletions agree with the manifest's expected deletion;
  cards whose front asks for "the recap point that begins";
- think-together: answers whose first sentence is a stage direction
  (``stage_direction``), questions that do not end with "?", and with a
  manifest whether the question and the answer's first sentence were found;
- per kind: scripts that have it (manifest, else scripts with one) and in how
  many a note of that kind was found, exact counts, extra notes; contrasts and
  ladders made from scripts with none (false positives); contrasts naming one
  level only (no manifest: to check by hand);
- backs whose first part (the Back field) is over 40 words;
- order: the subdecks as Anki lists them against the course order (the
  number in each file name, or the manifest), and the subdecks of the first
  new cards Anki hands out with default options (20 a day), then of the first
  100 with only the daily limit raised;
- 20 random cards (seeded), front → back as plain text, to read as a learner.

With a manifest (``benchmarks/drift.py`` writes one beside its folder, found
automatically) the figures are scored against what a careful human expects.
Uses only the CLI and the package it writes, so it works whatever the
extraction code looks like.
"""

from __future__ import annotations

import argparse
import collections
import html
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("recap", "one-liner", "think-together", "contrast", "ladder")
LONG_BACK_WORDS = 40
LONG_DELETION_WORDS = 20  # longer than this, a deletion is a paragraph to recite, not a fact to recall
DAY_ONE_NEW = 20

# ---------------------------------------------------------------- text helpers

_STAGE = [re.compile(p, re.I) for p in (
    r"^(pause|stop)\b(?!-)",                     # Pause. / Pause the video. / Stop and think.
    r"^think\b(?!\s+of\b)(?!\s+(about|how) (the|a|an|your|what)\b)",  # Think. / Think about it.
    r"^(take|give it) (a|one) (moment|second|minute|beat|breath)",
    r"^(got|have|did you get) (your|an|the|it)\b.*(answer|it|idea)?",
    r"^got it\b", r"^ready\s*[?!.…]",
    r"^let me (walk|explain|show|break|tell)\b", r"^let'?s (walk|go|work|break|think|see|look)\b",
    r"^(ok|okay|alright|all right|right|so|well|now|good|great|hmm|drumroll|spoiler)\s*[.?!,…:]*$",
    r"^(trick|good|great|tough|fun) question\b",
    r"^(here'?s|here is) (the|my|how|what|why) ?(answer|thinking|it plays out|it works|happens)?\s*[.:!]?$",
    r"^(here'?s|here is) (one|a question|a tricky one|the answer)\b",
    r"^(the )?answer\s*[:.]", r"^(question|hint|answer)\s*:",
    r"^(time'?s up|welcome back|don'?t answer (too )?fast|before (i|we) (answer|explain))",
    r"^(if you said|if you guessed|most people (say|guess|answer))\b",
    r"^(you )?(probably )?(guessed|thought)\b",
    r"^(did you|what did you) (get|say|guess)\b",
)]


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment: no style, no tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<style>.*?</style>", "", fragment, flags=re.S)
    text = re.sub(r"<br\s*/?>|</p>|</li>|</div>", " ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def normal(text: str) -> str:
    """For comparisons: lower case, straight quotes, words only."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.findall(r"[\w']+|[^\w\s]", text.lower().replace("*", "")))


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text)


def first_sentence(text: str) -> str:
    """The first sentence of plain text (ends at . ? ! … followed by a space, or the end)."""
    text = text.strip()
    match = re.search(r"[.?!…]+[\"'”’)]*(?=\s|$)", text)
    return text[:match.end()] if match else text


def stage_direction(sentence: str) -> bool:
    """Does this sentence talk to the viewer about the video (pause, think, let me walk…)
    instead of saying something about the subject?"""
    s = sentence.strip().strip("*_\"'“”‘’ ").strip()
    s = re.sub(r"^(\*\*)?(answer|question)\s*:\s*(\*\*)?$", "answer:", s, flags=re.I)
    return any(p.search(s) for p in _STAGE)


def levels_named(text: str) -> set[str]:
    """Level labels a contrast names (L3–L8, Junior, Senior, Staff+, Principal, Before/After…)."""
    found = set(re.findall(r"\bL[3-9]\b", text))
    for label in ("Junior", "Mid-level", "Senior Staff", "Senior", "Staff+", "Staff", "Principal",
                  "Before", "After"):
        if re.search(rf"(?<![\w+]){re.escape(label)}(?![\w+])", text):
            found.add(label)
    return found


def course_number(name: str) -> int | None:
    """The video number in a file name, however it is written (01-x, Topic_12_X, Lesson 3 - x)."""
    match = re.search(r"\d+", name)
    return int(match.group()) if match else None


def runs(items: list) -> str:
    """1, 1, 2, 2, 2, 1 → "1×2 2×3 1×1"."""
    out: list[list] = []
    for item in items:
        if out and out[-1][0] == item:
            out[-1][1] += 1
        else:
            out.append([item, 1])
    return " ".join(f"{item}×{n}" for item, n in out)


# ---------------------------------------------------------------- building

@dataclass
class Build:
    exit: int
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    decks: list = field(default_factory=list)
    seconds: float = 0.0
    apkg: Path | None = None
    stderr: str = ""


def scripts_in(folder: Path) -> list[Path]:
    """The scripts a folder build reads: *.md, not README, not hidden."""
    return sorted(p for p in folder.glob("*.md")
                  if not p.name.startswith(".") and p.stem.lower() != "readme")


def build(folder: Path, work: Path, ankigen: list[str], retries: int = 20) -> Build:
    """Build a copy of ``folder`` in ``work``; on refused scripts, measure the rest too."""
    copy = work / folder.name
    shutil.copytree(folder, copy)
    env = dict(os.environ, XDG_CACHE_HOME=str(work / "xdg-cache"))
    env.pop("SOURCE_DATE_EPOCH", None)
    out = work / "deck.apkg"
    first: Build | None = None
    excluded: list[str] = []
    for _ in range(retries):
        started = time.perf_counter()
        proc = subprocess.run([*ankigen, "build", folder.name, "-o", str(out), "--json"], cwd=work,
                              env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        try:
            data = json.loads(proc.stdout) if proc.stdout.strip() else {}
        except json.JSONDecodeError:
            data = {"errors": [{"file": "", "line": 0, "message": proc.stdout.strip()[:300]}]}
        result = Build(proc.returncode, data.get("errors", []), data.get("warnings", []),
                       list(excluded), data.get("decks", []), seconds,
                       out if proc.returncode == 0 and out.exists() else None, proc.stderr[-2000:])
        if first is None:
            first = result
        if proc.returncode == 0:
            break
        bad = sorted({Path(e.get("file") or "").name for e in result.errors} - {""})
        bad = [name for name in bad if (copy / name).exists()]
        if not bad:
            break
        for name in bad:
            (copy / name).unlink()
            excluded.append(name)
    assert first is not None
    if result is not first:
        # the first build is what the folder gets; the rest is what can still be measured
        result.exit, result.errors = first.exit, first.errors
        result.excluded = excluded
    return result


# ---------------------------------------------------------------- reading the deck in Anki

def read_deck(apkg: Path, work: Path, extra_new: int = 100) -> dict:
    """Import into a fresh collection; return notes, cards, subdeck order and first new cards."""
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageRequest

    col = Collection(str(work / "collection.anki2"))
    try:
        options = col._backend.get_import_anki_package_presets()
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
        notes, cards = [], []
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            model = note.note_type()
            fields = dict(note.items())
            source = plain(fields.get("Source", ""))  # the file, with ":line" before ankigen 0.2
            file, _, line = source.rpartition(":") if re.search(r":\d+$", source) else (source, "", "")
            kind = next((k for k in KINDS if k in note.tags), None)
            is_cloze = model["type"] == 1
            record = {
                "nid": nid, "file": Path(file).name if file else source, "line": int(line) if line.isdigit() else None,
                "kind": kind, "cloze": is_cloze, "tags": list(note.tags),
                "front": plain(fields.get("Text" if is_cloze else "Front", "")),
                "back": "" if is_cloze else plain(fields.get("Back", "")),
                "deletions": [plain(m) for m in re.findall(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", fields.get("Text", ""), re.S)]
                if is_cloze else [],
            }
            notes.append(record)
            for card in note.cards():
                cards.append({"nid": nid, "ord": card.ord, "deck": col.decks.name(card.did),
                              "front": _card_text(card.question()),
                              "back": _card_text(card.answer(), reveal=True)})
        tree = col.sched.deck_due_tree()
        top = tree.children[0] if len(tree.children) == 1 else tree
        listed = [child.name for child in top.children]
        col.decks.select(top.deck_id)
        day_one = [col.decks.name(q.card.deck_id) for q in col.sched.get_queued_cards(fetch_limit=DAY_ONE_NEW * 2).cards
                   if q.queue == 0]
        conf = col.decks.config_dict_for_deck_id(top.deck_id)
        conf["new"]["perDay"] = extra_new
        col.decks.update_config(conf)
        first_hundred = [col.decks.name(q.card.deck_id)
                         for q in col.sched.get_queued_cards(fetch_limit=extra_new).cards if q.queue == 0]
        return {"notes": notes, "cards": cards, "subdecks": listed, "day_one": day_one,
                "first_hundred": first_hundred, "top": top.name}
    finally:
        col.close()


def _card_text(card_html: str, reveal: bool = False) -> str:
    if reveal:
        card_html = re.sub(r'<span class="cloze"[^>]*>(.*?)</span>', r"[[\1]]", card_html, flags=re.S)
    card_html = re.sub(r'<div class="source">.*?</div>', "", card_html, flags=re.S)
    card_html = card_html.replace('<div class="extra">', '<div class="extra"> ‖ ')  # the "more" part
    card_html = card_html.replace('<div class="context">', '<div class="context">').replace(
        '</div><div class="main">', ' ¦ </div><div class="main">', 1)
    return plain(card_html)


# ---------------------------------------------------------------- scoring

def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _message_kind(message: str) -> str:
    text = re.sub(r"“[^”]*”|\"[^\"]*\"|'[^']*'|«[^»]*»", "…", message)
    return re.sub(r"\d+", "N", text)[:110]


def score(notes: list[dict], files: list[str], build_info: dict, manifest: dict | None = None,
          deck: dict | None = None) -> dict:
    """Every figure of the report from plain data (so it can be tested without a build)."""
    manifest_files = (manifest or {}).get("files", {})
    by_file: dict[str, list[dict]] = collections.defaultdict(list)
    for note in notes:
        by_file[note["file"]].append(note)
    videos = build_info.get("videos") or len({n["file"] for n in notes})
    warnings = build_info.get("warnings", [])
    report: dict = {"build": {k: build_info.get(k) for k in ("exit", "errors", "excluded", "seconds")}}
    report["build"].update({"scripts": len(files), "videos": videos, "notes": len(notes),
                            "cards": build_info.get("cards")})

    grouped = collections.Counter(_message_kind(w.get("message", "")) for w in warnings)
    report["warnings"] = {"count": len(warnings), "per_video": round(len(warnings) / videos, 2) if videos else None,
                          "by_message": grouped.most_common(12)}
    if manifest_files:
        # a warning is about a real mistake when it names the mistake's file and line (any line of
        # the file for a mistake with no line, such as a missing section)
        mistakes = {(name, m.get("line")) for name, t in manifest_files.items() for m in t.get("mistakes", [])}

        def about_mistake(w: dict) -> bool:
            name = Path(w.get("file") or "").name
            return (name, w.get("line")) in mistakes or (name, None) in mistakes

        noise = [w for w in warnings if not about_mistake(w)]
        warned = {(Path(w.get("file") or "").name, w.get("line")) for w in warnings}
        report["warnings"].update({
            "real_mistakes": len(mistakes),
            "real_mistakes_warned": sum(any(name == n and (line is None or line == l) for n, l in warned)
                                        for name, line in mistakes),
            "not_about_a_real_mistake": len(noise),
            "not_about_a_real_mistake_per_video": round(len(noise) / videos, 2) if videos else None})
    recap = [n for n in notes if n["kind"] == "recap"]
    report["recap"] = {"notes": len(recap), "cloze": sum(n["cloze"] for n in recap),
                       "cloze_pct": _pct(sum(n["cloze"] for n in recap), len(recap))}
    report["recap_point_that_begins"] = sum("recap point that begins" in n["front"].lower() for n in notes)

    tt = [n for n in notes if n["kind"] == "think-together"]
    staged = [n for n in tt if stage_direction(first_sentence(n["back"]))]
    report["think_together"] = {
        "notes": len(tt), "answer_opens_with_stage_direction": len(staged),
        "stage_examples": [f"{n['file']}: {first_sentence(n['back'])}" for n in staged[:5]],
        "question_without_question_mark": sum(not n["front"].rstrip(" \"'”’*").endswith("?") for n in tt)}

    long_backs = [n for n in notes if not n["cloze"] and len(words(n["back"])) > LONG_BACK_WORDS]
    report["long_backs"] = {"over_words": LONG_BACK_WORDS, "count": len(long_backs),
                            "by_kind": dict(collections.Counter(n["kind"] for n in long_backs))}

    long_deletions = [d for n in notes for d in n["deletions"] if len(words(d)) > LONG_DELETION_WORDS]
    report["long_deletions"] = {"over_words": LONG_DELETION_WORDS, "count": len(long_deletions),
                                "examples": long_deletions[:3]}

    contrasts = [n for n in notes if n["kind"] == "contrast"]
    report["contrast"] = {"notes": len(contrasts),
                          "naming_one_level": sum(len(levels_named(n["front"] + " " + n["back"])) < 2 for n in contrasts)}

    kinds: dict = {}
    if manifest_files:
        for kind in KINDS:
            having = [name for name, t in manifest_files.items() if t["expected"].get(kind)]
            built = [name for name in having if name in files]
            found = [name for name in built if any(n["kind"] == kind for n in by_file.get(name, []))]
            exact = [name for name in built
                     if sum(n["kind"] == kind for n in by_file.get(name, [])) == manifest_files[name]["expected"][kind]]
            over = {name: sum(n["kind"] == kind for n in by_file.get(name, [])) - t["expected"].get(kind, 0)
                    for name, t in manifest_files.items() if name in files}
            kinds[kind] = {"scripts_with_it": len(having), "found_in": len(found),
                           "found_pct": _pct(len(found), len(having)),
                           "exact_count": len(exact), "exact_pct": _pct(len(exact), len(having)),
                           "notes_too_many": sum(v for v in over.values() if v > 0),
                           "scripts_with_too_many": sum(v > 0 for v in over.values()),
                           "missing_in": [name for name in built if name not in found][:5]}
        report["contrast"]["from_scripts_without_contrast"] = sum(
            1 for n in contrasts if not manifest_files.get(n["file"], {}).get("expected", {}).get("contrast"))
        report["ladder_from_scripts_without_ladder"] = sum(
            1 for n in notes if n["kind"] == "ladder"
            and not manifest_files.get(n["file"], {}).get("expected", {}).get("ladder"))
        refused = [name for name in build_info.get("excluded") or [] if name in manifest_files]
        report["build"]["refused_patterns"] = dict(collections.Counter(
            p for name in refused for p in manifest_files[name].get("patterns", []) or ["none"]))
        report["recap"].update(_score_bullets(notes, manifest_files, files))
        report["think_together"].update(_score_think(tt, manifest_files, files))
        levelled = [n for n in notes if manifest_files.get(n["file"], {}).get("level")]
        tagged = sum(f"level::{manifest_files[n['file']]['level'].lower()}" in [t.lower() for t in n["tags"]]
                     for n in levelled)
        report["level_tags"] = {"notes_of_levelled_videos": len(levelled), "tagged": tagged,
                                "pct": _pct(tagged, len(levelled))}
    else:
        for kind in KINDS:
            having = [name for name in files if any(n["kind"] == kind for n in by_file.get(name, []))]
            kinds[kind] = {"scripts_with_a_note": len(having), "notes": sum(n["kind"] == kind for n in notes)}
    report["kinds"] = kinds
    if deck is not None:
        report["order"] = _score_order(notes, files, deck, manifest_files)
    return report


def _score_bullets(notes: list[dict], manifest_files: dict, files: list[str]) -> dict:
    at = {(n["file"], n["line"]): n for n in notes if n["kind"] == "recap" and n["line"] is not None}
    if not at:  # cards name their file but no line: a file's recap notes in order are its bullets
        by_file = collections.defaultdict(list)
        for n in sorted((n for n in notes if n["kind"] == "recap"), key=lambda n: n["nid"]):
            by_file[n["file"]].append(n)
        at = {(name, bullet["line"]): note for name, truth in manifest_files.items()
              for bullet, note in zip(truth["recap"], by_file.get(name, []))}
    plain_bullets = plain_cloze = agree = checked = missing = 0
    disagree: list[str] = []
    shapes: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for name, truth in manifest_files.items():
        if name not in files:
            continue
        for bullet in truth["recap"]:
            note = at.get((name, bullet["line"]))
            if note is None:
                missing += 1
                continue
            shapes[bullet["shape"]][1] += 1
            shapes[bullet["shape"]][0] += note["cloze"]
            if not bullet["bold"]:
                plain_bullets += 1
                plain_cloze += note["cloze"]
            if bullet.get("expect") and note["cloze"]:
                checked += 1
                if any(deletions_agree(note["deletions"], expect)
                       for expect in [bullet["expect"], *bullet.get("also_ok", [])]):
                    agree += 1
                elif len(disagree) < 5:
                    disagree.append(f"{name}:{bullet['line']} {bullet['shape']}: expected {bullet['expect']}, "
                                    f"got {note['deletions']}")
    return {"bullets_without_a_note": missing, "no_bold_bullets": plain_bullets,
            "no_bold_cloze": plain_cloze, "no_bold_cloze_pct": _pct(plain_cloze, plain_bullets),
            "deletion_agrees": agree, "deletion_checked": checked,
            "deletion_agrees_pct": _pct(agree, checked), "deletion_disagrees": disagree,
            "cloze_by_shape": {shape: f"{c}/{n}" for shape, (c, n) in sorted(shapes.items())}}


def deletions_agree(deletions: list[str], expected: list[str]) -> bool:
    """Every expected deletion is one of the note's deletions, give or take punctuation, quotes
    and a few words around it (a deletion within 60% of the expected length still counts)."""
    got = [normal(d) for d in deletions]
    return bool(got) and all(
        any(normal(e) in g and len(g) <= 1.6 * len(normal(e)) + 3 or (g and g in normal(e) and len(g) >= 0.6 * len(normal(e)))
            for g in got) for e in expected)


def _score_think(tt: list[dict], manifest_files: dict, files: list[str]) -> dict:
    by_file = collections.defaultdict(list)
    for note in tt:
        by_file[note["file"]].append(note)
    question = answer = expected = 0
    variants: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])
    for name, truth in manifest_files.items():
        want = truth.get("think_together")
        if not want or name not in files:
            continue
        expected += 1
        got = by_file.get(name, [])
        found = any(normal(want["question"]) in normal(n["front"]) for n in got)
        right = any(normal(n["back"]).startswith(normal(want["answer_first"])) for n in got)
        question += found
        answer += right
        for key in (want.get("variant") or "?", "after a stage direction" if want.get("stage_direction") else None):
            if key:
                variants[key][0] += bool(got)
                variants[key][1] += right
                variants[key][2] += 1
    return {"question_found": question, "answer_opens_with_first_sentence": answer, "expected": expected,
            "answer_opens_right_pct": _pct(answer, expected),
            "by_variant": {k: f"note {n}/{t}, answer right {r}/{t}" for k, (n, r, t) in sorted(variants.items())}}


def _score_order(notes: list[dict], files: list[str], deck: dict, manifest_files: dict) -> dict:
    deck_files: dict[str, set] = collections.defaultdict(set)
    nid_deck = {c["nid"]: c["deck"] for c in deck["cards"]}
    for note in notes:
        if note["nid"] in nid_deck:
            deck_files[nid_deck[note["nid"]].split("::")[-1]].add(note["file"])

    def number(subdeck: str) -> int | None:
        names = deck_files.get(subdeck.split("::")[-1], set())
        for name in names:
            if name in manifest_files:
                return manifest_files[name]["number"]
            if course_number(name) is not None:
                return course_number(name)
        return None

    listed = [number(name) for name in deck["subdecks"]]
    known = [n for n in listed if n is not None]
    out_of_order = [(a, b) for a, b in zip(known, known[1:]) if b < a]
    day_one = [number(name) for name in deck["day_one"]]
    hundred = [number(name) for name in deck["first_hundred"]]

    def in_course_order(seq: list) -> bool:
        seen = list(dict.fromkeys(n for n in seq if n is not None))
        return bool(seen) and seen == sorted(seen) and (not known or seen[0] == min(known))

    return {"subdecks": len(listed), "listed_in_course_order": not out_of_order and None not in listed,
            "first_listed": listed[:12], "first_out_of_order": out_of_order[:3],
            "day_one_new_cards": len(day_one), "day_one_videos": runs(day_one),
            "day_one_in_course_order": in_course_order(day_one),
            "first_100_videos": runs(hundred), "first_100_in_course_order": in_course_order(hundred)}


def samples(deck: dict, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` cards at random (seeded): (front, back minus the front) as plain text."""
    cards = sorted(deck["cards"], key=lambda c: (c["nid"], c["ord"]))
    picked = random.Random(seed).sample(cards, min(count, len(cards)))
    out = []
    for card in picked:
        back, front = card["back"], card["front"]
        if back.startswith(front):
            back = back[len(front):].strip()
        else:  # a cloze: what follows the words front and back share (the header, the lead-in)
            f, b = front.split(" "), back.split(" ")
            same = next((i for i, (x, y) in enumerate(zip(f, b)) if x != y), min(len(f), len(b)))
            back = " ".join(b[same:])
        out.append((card["front"], back))
    return out


# ---------------------------------------------------------------- report

def render(report: dict, sample_cards: list[tuple[str, str]]) -> str:
    b, w, r, t = report["build"], report["warnings"], report["recap"], report["think_together"]
    lines = [f"build: exit {b['exit']}, {b['videos']} videos built / {b['scripts']} scripts, "
             f"{b['notes']} notes, {b['cards']} cards, {b['seconds']:.1f} s"]
    for e in (b["errors"] or [])[:10]:
        lines.append(f"  error: {e.get('file')}:{e.get('line')}: {e.get('message')}")
    if b["excluded"]:
        lines.append(f"  measured without the refused: {', '.join(b['excluded'])}")
        if b.get("refused_patterns"):
            lines.append(f"  the refused scripts' drift patterns (manifest): {b['refused_patterns']}")
    lines.append(f"warnings: {w['count']} ({w['per_video']} per video)")
    if "not_about_a_real_mistake" in w:
        lines.append(f"  real mistakes in the scripts: {w['real_mistakes']}, warned at their line: "
                     f"{w['real_mistakes_warned']}; warnings not about a real mistake: "
                     f"{w['not_about_a_real_mistake']} ({w['not_about_a_real_mistake_per_video']} per video)")
    for message, n in w["by_message"]:
        lines.append(f"  {n:5} × {message}")
    lines.append(f"recap: {r['notes']} notes, {r['cloze']} cloze ({r['cloze_pct']}%)")
    if "no_bold_bullets" in r:
        lines.append(f"  bullets with no bold: {r['no_bold_bullets']}, cloze {r['no_bold_cloze']} ({r['no_bold_cloze_pct']}%); "
                     f"bullets without a note: {r['bullets_without_a_note']}")
        lines.append(f"  deletion agrees with the manifest: {r['deletion_agrees']}/{r['deletion_checked']} "
                     f"({r['deletion_agrees_pct']}%)")
        lines += [f"    {d}" for d in r["deletion_disagrees"]]
        lines.append("  cloze by bullet shape: " + ", ".join(f"{k} {v}" for k, v in r["cloze_by_shape"].items()))
    lines.append(f"cards asking for 'the recap point that begins': {report['recap_point_that_begins']}")
    lines.append(f"think-together: {t['notes']} notes; answer opens with a stage direction: "
                 f"{t['answer_opens_with_stage_direction']}; question without '?': {t['question_without_question_mark']}")
    lines += [f"    {s}" for s in t["stage_examples"]]
    if "expected" in t:
        lines.append(f"  question found: {t['question_found']}/{t['expected']}; answer opens with its first "
                     f"sentence: {t['answer_opens_with_first_sentence']}/{t['expected']} ({t['answer_opens_right_pct']}%)")
        lines += [f"    {k}: {v}" for k, v in t["by_variant"].items()]
    lines.append("kinds:")
    for kind, k in report["kinds"].items():
        if "scripts_with_it" in k:
            lines.append(f"  {kind:15} found in {k['found_in']}/{k['scripts_with_it']} scripts that have it "
                         f"({k['found_pct']}%), exact count {k['exact_count']} ({k['exact_pct']}%), "
                         f"{k['notes_too_many']} notes too many in {k['scripts_with_too_many']} scripts"
                         + (f"; missing in {', '.join(k['missing_in'])}" if k["missing_in"] else ""))
        else:
            lines.append(f"  {kind:15} {k['notes']} notes in {k['scripts_with_a_note']} scripts")
    c = report["contrast"]
    lines.append(f"contrasts: {c['notes']}; naming fewer than two levels: {c['naming_one_level']}"
                 + (f"; from scripts with no contrast: {c['from_scripts_without_contrast']}"
                    if "from_scripts_without_contrast" in c else ""))
    if "ladder_from_scripts_without_ladder" in report:
        lines.append(f"ladders from scripts with no ladder: {report['ladder_from_scripts_without_ladder']}")
    if "level_tags" in report:
        lt = report["level_tags"]
        lines.append(f"level tags: {lt['tagged']}/{lt['notes_of_levelled_videos']} notes of videos with a Level ({lt['pct']}%)")
    lb = report["long_backs"]
    lines.append(f"backs over {lb['over_words']} words: {lb['count']} {lb['by_kind']}")
    ld = report["long_deletions"]
    lines.append(f"cloze deletions over {ld['over_words']} words: {ld['count']}"
                 + "".join(f"\n    {d}" for d in ld["examples"]))
    if "order" in report:
        o = report["order"]
        lines.append(f"order: {o['subdecks']} subdecks, listed in course order: {o['listed_in_course_order']} "
                     f"(first listed: {o['first_listed']}; first out of order: {o['first_out_of_order']})")
        lines.append(f"  first {o['day_one_new_cards']} new cards (default options) from videos: {o['day_one_videos']} "
                     f"-> in course order: {o['day_one_in_course_order']}")
        lines.append(f"  first 100 new cards (only the daily limit raised): {o['first_100_videos']} "
                     f"-> in course order: {o['first_100_in_course_order']}")
    if sample_cards:
        lines.append(f"{len(sample_cards)} random cards, front → back:")
        for i, (front, back) in enumerate(sample_cards, 1):
            lines.append(f"  {i:2}. {front}\n      → {back}")
    return "\n".join(lines)


def measure(folder: Path, manifest: dict | None, ankigen: list[str], sample_count: int = 20,
            seed: int = 1) -> tuple[dict, list]:
    with tempfile.TemporaryDirectory(prefix="ankigen-quality-") as tmp:
        work = Path(tmp)
        result = build(folder, work, ankigen)
        deck_info = result.decks[0] if result.decks else {}
        built_files = [p.name for p in scripts_in(folder) if p.name not in result.excluded]
        info = {"exit": result.exit, "errors": result.errors, "excluded": result.excluded,
                "seconds": result.seconds, "warnings": result.warnings,
                "videos": deck_info.get("videos", 0), "cards": deck_info.get("cards", 0)}
        deck = None
        notes: list[dict] = []
        if result.apkg is not None:
            (work / "anki").mkdir()
            deck = read_deck(result.apkg, work / "anki")
            notes = deck["notes"]
        report = score(notes, [p.name for p in scripts_in(folder)] if not result.excluded else built_files,
                       info, manifest, deck)
        report["build"]["scripts"] = len(scripts_in(folder))
        if result.exit != 0 and not result.decks:
            report["build"]["stderr"] = result.stderr
        cards = samples(deck, sample_count, seed) if deck else []
    return report, cards


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of scripts (built as one deck)")
    parser.add_argument("--manifest", type=Path, help="ground truth from drift.py "
                        "(default: FOLDER.manifest.json beside the folder, if there is one)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--samples", type=int, default=20, help="random cards to print (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the random cards")
    parser.add_argument("--ankigen", default=f"{shlex.quote(sys.executable)} -m ankigen",
                        help="the command that runs ankigen (default: this Python's -m ankigen)")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    if not folder.is_dir():
        parser.error(f"{args.folder}: not a folder")
    manifest_file = args.manifest or folder.parent / f"{folder.name}.manifest.json"
    manifest = None
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    elif args.manifest:
        parser.error(f"{args.manifest}: no such file")
    report, cards = measure(folder, manifest, shlex.split(args.ankigen), args.samples, args.seed)
    if args.json:
        report["samples"] = [{"front": f, "back": b} for f, b in cards]
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(render(report, cards))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
