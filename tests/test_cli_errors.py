"""What `ankigen build` does when things go wrong, seen from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli import run_process
from conftest import CORPUS, MESSAGE, SEED, snapshot

NOT_A_SCRIPT = "# Shopping list\n\n- eggs\n- milk\n"


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": error: " in line]


# ---------------------------------------------------------------- refused scripts


def warning_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": warning: " in line]


def test_a_file_that_is_not_a_video_script_and_has_no_notes_in_the_lock_is_skipped(run, seed_folder, tmp_path):
    (seed_folder / "groceries.md").write_text(NOT_A_SCRIPT, encoding="utf-8")
    result = run("build", seed_folder, "-o", tmp_path / "out.apkg", "-v")
    assert result.exit_code == 0, result.output
    [line] = [w for w in warning_lines(result) if "groceries" in w]
    assert line.startswith("staff-engineering/groceries.md:1: warning: not a video script")
    assert "skipped (none of its notes is in the lock)" in line
    assert "1 videos, 11 notes" in result.stdout
    assert (tmp_path / "out.apkg").exists()


def test_a_script_whose_notes_are_in_the_lock_is_refused_when_it_stops_being_one(run, seed_folder, tmp_path):
    """Shipping the deck without it would retire its notes: nothing is written."""
    out = tmp_path / "out.apkg"
    assert run("build", seed_folder, "-o", out).exit_code == 0
    files = snapshot(tmp_path)
    assert "out.apkg" in files and len(files) >= 3  # the seed, the package, its lock
    seed = seed_folder / SEED.name
    seed.write_text(NOT_A_SCRIPT, encoding="utf-8")
    result = run("build", seed_folder, "-o", out)
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert line.startswith("staff-engineering/01-ownership.md:1: error: not a video script")
    assert "the lock holds 11 notes of its video 'ownership'" in line and "retire" in line
    seed_path = seed.relative_to(tmp_path).as_posix()
    assert {p: b for p, b in snapshot(tmp_path).items() if p != seed_path} \
        == {p: b for p, b in files.items() if p != seed_path}


def test_a_renamed_script_that_stops_being_one_is_still_found_in_the_lock(run, seed_folder, tmp_path):
    out = tmp_path / "out.apkg"
    assert run("build", seed_folder, "-o", out).exit_code == 0
    (seed_folder / SEED.name).unlink()
    (seed_folder / "07-ownership.md").write_text(NOT_A_SCRIPT, encoding="utf-8")
    result = run("build", seed_folder, "-o", out)
    assert result.exit_code == 1
    assert "the lock holds 11 notes of its video 'ownership'" in error_lines(result)[0]


def test_a_deck_whose_every_file_is_skipped_is_refused(run, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "groceries.md").write_text(NOT_A_SCRIPT, encoding="utf-8")
    (folder / "todo.md").write_text("# To do\n\nCall the bank.\n", encoding="utf-8")
    result = run("build", folder, "-o", tmp_path / "out.apkg")
    assert result.exit_code == 1
    assert {line.split(":")[0] for line in error_lines(result)} == {"notes/groceries.md", "notes/todo.md"}
    assert not warning_lines(result)
    assert not (tmp_path / "out.apkg").exists()


def test_every_refused_file_is_listed_at_once(run, seed_folder, tmp_path):
    (seed_folder / "groceries.md").write_text(NOT_A_SCRIPT, encoding="utf-8")
    (seed_folder / "latin1.md").write_bytes("# Café\n\n## Quick Recap\n\n- **Trap:** é\n".encode("latin-1"))
    (seed_folder / "front.md").write_text("---\ntitle: [unclosed\n---\n# T\n", encoding="utf-8")
    (seed_folder / "empty.md").write_text("", encoding="utf-8")
    result = run("build", seed_folder, "-o", tmp_path / "out.apkg")
    assert result.exit_code == 1
    named = {line.split(":")[0] for line in error_lines(result)}
    assert named == {f"staff-engineering/{n}.md" for n in ("latin1", "front", "empty")}
    assert "groceries" not in result.stderr  # skipped: a warning, and a refused build shows errors
    assert "3 error(s); nothing was written" in result.stderr
    assert not (tmp_path / "out.apkg").exists()


def test_refused_files_in_json(run, seed_folder, tmp_path):
    (seed_folder / "01-ownership.md").write_text(NOT_A_SCRIPT, encoding="utf-8")
    result = run("build", seed_folder, "-o", tmp_path / "out.apkg", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["decks"] == []
    assert [(e["file"], e["line"]) for e in report["errors"]] == [("staff-engineering/01-ownership.md", 1)]
    assert "not a video script" in report["errors"][0]["message"]


def test_a_script_given_by_name_is_refused_the_same_way(run, tmp_path):
    (tmp_path / "groceries.md").write_text(NOT_A_SCRIPT, encoding="utf-8")
    result = run("build", "groceries.md")
    assert result.exit_code == 1
    assert error_lines(result)[0].startswith("groceries.md:1: error: not a video script")
    assert not (tmp_path / "dist").exists()


def test_a_fence_that_swallows_the_script_is_named_in_the_refusal(run, tmp_path):
    (tmp_path / "fence.md").write_text("# Queues\n\n```QUEUE\n[a][b][c]\n\n# Quick Recap\n\n"
                                       "- **Queue** = a line of jobs.\n", encoding="utf-8")
    result = run("build", "fence.md")
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert line.startswith("fence.md:3: error: not a video script as read: the code fence opened "
                           "here is never closed"), line


# ---------------------------------------------------------------- deck config errors


def config(tmp_path: Path, text: str, name: str = "deck.yaml") -> Path:
    (tmp_path / "decks").mkdir(exist_ok=True)
    path = tmp_path / "decks" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_config_errors_are_all_reported_together_with_their_lines(run, tmp_path, seed_folder):
    path = config(tmp_path, "name: 5\nsourcez: x\nid: abc\ntags: {a: 1}\nlevels: [L5, 6]\ncolour: red\n")
    result = run("build", path)
    assert result.exit_code == 1
    lines = error_lines(result)
    assert all(line.startswith("decks/deck.yaml") for line in lines)
    got = {int(line.split(":")[1]): line for line in lines}
    assert set(got) == {1, 2, 3, 4, 5, 6}  # not the default sources glob: 'sourcez' explains it
    assert "'sourcez'" in got[2] and "'colour'" in got[6] and "unknown key" in got[6]
    assert "'name'" in got[1] and "'id'" in got[3] and "'tags'" in got[4] and "'levels'" in got[5]
    assert not (tmp_path / "dist").exists()


def test_unknown_keys_name_the_known_ones(run, tmp_path):
    result = run("build", config(tmp_path, "name: X\nsource: '*.md'\n"))
    assert result.exit_code == 1
    assert "unknown key 'source'" in result.stderr and "sources" in result.stderr


def test_errors_from_several_configs_are_reported_together(run, tmp_path):
    one = config(tmp_path, "name: One\nbogus: 1\n", "one.yaml")
    two = config(tmp_path, "name: [Two]\n", "two.yaml")
    result = run("build", one, two)
    assert result.exit_code == 1
    assert {line.split(":")[0] for line in error_lines(result)} == {"decks/one.yaml", "decks/two.yaml"}


def test_every_source_pattern_that_matches_nothing_is_named_at_its_line(run, tmp_path):
    (tmp_path / "decks" / "notes").mkdir(parents=True)
    (tmp_path / "decks" / "notes" / "readme.txt").write_text("hi", encoding="utf-8")
    path = config(tmp_path, "name: X\nsources:\n  - missing/*.md\n  - notes/*\n  - 'also/*.md'\n")
    result = run("build", path)
    assert result.exit_code == 1
    assert error_lines(result) == [
        "decks/deck.yaml:3: error: sources pattern 'missing/*.md' matches no file",
        "decks/deck.yaml:4: error: sources pattern 'notes/*' matches no Markdown (.md) file",
        "decks/deck.yaml:5: error: sources pattern 'also/*.md' matches no file"]


SOURCES = "sources: [../staff-engineering/*.md]\n"


@pytest.mark.parametrize(("text", "line", "says"), [
    ("name: [unclosed\n", 1, "'[' opened at line 1 is never closed"),  # noticed at the end of the stream
    ("- name: X\n", 1, "must be a mapping"),
    ("", 1, "must be a mapping"),
    (SOURCES + "# no name\n", None, "'name'"),
    (SOURCES + "name: '   '\n", 2, "'name'"),
    ("name: X\nsources: []\n", 2, "'sources'"),
    ("name: X\n" + SOURCES + "levels: []\n", 3, "'levels'"),
    ("name: X\n" + SOURCES + "levels: [L5, l5]\n", 3, "label twice"),
    ("name: X\n" + SOURCES + "id: true\n", 3, "'id'"),
    ("name: X\n" + SOURCES + "id: 99999999999999999999\n", 3, "'id'"),
    ("name: X\n" + SOURCES + "tags: on-call\n", 3, "'tags'"),
])
def test_bad_configs_are_one_line_errors(run, tmp_path, seed_folder, text, line, says):
    result = run("build", config(tmp_path, text))
    assert result.exit_code == 1
    [message] = error_lines(result)
    assert MESSAGE.match(message)
    assert message.startswith("decks/deck.yaml" + (f":{line}:" if line else ": error:"))
    assert says in message
    assert not (tmp_path / "dist").exists()


def test_levels_from_the_config_decide_what_a_contrast_is(run, tmp_path):
    (tmp_path / "decks" / "kitchen").mkdir(parents=True)
    (tmp_path / "decks" / "kitchen" / "01-orders.md").write_text(
        "# Orders\n\n## Real-World Examples\n\n**Example 1: Wrong order.** A customer complains. "
        "Apprentice: apologises. Master: fixes the checklist.\n", encoding="utf-8")
    path = config(tmp_path, "name: Kitchen\nsources: [kitchen/*.md]\nlevels: [Apprentice, Master]\n",
                  "kitchen.yaml")
    result = run("build", path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decks"][0]["notes"] == 1


# ---------------------------------------------------------------- usage errors


@pytest.mark.parametrize("args", [
    ["build", "--bogus"],
    ["build", "no/such/folder"],
    ["build", "-o"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(run, args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Error:" in result.output


# ---------------------------------------------------------------- JSON


def test_json_report_shape(run, seed_folder, tmp_path):
    (seed_folder / "02-count.md").write_text(
        "# Count\n\n## Quick Recap (3 bullets)\n\n- **Trap:** Staying in your lane.\n",
        encoding="utf-8")
    result = run("build", seed_folder, "-o", tmp_path / "out.apkg", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"decks", "warnings", "errors"}
    [deck] = report["decks"]
    assert {"name", "output", "videos", "notes", "cards"} <= set(deck)
    assert (deck["name"], deck["output"], deck["videos"], deck["notes"], deck["cards"]) == \
        ("Staff Engineering", "out.apkg", 2, 12, 16)
    assert report["errors"] == []
    assert report["warnings"] and all(set(w) == {"file", "line", "message"} for w in report["warnings"])
    count = [w for w in report["warnings"] if "bullets" in w["message"]]
    assert [(w["file"], w["line"]) for w in count] == [("staff-engineering/02-count.md", 3)]


def test_warnings_do_not_fail_the_build_and_name_file_and_line(run, seed_folder, tmp_path):
    (seed_folder / "02-count.md").write_text(
        "# Count\n\n## Quick Recap (3 bullets)\n\n- **Trap:** Staying in your lane.\n", encoding="utf-8")
    result = run("build", seed_folder, "-o", tmp_path / "out.apkg")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert "staff-engineering/02-count.md:3: warning: heading says 3 bullets but the list has 1; " \
        "all 1 are used" in warnings
    assert all(MESSAGE.match(line) for line in warnings)


# ---------------------------------------------------------------- never a traceback


HOSTILE = {
    "binary.md": b"\x00\x01\x02\xff\xfe\x00garbage",
    "utf16.md": "# Titre\n\n## Quick Recap\n\n- **Trap:** é\n".encode("utf-16"),
    "nul.md": b"# T\x00itle\n\n## Quick Recap\n\n- **Tr\x00ap:** x\x00y.\n",
    "bom-only.md": b"\xef\xbb\xbf",
    "rules-only.md": b"---\n---\n---\n",
    "deep.md": b"# T\n\n## Quick Recap\n\n" + b"  " * 500 + b"- **x:** y\n" + b"- " * 2000 + b"\n",
    "fence.md": b"# T\n\n## Quick Recap\n\n```\n- **Trap:** inside an unclosed fence\n",
    "table.md": b"# T\n\n## Real-World Examples\n\n**Example 1: T.** x\n\n| L5 |\n|---|\n|\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_scripts_never_crash(run, tmp_path, name):
    folder = tmp_path / "series"
    folder.mkdir()
    (folder / name).write_bytes(HOSTILE[name])
    result = run("build", folder, "-o", tmp_path / "out.apkg")
    assert result.exit_code in (0, 1)
    for line in result.stderr.splitlines():
        assert MESSAGE.match(line) or line.startswith("ankigen: "), line
    assert (result.exit_code == 0) == (tmp_path / "out.apkg").exists()


def test_an_output_that_cannot_be_written_is_an_error_not_a_crash(run, seed_folder, tmp_path):
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    result = run("build", seed_folder, "-o", tmp_path / "blocker" / "out.apkg")
    assert result.exit_code == 1
    assert "blocker" in result.stderr


def test_a_source_that_is_neither_config_nor_markdown_is_refused(run, tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    result = run("build", "notes.txt")
    assert result.exit_code == 1
    assert error_lines(result)[0].startswith("notes.txt: error:")


# ---------------------------------------------------------------- defaults


def test_build_without_arguments_builds_every_deck_config(run, series, tmp_path):
    result = run("build", "--json")
    assert result.exit_code == 0, result.output
    [deck] = json.loads(result.stdout)["decks"]
    assert (deck["name"], deck["output"], deck["videos"]) == \
        ("Staff Engineering", "dist/staff-engineering.apkg", len(list(CORPUS.glob("*.md"))))
    assert (tmp_path / "dist" / "staff-engineering.apkg").is_file()


def test_build_without_arguments_and_without_decks_says_what_to_do(run, tmp_path):
    result = run("build")
    assert result.exit_code == 1
    assert "decks/" in result.stderr
    assert not (tmp_path / "dist").exists()


def test_markdown_without_config_is_a_deck_named_after_its_folder(run, seed_folder, tmp_path):
    result = run("build", seed_folder, "--json")
    assert result.exit_code == 0, result.output
    [deck] = json.loads(result.stdout)["decks"]
    assert (deck["name"], deck["output"], deck["notes"], deck["cards"]) == \
        ("Staff Engineering", "dist/staff-engineering.apkg", 11, 15)


def test_markdown_files_from_two_folders_make_two_decks(run, seed_folder, tmp_path):
    other = tmp_path / "ml_ops"
    other.mkdir()
    shutil.copy(CORPUS / "05-observability.md", other)
    result = run("build", seed_folder / SEED.name, other, "-o", tmp_path / "out", "--json")
    assert result.exit_code == 0, result.output
    decks = {d["name"]: d["output"] for d in json.loads(result.stdout)["decks"]}
    assert decks == {"Staff Engineering": "out/staff-engineering.apkg", "Ml Ops": "out/ml-ops.apkg"}


def test_one_output_file_for_several_decks_is_refused(run, seed_folder, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(CORPUS / "05-observability.md", other)
    result = run("build", seed_folder, other, "-o", tmp_path / "out.apkg")
    assert result.exit_code == 1
    assert not (tmp_path / "out.apkg").exists()


def test_a_folder_build_skips_readmes_and_hidden_files_and_counts_a_file_once(run, seed_folder, tmp_path):
    (seed_folder / "README.md").write_text("# About these scripts\n", encoding="utf-8")
    (seed_folder / ".drafts").mkdir()
    (seed_folder / ".drafts" / "groceries.md").write_text(NOT_A_SCRIPT, encoding="utf-8")
    result = run("build", seed_folder, seed_folder / SEED.name, f"./{seed_folder.name}/{SEED.name}", "--json")
    assert result.exit_code == 0, result.output
    [deck] = json.loads(result.stdout)["decks"]
    assert (deck["videos"], deck["notes"]) == (1, 11)


def test_a_config_named_twice_is_built_once(run, series, tmp_path):
    result = run("build", series, "decks/../decks/staff-engineering.yaml", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["decks"]) == 1


def test_one_bad_config_among_good_ones_stops_the_whole_build(run, series, tmp_path):
    config(tmp_path, "name: Broken\nsources: [nowhere/*.md]\n", "broken.yaml")
    result = run("build")
    assert result.exit_code == 1
    assert error_lines(result) == [
        "decks/broken.yaml:2: error: sources pattern 'nowhere/*.md' matches no file"]
    assert not (tmp_path / "dist").exists()
    assert not (tmp_path / "decks" / "staff-engineering.lock.yaml").exists()


def test_output_to_a_reader_that_went_away_is_no_internal_error(tmp_path):
    """``ankigen build -v | head -1``: the build is done; the rest of its report has nowhere to
    go, and that is no bug to report."""
    import os

    shutil.copytree(CORPUS, tmp_path / "scripts")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        done = run_process("build", "-v", "scripts", "-o", "s.apkg", cwd=tmp_path, stdout=write)
    finally:
        os.close(write)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    assert (tmp_path / "s.apkg").exists()  # the build itself was done
