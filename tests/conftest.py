from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from anki_helpers import PackagedNote, package_notes
from cli import invoke

# Hypothesis profiles. "default": no deadline (a slow machine is not a bug); each test
# sets its own number of examples. "long", for release checks
# (python -m pytest --hypothesis-profile=long tests/test_fuzz.py): 100,000 examples
# for each fuzz test in tests/test_fuzz.py.
settings.register_profile("default", deadline=None, derandomize=True)  # CI: the same examples each run
settings.register_profile("long", deadline=None, max_examples=100_000)
settings.load_profile("default")

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus" / "staff-engineering"
SEED = CORPUS / "01-ownership.md"


# `file:line: severity: message`, the line number optional; one line each
MESSAGE = re.compile(r"^[^\s:][^:]*(:\d+)?: (error|warning|info): \S.*$")
RECAP = "## Quick Recap\n\n- **Trap:** Staying in your lane.\n"


@pytest.fixture
def run(monkeypatch, tmp_path):
    """Run the CLI in a temporary working folder: run("build", "x.yaml") → Result."""
    monkeypatch.chdir(tmp_path)
    return invoke


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (a link is not followed): its path from ``root`` → its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


class Project:
    """An author's project: <root>/decks/<folder>.yaml naming <root>/decks/<folder>/*.md,
    a copy of ``scripts``. Nothing is built until ``build``; the CLI runs in the current
    folder."""

    def __init__(self, root: Path, scripts=(SEED,), name: str = "S", folder: str = "s"):
        self.root = root
        self.scripts = root / "decks" / folder
        self.scripts.mkdir(parents=True)
        for script in scripts:
            shutil.copy(script, self.scripts / script.name)
        self.config = root / "decks" / f"{folder}.yaml"
        self.config.write_text(f"name: {name}\nsources: [{folder}/*.md]\n", encoding="utf-8")
        self.package = root / "dist" / f"{name.lower().replace(' ', '-')}.apkg"
        self.lock = root / "decks" / f"{folder}.lock.yaml"

    def script(self, name: str = SEED.name) -> Path:
        return self.scripts / name

    def edit(self, old: str, new: str, name: str = SEED.name) -> None:
        """Replace the first ``old`` in a script with ``new``."""
        path = self.script(name)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def build(self, *args, env: dict[str, str] | None = None):
        self.last = invoke("build", *args, env=env)
        return self.last

    def files(self) -> dict[str, bytes]:
        return snapshot(self.root)

    def refused(self, file: str, line: int | None, *says: str, args=(), code: int = 1) -> str:
        """Build; expect what every refusal does: one line that names ``file`` (and
        ``line``, where there is one) and says ``says``; exit ``code`` (1, 2 for usage); no
        traceback; every file as it was (the previous package and lock byte for byte, no
        partial package, no temporary file)."""
        before = self.files()
        assert self.package.relative_to(self.root).as_posix() in before
        assert self.lock.relative_to(self.root).as_posix() in before
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

    def notes(self) -> list[PackagedNote]:
        return package_notes(self.package)


TWO = (CORPUS / "01-ownership.md", CORPUS / "02-trade-offs.md")


def pytest_configure(config):
    config.addinivalue_line("markers", "project(scripts, name, folder, built=True): the shape of "
                            "the `project` fixture (a module sets it with pytestmark)")


@pytest.fixture
def project(request, monkeypatch, tmp_path) -> Project:
    """<tmp>/decks/s.yaml with decks/s/01-ownership.md, built once into dist/s.apkg; the
    CLI runs in <tmp>. A module or test marked ``pytest.mark.project(...)`` gets that
    shape instead (see Project), built once unless ``built=False``."""
    marker = request.node.get_closest_marker("project")
    kwargs = dict(marker.kwargs) if marker else {}
    built = kwargs.pop("built", True)
    monkeypatch.chdir(tmp_path)
    p = Project(tmp_path, *(marker.args if marker else ()), **kwargs)
    if built:
        result = p.build()
        assert result.exit_code == 0, result.output
    return p


@pytest.fixture
def series(tmp_path) -> Path:
    """A copy of the staff-engineering series, not built: <tmp>/decks/staff-engineering.yaml."""
    return Project(tmp_path, sorted(CORPUS.glob("*.md")), "Staff Engineering", "staff-engineering").config


@pytest.fixture
def seed_folder(tmp_path) -> Path:
    """<tmp>/staff-engineering/ holding the seed script, and no config."""
    folder = tmp_path / "staff-engineering"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


def edit_one_of_each(script: Path) -> None:
    """Edit the seed as an author would, once of each kind a diff reports: reword the
    Trap bullet (changed), add Blast radius (added), rename the 2 AM prompt slightly
    (renamed), delete the At L6 bullet (retired)."""
    text = script.read_text(encoding="utf-8")
    text = text.replace("Staying in your lane.", "Staying inside your lane.")
    text = text.replace("- **Cross-team:**", "- **Blast radius:** Count who can break.\n- **Cross-team:**")
    text = text.replace("**2 AM page for a dependency?**", "**2 AM page for someone else's dependency?**")
    text = text.replace("- **At L6:** You own the outcome. Not just your PRs. Reliability. On-call. "
                        "Migration.\n", "")
    script.write_text(text, encoding="utf-8")
