"""The project every hostile-input test starts from, and how a refusal is checked.

A deck is built once; the test then adds its bad input and expects the build to
say what is wrong in one line that names the file (and the line, where there is
one) and what to do; exit 1 (2 for usage); print no traceback; and leave every
file as it was: the previous package and lock byte for byte, no partial package,
no temporary file.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ankigen.cli import main
from conftest import SEED

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

