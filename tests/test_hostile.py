"""Hostile and broken input: one clear line, nothing lost, nothing crashes.

Every case starts from a deck that has been built once. The bad input is
then added, and the build must say what is wrong in one line that names the
file (and the line, where there is one) and what to do; exit 1 (2 for usage);
print no traceback; and leave every file as it was: the previous package and
lock byte for byte, no partial package, no temporary file.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ankigen.cli import main
from conftest import CORPUS, SEED

MESSAGE = re.compile(r"^[^\s:][^:]*(:\d+)?: (error|warning|info): \S.*$")
RECAP = "## Quick Recap\n\n- **Trap:** Staying in your lane.\n"


class Project:
    """<tmp>/decks/s.yaml with decks/s/01-ownership.md, built once into dist/s.apkg."""

    def __init__(self, root: Path):
        self.root = root
        self.scripts = root / "decks" / "s"
        self.scripts.mkdir(parents=True)
        shutil.copy(SEED, self.scripts / SEED.name)
        self.config = root / "decks" / "s.yaml"
        self.config.write_text("name: S\nsources: [s/*.md]\n", encoding="utf-8")
        self.package = root / "dist" / "s.apkg"
        self.lock = root / "decks" / "s.lock.yaml"

    def build(self, *args):
        result = CliRunner().invoke(main, ["build", *map(str, args)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"ankigen crashed: {result.exception!r}\n{result.output}")
        assert "Traceback" not in result.output
        return result

    def files(self) -> dict[str, bytes]:
        return {p.relative_to(self.root).as_posix(): p.read_bytes()
                for p in self.root.rglob("*") if p.is_file() and not p.is_symlink()}

    def refused(self, file: str, line: int | None, *says: str, args=(), code: int = 1) -> str:
        """Build; expect one error line naming ``file`` (and ``line``) and nothing changed."""
        before = self.files()
        assert "dist/s.apkg" in before and "decks/s.lock.yaml" in before
        result = self.build(*args)
        assert result.exit_code == code, result.output
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert len(errors) == 1, result.stderr
        [message] = errors
        assert MESSAGE.match(message), message
        assert message.startswith(f"{file}:{line}: error: " if line else f"{file}: error: "), message
        for text in says:
            assert text in message, message
        assert self.files() == before, "a file changed, or a partial or temporary file was left"
        return message

    def fields(self) -> list[list[str]]:
        with zipfile.ZipFile(self.package) as zf:
            db = zf.read("collection.anki2")
        conn = sqlite3.connect(":memory:")
        conn.deserialize(db)
        rows = conn.execute("SELECT flds, tags FROM notes").fetchall()
        conn.close()
        return [flds.split("\x1f") + [tags] for flds, tags in rows]


@pytest.fixture
def project(monkeypatch, tmp_path) -> Project:
    monkeypatch.chdir(tmp_path)
    p = Project(tmp_path)
    result = p.build()
    assert result.exit_code == 0, result.output
    return p


# ---------------------------------------------------------------- scripts that are refused


BAD_SCRIPTS = {
    "empty": (b"", None, ["the file is empty", "move the file out of the sources"]),
    "blank": (b"\xef\xbb\xbf  \n\n\t\n", None, ["the file is empty"]),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" + bytes(range(256)), None,
               ["a binary file", "offset 8", "remove it from the sources"]),
    "latin-1": ("# Café\n\n## Quick Recap\n\n- **Trap:** déjà vu.\n".encode("latin-1"), 1,
                ["not UTF-8", "byte 0xe9 at offset 5", "save the file as UTF-8"]),
    "latin-1-later": (("# Cafe\n\n" + RECAP + "- **Naïve:** yes.\n").encode("cp1252"), 6,
                      ["offset", "save the file as UTF-8"]),
    "utf-16-without-bom": (("# Title\n\n" + RECAP).encode("utf-16-le"), None,
                           ["UTF-16 without a byte-order mark", "save the file as UTF-8"]),
    "broken-utf-16": (b"\xff\xfe# \x00T\x00" + b"\x00\xd8", None, ["not valid UTF-16 at byte offset", "save the file as UTF-8"]),
    "headings-only": (b"# Title\n\n## Quick Recap\n\n## One-Liner to Remember\n\n## Real-World Examples\n", 1,
                      ["not a video script", "write them, or move the file out of the sources"]),
    "shopping-list": (b"# Groceries\n\n- eggs\n- milk\n", 1,
                      ["not a video script", "add one, or move the file out of the sources"]),
    "same-video-id": (SEED.read_bytes(), 1, ["video id 'ownership' is already used by decks/s/01-ownership.md",
                                             "give one of them a different file name"]),
    "pinned-same-id": (b"---\ntitle: Other\nid: ownership\n---\n\n" + RECAP.encode(), 1,
                       ["video id 'ownership' is already used"]),
    "front-matter-yaml": (b"---\ntitle: [unclosed\n---\n" + RECAP.encode(), 2,
                          ["front matter is not valid YAML"]),
    "front-matter-deep": (b"---\ntitle: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n" + RECAP.encode(), 2,
                          ["nested too deeply"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SCRIPTS))
def test_a_bad_script_is_refused_in_one_line_and_nothing_changes(project, case):
    data, line, says = BAD_SCRIPTS[case]
    name = "02-ownership.md" if case == "same-video-id" else f"02-{case}.md"
    (project.scripts / name).write_bytes(data)
    project.refused(f"decks/s/{name}", line, *says)


def test_python_tags_in_front_matter_are_refused_not_run(project, tmp_path):
    (project.scripts / "02-evil.md").write_text(
        "---\ntitle: !!python/object/apply:os.system ['touch pwned']\n---\n# T\n\n" + RECAP,
        encoding="utf-8")
    project.refused("decks/s/02-evil.md", 2, "front matter is not valid YAML")
    assert not (tmp_path / "pwned").exists()


def test_a_script_over_the_size_limit_is_refused_before_it_is_parsed(project):
    from ankigen.files import MAX_SOURCE_BYTES

    with open(project.scripts / "02-huge.md", "wb") as f:
        f.write(b"# Huge\n\n" + RECAP.encode())
        f.write(b"x" * (MAX_SOURCE_BYTES - 20) + b"\n")
    project.refused("decks/s/02-huge.md", None, f"over {MAX_SOURCE_BYTES // 2**20} MB", "split it")


def test_a_script_that_defeats_the_parser_is_refused_in_bounded_time(project, monkeypatch):
    # Thousands of '***' in an example take the level rules time quadratic in their number.
    monkeypatch.setattr("ankigen.build.READ_SECONDS", 0.5)
    stars = "***" * 20_000
    (project.scripts / "02-stars.md").write_text(
        f"# Stars\n\n## Real-World Examples\n\n**Example 1: {stars}** At L5: \"{stars}\" At L6: \"x\"\n",
        encoding="utf-8")
    started = time.monotonic()
    project.refused("decks/s/02-stars.md", None, "still being read after 0.5 s",
                    "shorten its longest paragraphs")
    assert time.monotonic() - started < 10


def test_an_unreadable_script_is_named_with_what_to_do(project, monkeypatch):
    # Tests run as root, who can read a chmod 000 file: the refusal is simulated.
    import ankigen.files

    secret = project.scripts / "02-secret.md"
    secret.write_text("# Secret\n\n" + RECAP, encoding="utf-8")
    real_open = os.open

    def deny(path, *args, **kwargs):
        if str(path).endswith("02-secret.md"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(ankigen.files.os, "open", deny)
    project.refused("decks/s/02-secret.md", None, "cannot read it (Permission denied)",
                    "chmod u+r")


def test_a_pipe_named_like_a_script_is_refused_without_blocking(project):
    os.mkfifo(project.scripts / "02-pipe.md")
    assert project.build().exit_code == 0  # in a folder or a glob, only files count
    project.refused("decks/s/02-pipe.md", None, "not a regular file",
                    args=[project.scripts / "02-pipe.md"])


# ---------------------------------------------------------------- links


def test_a_link_to_itself_is_refused(project):
    os.symlink("02-loop.md", project.scripts / "02-loop.md")
    project.refused("decks/s/02-loop.md", None, "symbolic link that leads back to itself",
                    "fix or remove the link")


def test_a_broken_link_is_refused_not_skipped(project):
    # Skipped, the video would vanish from the deck and all its notes would be retired.
    os.symlink("nowhere.md", project.scripts / "02-gone.md")
    project.refused("decks/s/02-gone.md", None, "broken symbolic link")


def test_a_link_loop_under_a_recursive_glob_ends(project):
    os.symlink(".", project.scripts / "loop")
    os.symlink("../s", project.scripts / "loop2")
    project.config.write_text("name: S\nsources: ['s/**/*.md']\n", encoding="utf-8")
    started = time.monotonic()
    result = project.build("--json")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 10
    assert '"videos": 1' in result.stdout  # the one script, once


def test_a_link_loop_in_a_folder_build_ends(project):
    os.symlink(".", project.scripts / "loop")
    os.symlink("..", project.scripts / "up")
    result = project.build(project.scripts, "-o", "folder.apkg", "--json")
    assert result.exit_code == 0, result.output
    assert '"videos": 1' in result.stdout


def test_a_recursive_glob_matches_what_glob_matches(tmp_path):
    import glob

    from ankigen.sources import glob_files

    for rel in ("a.md", "x/b.md", "x/y/c.md", ".hidden/d.md", "x/.e.md", "x/y/f.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    for pattern in ("**/*.md", "x/**/*.md", "**", "x/**", "**/y/*", "*/**/c.md", ".hidden/**/*.md"):
        assert sorted(glob_files(tmp_path, pattern)) == sorted(
            m for m in glob.glob(str(tmp_path / pattern), recursive=True) if os.path.isfile(m)), pattern


# ---------------------------------------------------------------- sources outside the project


def test_config_sources_outside_the_project_need_a_flag(project, tmp_path):
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    shutil.copy(CORPUS / "02-trade-offs.md", elsewhere / "02-trade-offs.md")
    pattern = f"../../{elsewhere.name}/*.md"
    project.config.write_text(f"name: S\nsources:\n  - s/*.md\n  - {pattern}\n", encoding="utf-8")
    message = project.refused("decks/s.yaml", 4, f"sources pattern '{pattern}' reaches outside the project",
                              "--allow-outside")
    assert str(elsewhere.resolve() / "02-trade-offs.md") in message
    result = project.build("--allow-outside", "--json")
    assert result.exit_code == 0, result.output
    assert '"videos": 2' in result.stdout


def test_a_link_out_of_the_project_needs_the_flag_too(project, tmp_path):
    elsewhere = tmp_path.parent / f"{tmp_path.name}-secrets"
    elsewhere.mkdir()
    (elsewhere / "notes.md").write_text("# Private\n\n" + RECAP, encoding="utf-8")
    os.symlink(elsewhere / "notes.md", project.scripts / "02-notes.md")
    project.refused("decks/s.yaml", 2, "reaches outside the project", str(elsewhere.resolve()))
    folder = project.build(project.scripts, "-o", "folder.apkg")
    assert folder.exit_code == 1
    assert "decks/s/02-notes.md: error: a link to" in folder.stderr and "--allow-outside" in folder.stderr


@pytest.mark.parametrize("command", ["diff", "check", "preview"])
def test_every_reading_command_refuses_outside_sources_and_takes_the_flag(project, tmp_path, command):
    elsewhere = tmp_path.parent / f"{tmp_path.name}-other"
    elsewhere.mkdir()
    shutil.copy(CORPUS / "02-trade-offs.md", elsewhere / "02-trade-offs.md")
    project.config.write_text(f"name: S\nsources: [s/*.md, ../../{elsewhere.name}/*.md]\n",
                              encoding="utf-8")
    refused = CliRunner().invoke(main, [command])
    assert refused.exit_code == 1 and "--allow-outside" in refused.output
    allowed = CliRunner().invoke(main, [command, "--allow-outside"])
    assert allowed.exit_code == 0, allowed.output


# ---------------------------------------------------------------- deck configs


BAD_CONFIGS = {
    "malformed": ("name: [S\nsources: [s/*.md]\n", 2, ["not valid YAML", "fix the YAML"]),
    "unknown-key": ("name: S\nsources: [s/*.md]\ncolour: red\n", 3,
                    ["unknown key 'colour'", "known keys: name"]),
    "wrong-type": ("name: S\nsources: [s/*.md]\ntags: 5\n", 3, ["'tags' must be a list of strings"]),
    "python-object": ("name: !!python/object/apply:os.system ['touch pwned']\nsources: [s/*.md]\n", 1,
                      ["not valid YAML"]),
    "deep": ("name: S\nsources: [s/*.md]\ntags: " + "[" * 3000 + "]" * 3000 + "\n", 1,
             ["nested too deeply"]),
    "nul": ("\x00name: S\n", None, ["not valid YAML", "special characters are not allowed"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_a_bad_config_is_refused_and_nothing_changes(project, tmp_path, case):
    text, line, says = BAD_CONFIGS[case]
    project.config.write_text(text, encoding="utf-8")
    project.refused("decks/s.yaml", line, *says)
    assert not (tmp_path / "pwned").exists()


def test_a_binary_config_is_refused(project):
    project.config.write_bytes(bytes(range(256)))
    project.refused("decks/s.yaml", None, "a binary file")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_config_with_a_byte_order_mark_is_read(project, encoding):
    project.config.write_bytes("name: S\nsources: [s/*.md]\n".encode(encoding))
    assert project.build().exit_code == 0


# ---------------------------------------------------------------- locks (damage: see test_lock.py)


def test_a_lock_nested_too_deeply_is_refused(project):
    text = project.lock.read_text(encoding="utf-8")
    project.lock.write_text(re.sub(r"^deck: .*$", "deck: " + "[" * 100_000 + "]" * 100_000, text,
                                   flags=re.M), encoding="utf-8")
    project.refused("decks/s.lock.yaml", None, "nested too deeply", "git checkout")


def test_python_tags_in_a_hand_edited_lock_are_refused_not_run(project, tmp_path):
    text = project.lock.read_text(encoding="utf-8")
    project.lock.write_text(text.replace("version: 1", "version: !!python/object/apply:os.system "
                                         "['touch pwned']"), encoding="utf-8")
    project.refused("decks/s.lock.yaml", 4, "not valid YAML")
    assert not (tmp_path / "pwned").exists()


# ---------------------------------------------------------------- outputs that cannot be written


def test_an_unwritable_output_folder_changes_nothing(project, monkeypatch):
    # Root may write anywhere: the refusal is simulated where the file would be created.
    import ankigen.files

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

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


@pytest.mark.parametrize("room", [0, 1000, "package"])
def test_a_full_disk_keeps_the_previous_package_and_lock(project, monkeypatch, room):
    (project.scripts / SEED.name).write_text(
        SEED.read_text(encoding="utf-8").replace("Staying in your lane.", "Staying put."), encoding="utf-8")
    # "package": the new package is written whole, the disk fills up on the lock
    with monkeypatch.context() as disk:
        full_disk(disk, project.package.stat().st_size + 100 if room == "package" else room)
        failed = "decks/s.lock.yaml" if room == "package" else "dist/s.apkg"
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
    note = next(f for f in project.fields() if "Naïve" in f[0])
    assert "déjà vu, 日本語" in note[0] and "Café → Crème" in note[1]


def test_nul_and_the_field_separator_never_reach_a_field(project):
    (project.scripts / "02-control.md").write_bytes(
        b"# Con\x00trol \x1ftitle\n\n## Quick Recap\n\n- **Tr\x1fap:** Stay\x00ing \x1b[31min lane.\n")
    result = project.build()
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if "control character" in line]
    assert warning == ["decks/s/02-control.md:1: warning: control character U+0000 removed (and any "
                       "others); check the file's encoding or delete it"]
    for note in project.fields():
        assert len(note) in (6, 7)  # Cloze: 5 fields, Q/A: 6; and the tags
        assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value) for value in note)


def test_names_titles_tags_and_file_names_are_cleaned(project):
    project.config.write_text('name: "Se\\x1fries\\x00 \\e[2J"\nsources: [s/*.md]\n'
                              'tags: ["a b", "x\\x1fy", "::lead", "a::::b", "q\\"uote"]\n',
                              encoding="utf-8")
    (project.scripts / "02-\x1bodd\x1fname.md").write_text(
        '---\ntitle: "Tit\\x1fle\\x00"\ntags: ["c\\td", "\\u3000e f"]\n---\n\n' + RECAP, encoding="utf-8")
    result = project.build("-o", project.package)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x1f" not in result.output
    notes = project.fields()
    assert len(notes) == 12
    odd = next(n for n in notes if "Staying in your lane" in n[0] and "Title" in n[1])
    assert odd[1].startswith("Series [2J · Title · ")
    assert set(odd[-1].split()) == {"series-2j::odd-name", "recap", "a-b", "xy", "lead", "a::b", "quote",
                                    "cd", "e-f"}
    for note in notes:
        assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value) for value in note)


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
    proc = subprocess.Popen([sys.executable, "-m", "ankigen", *map(str, args)], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
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


@pytest.mark.parametrize(("old", "new", "says"), [
    (r'("guid": )"[^"]*"', r'\1"a b"', "is not a GUID"),
    (r'("guid": )"[^"]*"', r'\1"x\\u001fy"', "is not a GUID"),
    (r'("subdeck": )"S::', r'\1"S\\u001f', "subdeck holds a control character"),
])
def test_a_lock_that_would_put_control_characters_in_the_package_is_refused(project, old, new, says):
    text = project.lock.read_text(encoding="utf-8")
    project.lock.write_text(re.sub(old, new, text, count=1), encoding="utf-8")
    project.refused("decks/s.lock.yaml", None, says, "git checkout")
