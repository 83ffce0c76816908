"""Course order: the video's number, read from its file name however the author wrote it
(or front matter ``order:``), names its subdeck zero-padded, so Anki's deck list — and
with default options the order new cards come in — follows the course."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from anki.consts import QUEUE_TYPE_NEW
from anki.scheduler.v3 import CardAnswer

from anki_helpers import cards_of, import_package, imported
from ankigen.extract import course_number, video_identity
from ankigen.script import parse
from conftest import TESTS

TOPICS = TESTS / "corpus" / "topics"  # the seed under Topic_NN_ names
MAIN_LOCK = TESTS / "corpus" / "topics.main.lock.yaml"  # built from TOPICS by ankigen 2a59d85


@pytest.mark.parametrize("stem, number, rest", [
    ("01-ownership", "01", "ownership"),
    ("Topic_01_What_Is_A_System", "01", "What_Is_A_System"),
    ("Topic_320_Exactly_Once", "320", "Exactly_Once"),
    ("Lesson 3 - queues", "3", "queues"),
    ("video-012_caching", "012", "caching"),
    ("Episode 7: sharding", "7", "sharding"),
    ("3.queues", "3", "queues"),
    ("[04] Retries", "04", "Retries"),
    ("(5) Backoff", "5", "Backoff"),
    ("#12 leases", "12", "leases"),
    ("Ep07 quorum", "07", "quorum"),
    ("Chapter_4", "4", ""),
    ("Module 2 — Caching", "2", "Caching"),
    ("lecture10-raft", "10", "raft"),
    # a number that is part of the title is not the course's
    ("10x-engineer", "", "10x-engineer"),
    ("http2", "", "http2"),
    ("3.5-inch-floppy", "", "3.5-inch-floppy"),
    ("top-10-tips", "", "top-10-tips"),
    ("web3-basics", "", "web3-basics"),
    ("L5-ownership", "", "L5-ownership"),
    ("topics_01", "", "topics_01"),
    ("ownership", "", "ownership"),
    # a date is not a course number either
    ("2024-05-01-intro", "", "intro"),
])
def test_course_number_from_the_file_name(stem, number, rest):
    assert course_number(stem) == (number, rest)


def _script(text: str, name: str = "x.md"):
    return parse(text, name)


def test_slug_is_the_title_part_and_front_matter_order_wins():
    script = _script("# What Is a Queue?\n\n## One-Liner to Remember\n\nA line.\n")
    assert video_identity(script, Path("Topic_01_What_Is_A_Queue.md")) == ("what-is-a-queue", "01", False)
    ordered = _script("---\norder: 12\n---\n# Intro\n\n## One-Liner to Remember\n\nA line.\n")
    assert video_identity(ordered, Path("intro.md")) == ("intro", "12", False)
    assert video_identity(ordered, Path("Topic_03_Intro.md")) == ("intro", "12", False)
    pinned = _script("---\nid: queues\norder: \"007\"\n---\n# Q\n\n## One-Liner to Remember\n\nA line.\n")
    assert video_identity(pinned, Path("Topic_01_What_Is_A_Queue.md")) == ("queues", "7", True)


def one_liner(title: str) -> str:
    return f"# {title}\n\n## One-Liner to Remember\n\n{title} is worth one card.\n"


def make_series(root: Path, videos: dict[str, str], name: str = "Course") -> Path:
    """decks/<slug>.yaml and its scripts (file name → title); returns the config."""
    folder = root / "decks" / "course"
    folder.mkdir(parents=True, exist_ok=True)
    for file, title in videos.items():
        (folder / file).write_text(one_liner(title), encoding="utf-8")
    config = root / "decks" / "course.yaml"
    config.write_text(f"name: {name}\nsources:\n  - course/*.md\n", encoding="utf-8")
    return config


# Titles in reverse alphabetical order: a deck list sorted by title alone is backwards.
TWELVE = {f"Topic_{n}_Part_{n}.md": f"{chr(ord('Z') - n)}ebra lesson {n}" for n in range(1, 13)}
CROSSING = {f"Topic_{n}_Step_{n}.md": f"{chr(ord('Z') - i)}oo step {n}"
            for i, n in enumerate((9, 10, 11, 98, 99, 100, 101, 110))}


def learner_new_cards(tmp_path: Path, apkg: Path, deck: str) -> list[str]:
    """Import as a learner, select the series' top deck and study with Anki's default
    options: the subdeck of each new card the scheduler hands out, in order."""
    with imported(tmp_path, apkg) as (col, _):
        col.decks.select(col.decks.id_for_name(deck))
        shown = []
        while True:
            queued = col.sched.get_queued_cards(fetch_limit=1).cards
            if not queued:
                break
            card = col.get_card(queued[0].card.id)
            if card.queue == QUEUE_TYPE_NEW:
                shown.append(col.decks.name(card.did))
            states = col._backend.get_scheduling_states(card.id)
            card.start_timer()
            col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.EASY))
        return shown


@pytest.mark.parametrize("videos, numbers", [
    (TWELVE, list(range(1, 13))),
    (CROSSING, [9, 10, 11, 98, 99, 100, 101, 110]),
])
def test_anki_hands_out_new_cards_in_course_order(run, tmp_path, videos, numbers):
    config = make_series(tmp_path / "project", videos)
    result = run("build", config, "-o", tmp_path / "course.apkg", "--json")
    assert warnings_of(result) == []
    shown = learner_new_cards(tmp_path, tmp_path / "course.apkg", "Course")
    assert [int(name.split("::")[1].split()[0]) for name in shown] == numbers
    assert all(name.split("::")[1].split()[0] == f"{n:03d}" for name, n in zip(shown, numbers))


def test_due_numbers_follow_the_course_not_the_file_names(run, tmp_path):
    """Topic_100 sorts before Topic_10_ as text, and front matter may place a video."""
    config = make_series(tmp_path / "project", {"Topic_100_Late.md": "Late", "Topic_10_Early.md": "Early",
                                                "Topic_2_First.md": "First"})
    (config.parent / "course" / "intro.md").write_text("---\norder: 1\n---\n" + one_liner("Welcome"),
                                                       encoding="utf-8")
    result = run("build", config, "-o", tmp_path / "course.apkg")
    assert result.exit_code == 0, result.output
    with imported(tmp_path, tmp_path / "course.apkg") as (col, _):
        cards = sorted(cards_of(col), key=lambda c: c.due)
        assert [col.decks.name(c.did) for c in cards] == [
            "Course::001 Welcome", "Course::002 First", "Course::010 Early", "Course::100 Late"]


def warnings_of(result) -> list[dict]:
    """The build's warnings, less those about the sections these one-card scripts lack."""
    assert result.exit_code == 0, result.output
    return [w for w in json.loads(result.output)["warnings"] if not w["message"].endswith(" section")]


def read_lock(config: Path) -> dict:
    return yaml.safe_load(config.with_suffix(".lock.yaml").read_text(encoding="utf-8"))


def edit_lock(config: Path, *replacements: tuple[str, str]) -> None:
    """Rewrite the lock as a hand (or an older ankigen) left it: each (old, new) replaced."""
    lock = config.with_suffix(".lock.yaml")
    text = lock.read_text(encoding="utf-8")
    for old, new in replacements:
        text = text.replace(old, new)
    lock.write_text(text, encoding="utf-8")


def subdecks(config: Path) -> list[str]:
    return sorted(v["subdeck"] for v in read_lock(config)["videos"].values())


def test_width_grows_past_999(run, tmp_path):
    config = make_series(tmp_path / "project", {"Topic_1_A.md": "A", "Topic_2_B.md": "B"})
    (config.parent / "course" / "last.md").write_text("---\norder: 1000\n---\n" + one_liner("Finale"),
                                                      encoding="utf-8")
    assert run("build", config).exit_code == 0
    assert subdecks(config) == ["Course::0001 A", "Course::0002 B", "Course::1000 Finale"]


def test_a_two_digit_lock_keeps_its_width_until_the_series_outgrows_it(run, tmp_path):
    config = make_series(tmp_path / "project", {"01-a.md": "Alpha", "02-b.md": "Beta"})
    assert run("build", config).exit_code == 0
    # as the shipped staff-engineering lock: subdecks numbered with 2 digits
    edit_lock(config, ("::001 ", "::01 "), ("::002 ", "::02 "))
    (config.parent / "course" / "11-k.md").write_text(one_liner("Kappa"), encoding="utf-8")
    assert warnings_of(run("build", config, "--json")) == []
    assert subdecks(config) == ["Course::01 Alpha", "Course::02 Beta", "Course::11 Kappa"]

    # video 100 does not fit 2 digits: it gets 3; the kept subdecks are not warned about
    # one by one, but one warning says the deck list is now out of course order
    (config.parent / "course" / "100-z.md").write_text(one_liner("Omega"), encoding="utf-8")
    warnings = warnings_of(run("build", config, "--json"))
    assert [(Path(w["file"]).name, w["message"]) for w in warnings] == [(
        "11-k.md", "Anki lists 'Course::100 Omega' (video 100) before 'Course::11 Kappa' (video 11), so new "
        "cards come out of course order; pass --rename-decks to number every subdeck with 3 digits "
        "(learners' existing cards stay in the subdecks they have)")]
    assert subdecks(config) == ["Course::01 Alpha", "Course::02 Beta", "Course::100 Omega", "Course::11 Kappa"]

    assert warnings_of(run("build", config, "--rename-decks", "--json")) == []
    assert subdecks(config) == ["Course::001 Alpha", "Course::002 Beta", "Course::011 Kappa", "Course::100 Omega"]
    assert warnings_of(run("build", config, "--json")) == []  # and it stays so, silently
    assert subdecks(config) == ["Course::001 Alpha", "Course::002 Beta", "Course::011 Kappa", "Course::100 Omega"]


def guids(lock: dict) -> dict[str, str]:
    return {key: note["guid"] for key, note in lock["notes"].items()}


def test_a_lock_written_before_topic_numbers_were_read_keeps_every_guid(run, tmp_path):
    """The series' lock as ankigen 2a59d85 wrote it: videos keyed ``topic-01-what-is-a-queue``,
    subdecks named by title alone. Now the slug is ``what-is-a-queue`` and the number 1:
    every note keeps its GUID, the subdecks learners have are kept, and one warning (not
    one per video) says the deck list is not in course order until --rename-decks."""
    decks = tmp_path / "project" / "decks"
    shutil.copytree(TOPICS, decks / "topics")
    config = decks / "system-design.yaml"
    config.write_text("name: System Design\nsources:\n  - topics/*.md\n", encoding="utf-8")
    shutil.copy(MAIN_LOCK, config.with_suffix(".lock.yaml"))
    before = yaml.safe_load(MAIN_LOCK.read_text(encoding="utf-8"))
    assert "topic-01-what-is-a-queue/one-liner" in before["notes"]

    result = run("build", config, "-o", tmp_path / "kept.apkg", "--json")
    changes = json.loads(result.output)["decks"][0]["changes"]
    assert (changes["added"], changes["retired"], changes["renamed"]) == ([], [], [])
    # every note kept; updated once, in place (cards no longer carry a line number, and
    # notes carry their video's level tag)
    assert changes["unchanged"] + len(changes["changed"]) == len(before["notes"]) == 44
    assert guids(read_lock(config)) == guids(before)
    assert subdecks(config) == sorted(v["subdeck"] for v in before["videos"].values())
    warnings = warnings_of(result)
    assert [w["message"].split(",")[0] for w in warnings] == [
        "Anki lists 'System Design::Idempotency Keys' (video 100) before 'System Design::Load Shedding' (video 10)"]

    result = run("build", config, "-o", tmp_path / "renamed.apkg", "--rename-decks", "--json")
    changes = json.loads(result.output)["decks"][0]["changes"]
    assert (changes["added"], changes["retired"]) == ([], [])
    assert len(changes["deck_renames"]) == 4
    assert warnings_of(result) == []
    assert guids(read_lock(config)) == guids(before)
    assert subdecks(config) == ["System Design::001 What Is a Queue?", "System Design::002 Retries with Backoff",
                                "System Design::010 Load Shedding", "System Design::100 Idempotency Keys"]
    # a learner with the old deck gets the same notes, updated in place, none twice
    with imported(tmp_path, tmp_path / "kept.apkg") as (col, log):
        assert log["new"] == 44
        again = import_package(col, tmp_path / "renamed.apkg")
        assert again["new"] == 0 and again["conflicting"] == 0
        assert len(col.find_notes("")) == 44


def test_rename_decks_renumbers_videos_the_workers_settled(run, tmp_path, monkeypatch):
    """A series large enough to be parsed on several cores: each worker settles a video
    against its own part of the lock, where a 2-digit width still looks right. The build
    must still renumber every subdeck to the width of the whole series."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    videos = {f"{n:02d}-v{n}.md": f"Video {n}" for n in range(1, 161)}
    config = make_series(tmp_path / "project", videos)
    assert run("build", config, "-q").exit_code == 0
    # the lock as a 2-digit series left it
    edit_lock(config, *((f'"Course::{n:03d} Video', f'"Course::{n:02d} Video') for n in range(1, 100)))
    shutil.rmtree(tmp_path / "dist" / ".cache", ignore_errors=True)
    shutil.rmtree(tmp_path / "project" / "dist", ignore_errors=True)
    result = run("build", config, "--rename-decks", "--json")
    assert len(json.loads(result.output)["decks"][0]["changes"]["deck_renames"]) == 99
    assert subdecks(config) == [f"Course::{n:03d} Video {n}" for n in range(1, 161)]


def test_a_title_only_lock_is_renumbered_at_three_digits_whatever_its_titles_start_with(run, tmp_path):
    config = make_series(tmp_path / "project", {"01-trends.md": "2024 Trends", "02-b.md": "Beta"})
    assert run("build", config).exit_code == 0
    edit_lock(config, ("::001 ", "::"), ("::002 ", "::"))
    assert subdecks(config) == ["Course::2024 Trends", "Course::Beta"]
    assert warnings_of(run("build", config, "--json")) == []  # kept, and still in course order
    assert subdecks(config) == ["Course::2024 Trends", "Course::Beta"]
    assert warnings_of(run("build", config, "--rename-decks", "--json")) == []
    assert subdecks(config) == ["Course::001 2024 Trends", "Course::002 Beta"]


@pytest.mark.parametrize("value, number", [
    ("12", "12"), ('"007"', "7"), ("012", "12"), ("0012  # padded", "12"), ("0", "0"), ("-3", ""),
    ("1.5", ""), ("first", ""), ("true", ""),
    ('""', ""), ("[1]", ""), ('"' + "9" * 5000 + '"', ""), ("9" * 20, ""), ('"١٢"', ""),
])
def test_front_matter_order_is_a_whole_number_or_ignored(value, number):
    script = _script(f"---\norder: {value}\n---\n# T\n\n## One-Liner to Remember\n\nA line.\n")
    assert video_identity(script, Path("notes.md"))[1] == number


def test_a_bad_order_is_a_warning_naming_its_line(run, tmp_path):
    config = make_series(tmp_path / "project", {"01-a.md": "Alpha"})
    (config.parent / "course" / "b.md").write_text("---\ntitle: Beta\norder: second\n---\n" + one_liner("Beta"),
                                                   encoding="utf-8")
    warnings = warnings_of(run("build", config, "--json"))
    assert [(Path(w["file"]).name, w["line"], w["message"]) for w in warnings] == [
        ("b.md", 3, "front matter 'order' must be a whole number (the video's place in the course); ignored")]
    assert subdecks(config) == ["Course::001 Alpha", "Course::Beta"]


def test_reading_the_number_takes_linear_time_on_hostile_names():
    """A file name is at most 255 bytes; a regex that backtracks over runs of separators
    once took 0.3 s on one such name (every script is read on every build)."""
    import time
    names = ["topic" + " " * 250 + "x", "[" + " " * 253, "Lesson" + "_-" * 124 + "x", "7" * 250 + "x"]
    start = time.perf_counter()
    for name in names:
        course_number(name)
    assert time.perf_counter() - start < 0.1


def test_a_script_without_a_title_is_named_from_its_file_without_the_number(run, tmp_path):
    config = make_series(tmp_path / "project", {})
    (config.parent / "course" / "Lesson 07 - write_ahead-log.md").write_text(
        "## One-Liner to Remember\n\nWrite it down first.\n", encoding="utf-8")
    warnings = warnings_of(run("build", config, "--json"))
    assert "using 'Write ahead log'" in warnings[0]["message"]
    assert subdecks(config) == ["Course::007 Write ahead log"]
    assert list(read_lock(config)["videos"]) == ["write-ahead-log"]
