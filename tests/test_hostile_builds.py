"""Hostile input that builds, outputs that cannot be written, and no traceback ever:
encodings, control characters, huge and deeply nested scripts; an unwritable folder,
a full disk, a multi-deck build that must write every deck or none (tests/conftest.py
has the project and the refusal check).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from cli import spawn
from conftest import CORPUS, MESSAGE, RECAP, SEED


# ---------------------------------------------------------------- outputs that cannot be written


def test_an_unwritable_output_folder_changes_nothing(project, monkeypatch):
    # Root may write anywhere: the refusal is simulated where the file would be created.
    import ankigen.files

    real = ankigen.files.tempfile.mkstemp

    def refuse(*args, dir=None, **kwargs):
        if Path(dir).name == "dist":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(ankigen.files.tempfile, "mkstemp", refuse)
    project.refused("dist/s.apkg", None, "cannot write (Permission denied)", "choose another -o")


def full_disk(monkeypatch, after: int):
    """os.write succeeds for ``after`` bytes in all, then the disk is full."""
    import ankigen.files

    real_write = os.write
    room = [after]

    def write(fd, data):
        if room[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = real_write(fd, bytes(data[: room[0]]))
        room[0] -= n
        return n

    monkeypatch.setattr(ankigen.files.os, "write", write)


@pytest.mark.parametrize("room", [0, 1000, "lock"])
def test_a_full_disk_keeps_the_previous_package_and_lock(project, monkeypatch, room):
    (project.scripts / SEED.name).write_text(
        SEED.read_text(encoding="utf-8").replace("Staying in your lane.", "Staying put."), encoding="utf-8")
    # the lock is staged first (the package may still be compressing); "lock": the new lock
    # is written whole, the disk fills up on the package
    with monkeypatch.context() as disk:
        full_disk(disk, project.lock.stat().st_size + 100 if room == "lock" else room)
        failed = "dist/s.apkg" if room == "lock" else "decks/s.lock.yaml"
        project.refused(failed, None, "cannot write (No space left on device)", "free some space")
    result = project.build("--json")
    assert result.exit_code == 0 and '"changed": [\n' in result.stdout


def test_a_multi_deck_build_writes_every_deck_or_none(project, monkeypatch):
    other = project.root / "decks" / "t"
    other.mkdir()
    shutil.copy(CORPUS / "02-trade-offs.md", other)
    (project.root / "decks" / "t.yaml").write_text("name: T\nsources: [t/*.md]\n", encoding="utf-8")
    assert project.build().exit_code == 0
    for folder in (project.scripts, other):
        for script in folder.glob("*.md"):
            script.write_text(script.read_text(encoding="utf-8") + "\n## Recap\n\n- **New:** fact.\n",
                              encoding="utf-8")
    sizes = sum(p.stat().st_size for p in project.root.glob("dist/*.apkg"))
    full_disk(monkeypatch, sizes + 100)  # the disk fills up on the second deck's files
    before = project.files()
    result = project.build()
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert project.files() == before, "one deck was written without the other"


# ---------------------------------------------------------------- scripts that build


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_byte_order_mark_names_the_encoding(project, encoding):
    text = "# Café → Crème\n\n## Quick Recap\n\n- **Naïve:** déjà vu, 日本語.\n"
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = "\ufeff".encode(encoding) + data
    (project.scripts / "02-accents.md").write_bytes(data)
    result = project.build()
    assert result.exit_code == 0, result.output
    note = next(n.fields for n in project.notes() if "Naïve" in n.fields[0])
    assert "déjà vu, 日本語" in note[0] and "Café → Crème" in note[1]


def test_nul_and_the_field_separator_never_reach_a_field(project):
    (project.scripts / "02-control.md").write_bytes(
        b"# Con\x00trol \x1ftitle\n\n## Quick Recap\n\n- **Tr\x1fap:** Stay\x00ing \x1b[31min lane.\n")
    result = project.build()
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if "control character" in line]
    assert warning == ["decks/s/02-control.md:1: warning: control character U+0000 removed (and any "
                       "others); check the file's encoding or delete it"]
    for note in project.notes():
        assert len(note.fields) in (5, 6)  # Cloze: 5 fields, Q/A: 6
        assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value) for value in [*note.fields, note.tags])


def test_names_titles_tags_and_file_names_are_cleaned(project):
    project.config.write_text('name: "Se\\x1fries\\x00 \\e[2J"\nsources: [s/*.md]\n'
                              'tags: ["a b", "x\\x1fy", "::lead", "a::::b", "q\\"uote"]\n',
                              encoding="utf-8")
    (project.scripts / "02-\x1bodd\x1fname.md").write_text(
        '---\ntitle: "Tit\\x1fle\\x00"\ntags: ["c\\td", "\\u3000e f"]\n---\n\n' + RECAP, encoding="utf-8")
    result = project.build("-o", project.package)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x1f" not in result.output
    notes = project.notes()
    assert len(notes) == 12
    odd = next(n for n in notes if "Staying in your lane" in n.fields[0] and "Title" in n.fields[1])
    assert odd.fields[1].startswith("Series [2J · Title · ")
    assert set(odd.tags.split()) == {"series-2j::odd-name", "recap", "a-b", "xy", "lead", "a::b", "quote",
                                    "cd", "e-f"}
    for note in notes:
        assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value) for value in [*note.fields, note.tags])


def test_no_title_is_a_warning_that_says_what_to_do(project):
    (project.scripts / "02-no-title.md").write_text(RECAP, encoding="utf-8")
    result = project.build()
    assert result.exit_code == 0, result.output
    assert "decks/s/02-no-title.md:1: warning: no '# Title' line; using 'No title' (add a '# Title' " \
        "first line or 'title:' in front matter)" in result.stderr.splitlines()


def test_ten_thousand_bullets(project):
    bullets = "".join(f"- **Term {i}:** Fact number {i} is true.\n" for i in range(10_000))
    (project.scripts / "02-many.md").write_text(f"# Many\n\n## Quick Recap\n\n{bullets}", encoding="utf-8")
    started = time.monotonic()
    result = project.build("--json")
    assert result.exit_code == 0, result.output
    assert '"notes": 10011' in result.stdout
    assert time.monotonic() - started < 30


DEEP = {
    # 5,000 levels of indented bullets need 25 MB of spaces, over the size limit: 3,000
    "indented": "".join("  " * k + f"- **level {k}:** deeper\n" for k in range(1, 3001)),
    "markers": "- " * 5000 + "**bottom:** x\n",
    "quotes": "> " * 5000 + "quoted\n",
    "mixed": "".join(("  " * k) + ("> " if k % 2 else "- ") + "x\n" for k in range(1, 2001)),
    "emphasis": "*" * 5000 + "x" + "*" * 5000 + "\n" + "[" * 5000 + "\n",
}


@pytest.mark.parametrize("case", sorted(DEEP))
def test_lists_nested_five_thousand_deep_build(project, case):
    (project.scripts / "02-deep.md").write_text(
        f"# Deep\n\n## Quick Recap\n\n- **Trap:** Staying in your lane.\n{DEEP[case]}\n"
        "## One-Liner to Remember\n\n" + DEEP[case][:200_000], encoding="utf-8")
    result = project.build()
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- no traceback, ever, as a user runs it


def run_ankigen(*args, cwd: Path, env=None):
    """``python -m ankigen …`` as a user runs it: (exit status, stderr, peak memory in MB)."""
    proc = spawn(*args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err, usage.ru_maxrss / 1024


def test_hostile_inputs_never_print_a_traceback(tmp_path):
    series = tmp_path / "series"
    series.mkdir()
    (series / "01-deep.md").write_text("# Deep\n\n## Quick Recap\n\n- **x:** y\n" + "- " * 5000 + "x\n"
                                       + "".join("  " * k + "- y\n" for k in range(2000)), encoding="utf-8")
    (series / "02-front.md").write_text("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n# T\n",
                                        encoding="utf-8")
    (series / "03-binary.md").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "series.lock.yaml").write_text(
        "version: 1\ndeck: " + "[" * 100_000 + "]" * 100_000 + "\n# end of ankigen lock\n", encoding="utf-8")
    code, err, _ = run_ankigen("build", series, cwd=tmp_path)
    assert code == 1, err
    assert "Traceback" not in err
    assert all(MESSAGE.match(line) or line.startswith("ankigen: ") for line in err.splitlines()), err
    assert "series/02-front.md:2: error: front matter is nested too deeply" in err
    assert "series/03-binary.md: error: a binary file" in err
    (series / "02-front.md").unlink()
    (series / "03-binary.md").unlink()
    code, err, _ = run_ankigen("build", series, cwd=tmp_path)
    assert code == 1 and "Traceback" not in err
    assert "series.lock.yaml: error: the lock file is nested too deeply" in err


def test_a_20_mb_script_builds_in_bounded_time_and_memory(tmp_path):
    series = tmp_path / "series"
    series.mkdir()
    seed = SEED.read_text(encoding="utf-8")
    block = "".join(f"\n## Notes {i}\n\nSome prose about ownership, paragraph {i}, with **bold** "
                    f"and `code` and a [link](https://example.com/{i}).\n" for i in range(100))
    with open(series / "01-ownership.md", "w", encoding="utf-8") as f:
        f.write(seed)
        while f.tell() < 20_000_000:
            f.write(block)
    started = time.monotonic()
    code, err, peak_mb = run_ankigen("build", series, "-o", tmp_path / "big.apkg", cwd=tmp_path)
    seconds = time.monotonic() - started
    assert code == 0, err
    assert seconds < 60, seconds
    assert peak_mb < 1000, peak_mb
    print(f"20 MB script: {seconds:.1f} s, {peak_mb:.0f} MB peak")


def test_markdown_renders_as_before_after_a_list_too_deep_for_it():
    from ankigen.render import markdown_html, to_html

    assert to_html("- " * 5000 + "**x**").startswith("- - - ")  # shown as typed
    assert markdown_html("**a** and *b*") == "<strong>a</strong> and <em>b</em>"


def test_a_bug_is_one_line_not_a_traceback(project, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("something ankigen did not expect")

    monkeypatch.setattr("ankigen.build.build", broken)
    result = project.build()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "ankigen: internal error (ValueError: something ankigen did not expect); please report it "
        "with the input that caused it (ANKIGEN_DEBUG=1 shows the traceback)"]



# ---------------------------------------------------------------- a lock of many retired notes


def test_retired_notes_are_packaged_once_then_reused_to_the_same_bytes(project, monkeypatch, tmp_path):
    """A lock of many retired notes (a long series' history) costs little: once a build has
    packaged a video's retired notes unchanged, the next takes them from the cache. Every
    build makes the same bytes, and the notes still ship tagged retired, without cards."""
    import sqlite3
    import zipfile

    from ankigen.build import build

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    text = (project.scripts / SEED.name).read_text(encoding="utf-8")
    for n in range(40):
        (project.scripts / f"{n + 2:02d}-copy-{n}.md").write_text(text.replace("Ownership", f"Copy {n}"),
                                                                  encoding="utf-8")
    assert project.build().exit_code == 0
    for n in range(40):
        (project.scripts / f"{n + 2:02d}-copy-{n}.md").unlink()
    assert project.build().exit_code == 0  # they are retired now
    first = project.files()
    deck = build([]).decks[0]  # packaged, unchanged, then cached
    assert deck.work.retired_packaged == 40 * 11 and project.files()["dist/s.apkg"] == first["dist/s.apkg"]
    deck = build([]).decks[0]
    assert deck.work.retired_packaged == 0, "the retired notes were packaged again"
    result = project.build()
    assert result.exit_code == 0 and "no changes for learners" in result.stdout, result.output
    again = project.files()
    assert again["dist/s.apkg"] == first["dist/s.apkg"] and again["decks/s.lock.yaml"] == first["decks/s.lock.yaml"]
    with zipfile.ZipFile(project.package) as zf:
        db = zf.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(db)
    retired = conn.execute("SELECT id FROM notes WHERE tags LIKE '% retired %'").fetchall()
    cards = conn.execute("SELECT count(*) FROM cards WHERE nid IN (SELECT id FROM notes WHERE tags "
                         "LIKE '% retired %')").fetchone()[0]
    assert len(retired) == 40 * 11 and cards == 0
