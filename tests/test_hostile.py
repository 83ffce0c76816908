"""Hostile and broken input: scripts, links, sources outside the project, deck configs
and locks. Each is refused in one line that names the file and what to do, and leaves
every file as it was (see Project.refused in tests/conftest.py); outputs and what builds: test_hostile_builds.py.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import time

import pytest

from cli import invoke
from conftest import CORPUS, RECAP, SEED


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
    "headings-only": (b"# Title\n\n## Quick Recap\n\n## One-Liner to Remember\n\n## Real-World Examples\n", 3,
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
    # a file that is not a script is refused only when its notes are in the lock
    name = {"same-video-id": "02-ownership.md", "headings-only": SEED.name,
            "shopping-list": SEED.name}.get(case, f"02-{case}.md")
    (project.scripts / name).write_bytes(data)
    project.refused(f"decks/s/{name}", line, *says)


@pytest.mark.parametrize(("front", "line", "says"), [
    ("title: A\nid: x\ntitle: B\n", 4, "'title' is given twice (first at line 2); keep one"),
    ("title: 'A: b'\nid: x\ntitle: B\n", 4, "'title' is given twice (first at line 2)"),
    ("title: [A\nid: x\n", 2, "a '[' opened at line 2 is never closed"),
])
def test_front_matter_mistakes_are_named_at_their_line(project, front, line, says):
    (project.scripts / "02-front.md").write_text(f"---\n{front}---\n# T\n\n" + RECAP, encoding="utf-8")
    project.refused("decks/s/02-front.md", line, "front matter is not valid YAML", says)


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


def test_a_script_that_defeats_the_parser_is_refused_in_bounded_time(project):
    # Thousands of '***' just before a level's label in an example take the level rules time
    # quadratic in their number.
    from ankigen.build import Options, build
    from ankigen.errors import AnkigenError

    stars = "***" * 20_000
    (project.scripts / "02-stars.md").write_text(
        f"# Stars\n\n## Real-World Examples\n\n**Example 1: {stars}** {stars}At L5: \"{stars}\" At L6: \"x\"\n",
        encoding="utf-8")
    before = project.files()
    started = time.monotonic()
    with pytest.raises(AnkigenError) as refused:
        build([], Options(read_seconds=0.5))
    assert time.monotonic() - started < 10
    [error] = [d for d in refused.value.diagnostics if d.severity == "error"]
    assert (error.file, error.line) == ("decks/s/02-stars.md", None), error
    assert "still being read after 0.5 s" in error.message and "shorten its longest paragraphs" in error.message
    assert project.files() == before


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
    refused = invoke(command)
    assert refused.exit_code == 1 and "--allow-outside" in refused.output
    allowed = invoke(command, "--allow-outside")
    assert allowed.exit_code == 0, allowed.output


# ---------------------------------------------------------------- deck configs


BAD_CONFIGS = {
    "malformed": ("name: [S\nsources: [s/*.md]\n", 1, ["not valid YAML", "'[' opened at line 1 is never closed",
                                                         "fix the YAML"]),
    # a key given twice: PyYAML keeps the last silently
    "duplicate-key": ("name: S\nsources: [s/*.md]\nname: T\n", 3, ["'name' is given twice (first at line 1)"]),
    "duplicate-nested": ("name: S\nsources: [s/*.md]\ntags: [{a: 1, a: 2}]\n", 3, ["'a' is given twice"]),
    # YAML mistakes, at the line of the mistake, in plain words
    "no-colon": ("name S\nsources: [s/*.md]\n", 1, ["no ':' after the key"]),
    "key-alone": ("name: S\nsources\ntags: [a]\n", 2, ["no ':' after the key"]),
    "over-indented": ("name: S\n  sources: [s/*.md]\n", 2, ["indented more than the line above"]),
    "value-first": ("'S'\nname: S\nsources: [s/*.md]\n", 1, ["a value with no key"]),
    "indented": ("name: S\nsources: [s/*.md]\n  tags: [a]\n", 3, ["indented more than the key above"]),
    "unclosed-quote": ("name: \"S\nsources: [s/*.md]\n", 1, ["a quote opened at line 1 is never closed"]),
    "second-colon": ("name: S: T\nsources: [s/*.md]\n", 1, ["put the value in quotes"]),
    "tab": ("name: S\nsources:\n\t- s/*.md\n", 3, ["a tab; indent with spaces"]),
    "stray-bracket": ("name: S\nsources: [s/*.md]]\n", 2, ["a ']' that closes no '['"]),
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


@pytest.mark.parametrize(("old", "new", "says", "at_the_line"), [
    (r'("guid": )"[^"]*"', r'\1"a b"', "is not a GUID", True),  # a note: its line is named
    (r'("guid": )"[^"]*"', r'\1"x\\u001fy"', "is not a GUID", True),
    (r'("subdeck": )"S::', r'\1"S\\u001f', "subdeck holds a control character", True),
])
def test_a_lock_that_would_put_control_characters_in_the_package_is_refused(project, old, new, says,
                                                                            at_the_line):
    text = project.lock.read_text(encoding="utf-8")
    line = text[:re.search(old, text).start()].count("\n") + 1 if at_the_line else None
    project.lock.write_text(re.sub(old, new, text, count=1), encoding="utf-8")
    project.refused("decks/s.lock.yaml", line, says, "git checkout")


def test_the_project_is_the_folder_above_the_configs_folder_however_it_is_named(tmp_path, monkeypatch):
    (tmp_path / "work" / "scripts").mkdir(parents=True)
    shutil.copy(SEED, tmp_path / "work" / "scripts" / SEED.name)
    (tmp_path / "work" / "decks").mkdir()
    (tmp_path / "work" / "decks" / "s.yaml").write_text("name: S\nsources: [../scripts/*.md]\n",
                                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work" / "decks")
    assert invoke("build", "s.yaml", "-o", "a.apkg").exit_code == 0


def test_a_pattern_that_climbs_out_through_a_link_is_outside(project, tmp_path):
    elsewhere = tmp_path.parent / f"{tmp_path.name}-deep" / "inner"
    elsewhere.mkdir(parents=True)
    shutil.copy(CORPUS / "02-trade-offs.md", elsewhere.parent / "02-trade-offs.md")
    os.symlink(elsewhere, project.root / "decks" / "link")
    # lexically decks/link/../*.md is decks/*.md; really it is the folder above 'inner'
    project.config.write_text("name: S\nsources: [s/*.md, link/../*.md]\n", encoding="utf-8")
    project.refused("decks/s.yaml", 2, "reaches outside the project", "-deep/02-trade-offs.md")


# Values a lock can hold only when edited by hand, each of which built a broken deck: a
# cloze number Anki makes no card for, ids or times that cannot be.
@pytest.mark.parametrize(("old", "new", "says"), [
    (r'("clozes": \{"[^"]*": )\d+', r"\g<1>0", "cloze '"),  # the note would lose its card
    (r'("clozes": \{"[^"]*": )\d+', r"\g<1>10000", "10000 is impossible"),  # an empty card 9999
    (r'("clozes": \{"[^"]*": )\d+', r"\g<1>-3", "-3 is impossible"),  # broken text on the card
    (r"^(id_base: )\d+", r"\g<1>-1", "id_base -1 is impossible"),  # Anki: "No such notetype"
    (r'^(  "[^"]*/[^"]*": \{"guid": "[^"]*", "hash": "[^"]*", "mod": )\d+', r"\g<1>-5", "mod -5"),
    (r'^(  "[^"]*/[^"]*": \{"guid": "[^"]*", "hash": "[^"]*", "mod": )\d+', r"\g<1>9223372036854775808",
     "mod 9223372036854775808 is impossible"),  # was an OverflowError
    (r'("look": "[^"]*", "mod": )\d+', r"\g<1>-1", "note type mod -1"),
])
def test_impossible_values_in_a_lock_are_refused_at_their_line(project, old, new, says):
    text = project.lock.read_text(encoding="utf-8")
    m = re.search(old, text, re.M)
    line = text[:m.start()].count("\n") + 1
    project.lock.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")
    project.refused("decks/s.lock.yaml", line, says, "git checkout")
    shutil.rmtree(project.root / "dist" / ".cache")  # and when nothing comes from the cache
    project.refused("decks/s.lock.yaml", line, says, "git checkout")


def test_an_impossible_value_in_a_lock_edited_into_block_yaml_is_refused_at_its_line(project):
    import yaml

    raw = yaml.safe_load(project.lock.read_text(encoding="utf-8"))
    key = sorted(raw["notes"])[3]
    raw["notes"][key]["mod"] = -5
    text = yaml.safe_dump(raw, sort_keys=True, allow_unicode=True) + "# end of ankigen lock\n"
    project.lock.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, line in enumerate(lines, 1) if line.strip().startswith(f"{key}:"))  # its entry
    project.refused("decks/s.lock.yaml", line, f"note {key} mod -5 is impossible")


# Messages that pointed at the wrong fault.
def test_o_naming_a_file_says_a_folder_or_an_apkg_was_meant(project):
    (project.root / "notes.txt").write_text("mine\n", encoding="utf-8")
    message = project.refused("notes.txt/s.apkg", None, "-o takes a folder, or a path ending in .apkg",
                              args=("-o", "notes.txt"))
    assert "check the disk" not in message


def test_lock_naming_a_script_never_says_delete_it(project):
    message = project.refused("decks/s/01-ownership.md", None, "not an ankigen lock file", "--lock",
                              args=("--lock", "decks/s/01-ownership.md"))
    assert "delete" not in message


def test_a_private_use_character_is_not_called_a_control_character(project):
    script = project.scripts / SEED.name
    script.write_text(script.read_text(encoding="utf-8").replace("Each level expands.", "Each \ue000 expands."),
                      encoding="utf-8")
    result = project.build()
    assert result.exit_code == 0, result.output
    [warning] = [line for line in result.stderr.splitlines() if "U+E000" in line]
    assert "private-use character U+E000 removed" in warning and "control character" not in warning


def test_a_note_given_twice_in_a_lock_is_refused_at_its_second_line(project):
    """As a merge resolved by keeping both sides: one of two GUIDs would be lost silently."""
    text = project.lock.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith('  "ownership/recap/'))
    twin = lines[at].replace('"guid": "', '"guid": "x', 1)
    project.lock.write_text("".join(lines[:at + 1] + [twin] + lines[at + 1:]), encoding="utf-8")
    project.refused("decks/s.lock.yaml", at + 2, "is given twice", f"at lines {at + 1} and {at + 2}")


def test_a_key_given_twice_in_a_lock_edited_into_block_yaml_is_refused_at_its_line(project):
    import yaml

    raw = yaml.safe_load(project.lock.read_text(encoding="utf-8"))
    text = yaml.safe_dump(raw, sort_keys=True, allow_unicode=True) + "# end of ankigen lock\n"
    text = text.replace("\nid_base:", "\ndeck: T\nid_base:", 1)
    project.lock.write_text(text, encoding="utf-8")
    line = text.splitlines().index("deck: T") + 1
    project.refused("decks/s.lock.yaml", line, "'deck' is given twice")
