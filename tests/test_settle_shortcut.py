"""A worker settles the usual video of a cold build without identifying it
(``settle._as_locked``): every note is what its part of the lock says. That shortcut
must give exactly what the whole path (``assemble``) gives, or decline. Checked here
on every video of the test corpora, after edits of every kind an author makes, and on
the identity cases (each an edit flow with the lock learners have)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from ankigen import assemble as assembling
from ankigen import settle as settling
from ankigen.build import Options, build
from ankigen.config import load_config
from ankigen.contrast import Levels
from ankigen.errors import Problems
from ankigen.lock import Lock
from ankigen.lockfile import read_lock
from ankigen.notes import Deck
from ankigen.read import read_and_render, relative

TESTS = Path(__file__).parent
CONFIG = "name: {name}\nsources: [{folder}/*.md]\n"


def _whole_path(deck: Deck, video, made, part, rename: bool):
    alone = Deck(deck.name, deck.slug, deck.deck_id, tags=deck.tags, videos=[video])
    shelf = settling._Kept(video.path, "k", made)
    assembling.assemble(alone, Lock.of_part(deck.name, part), 1_900_000_000, rename, True, Problems(), "", shelf)
    return shelf.value


def compare(config_path: Path) -> dict[str, int]:
    """For every video of the deck with a part in its lock: the shortcut against the whole
    path, with and without --rename-decks."""
    config = load_config(config_path)
    parts = read_lock(config_path.with_name(config_path.stem + ".lock.yaml"), "lock").parts()
    context = (config.name, config.slug, config.tags)
    deck = Deck(config.name, config.slug, 0, tags=config.tags)
    seen = {"same": 0, "declined": 0, "differ": 0, "missed": 0}
    for file in config.sources:
        (video, _), made = read_and_render(file, config.root, Levels(config.levels), None, context, 30)
        part = parts.get(relative(file, config.root))
        if video is None or part is None or made[1] is None or video.slug != part[0]:
            continue
        for rename in (False, True):
            whole = _whole_path(deck, video, made, part, rename)
            alone = Deck(deck.name, deck.slug, 0, tags=deck.tags, videos=[video])
            short = settling._as_locked(alone, video, made[1][1], Lock.of_part(deck.name, part))
            if short is None:
                seen["missed" if whole is not None else "declined"] += 1
            else:
                seen["same" if short == whole else "differ"] += 1
    return seen


def _edit(lines: list[str], rng: random.Random) -> None:
    """One edit an author makes: a line deleted, doubled or moved, a word changed, bold
    removed or added, the title or a section heading changed, a bullet added, front
    matter giving the video another number or more tags."""
    i = rng.randrange(len(lines))
    kind = rng.randrange(11)
    if kind >= 8:
        _edit_more(lines, kind)
        return
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[i])
    elif kind == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:
        words = lines[i].split(" ")
        words[rng.randrange(len(words))] = rng.choice(["latency", "**queue**", "the", "L5", "Why?"])
        lines[i] = " ".join(words)
    elif kind == 4:
        lines[i] = lines[i].replace("**", "")
    elif kind == 5:
        words = lines[i].split(" ")
        k = rng.randrange(len(words))
        words[k] = f"**{words[k]}**" if words[k] else words[k]
        lines[i] = " ".join(words)
    elif kind == 6:
        lines[:] = [line + " Revisited" if line.startswith("# ") else line for line in lines]
    else:
        lines.insert(i, "- **New point** about caching and queues.")


def _edit_more(lines: list[str], kind: int) -> None:
    if kind == 8:
        lines[:] = [line + " Today" if line.startswith("## ") else line for line in lines]
        return
    meta = "order: 7" if kind == 9 else "tags: [extra]"
    if lines and lines[0] == "---":
        lines.insert(1, meta)
    else:
        lines[:0] = ["---", meta, "---"]


def _project(tmp_path: Path, corpus: Path, monkeypatch) -> Path:
    root = tmp_path / corpus.name
    shutil.copytree(corpus, root / "decks" / corpus.name)
    config = root / "decks" / f"{corpus.name}.yaml"
    config.write_text(CONFIG.format(name=corpus.name.title(), folder=corpus.name), encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build([config], Options(workers=1))
    return config


@pytest.mark.parametrize("corpus", ["staff-engineering", "system-design", "topics"])
def test_the_shortcut_settles_what_the_whole_path_settles(tmp_path, monkeypatch, corpus):
    config = _project(tmp_path, TESTS / "corpus" / corpus, monkeypatch)
    unchanged = compare(config)
    assert unchanged["same"] > 0 and unchanged["differ"] == unchanged["missed"] == 0, unchanged
    for seed in range(8):
        rng = random.Random(seed)
        for script in sorted(config.parent.joinpath(corpus).glob("*.md")):
            if rng.random() < 0.6:
                lines = script.read_text(encoding="utf-8").split("\n")
                for _ in range(rng.randrange(1, 3)):
                    _edit(lines, rng)
                script.write_text("\n".join(lines), encoding="utf-8")
        seen = compare(config)  # declining is always safe (the whole path then decides)
        assert seen["differ"] == 0, (seed, seen)


@pytest.mark.parametrize("case", sorted(p.name for p in (TESTS / "identity").iterdir() if (p / "after").is_dir()))
def test_the_shortcut_agrees_on_every_identity_case(tmp_path, case):
    source = TESTS / "identity" / case
    decks = tmp_path / "decks"
    shutil.copytree(source / "after", decks / "golden")
    (decks / "golden.yaml").write_text(CONFIG.format(name="Golden", folder="golden"), encoding="utf-8")
    shutil.copy(source / "lock.yaml", decks / "golden.lock.yaml")
    seen = compare(decks / "golden.yaml")
    assert seen["differ"] == 0, seen


def test_a_note_whose_entry_was_retired_is_not_taken_as_locked(tmp_path, monkeypatch):
    """A key whose entry is retired, beside a live entry the script no longer makes: the
    counts agree, but the whole path brings the retired note back and retires the other.
    The shortcut must not settle it as it stands."""
    config = _project(tmp_path, TESTS / "corpus" / "staff-engineering", monkeypatch)
    lock_path = config.with_name(config.stem + ".lock.yaml")
    lines = lock_path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith('  "ownership/recap/'))
    key = lines[at].split('"')[1]
    extra = lines[at].replace(key, key + "-gone", 1).replace('"guid": "', '"guid": "x', 1)
    mod = lines[at].split('"mod": ', 1)[1].split(",", 1)[0]  # retired: after mod, as the writer puts it
    lines[at] = lines[at].replace(f'"mod": {mod}', f'"mod": {mod}, "retired": 1800000001', 1)
    lines.insert(at + 1, extra)
    lock_path.write_text("\n".join(lines), encoding="utf-8")
    seen = compare(config)
    assert seen["differ"] == 0 and seen["declined"] >= 2, seen
