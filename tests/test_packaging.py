"""Adoption: a maintainer installs ankigen from a wheel or git into their own series'
repository and runs it from there, by hand, in CI and as a pre-commit hook."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

from ankigen.cli import main
from cli import run_process

ROOT = Path(__file__).resolve().parent.parent


def test_pre_commit_hook_runs_a_real_command(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "ankigen-check")
    assert set(hook) <= {"id", "name", "description", "entry", "language", "pass_filenames", "files", "args"}
    assert (hook["language"], hook["pass_filenames"]) == ("python", False)
    program, *command = hook["entry"].split()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert program in scripts and command == ["check"] and "check" in main.commands
    files = re.compile(hook["files"])
    assert all(files.search(p) for p in ("decks/sd.yaml", "decks/sd.lock.yaml", "decks/sd/01-a.md", "x.markdown"))
    assert not any(files.search(p) for p in ("src/x.py", "dist/sd.apkg", "notes.txt"))

    # as pre-commit runs it: from the repository's root, no file names, args appended
    project = tmp_path / "series"
    project.mkdir()
    assert run_process("init", "--series", "Platform Basics", cwd=project).returncode == 0
    clean = run_process(*command, "--strict", cwd=project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    script = project / "decks" / "platform-basics" / "01-first-video.md"
    script.write_text(script.read_text(encoding="utf-8") + "\n- **Broken {{c1::** cloze\n", encoding="utf-8")
    flagged = run_process(*command, "--strict", cwd=project)
    assert flagged.returncode == 1 and "01-first-video.md" in flagged.stdout


def test_the_wheel_holds_the_whole_package_and_works_outside_the_checkout(tmp_path):
    source = tmp_path / "source"  # built from a copy: the checkout is not written to
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--disable-pip-version-check", "-q", str(source), "-w", str(tmp_path / "wheel")],
                           cwd=tmp_path, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel, = (tmp_path / "wheel").glob("ankigen-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        entry_points = next(z.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
        z.extractall(tmp_path / "site")
    package = ROOT / "src" / "ankigen"
    shipped = {f"ankigen/{p.relative_to(package).as_posix()}" for p in package.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert shipped <= names  # every module and data file, not just the .py ones a glob would catch
    assert re.search(r"^ankigen = ankigen\.cli:run$", entry_points, re.M)

    adopt = tmp_path / "my-series"  # a maintainer's own repository, far from this checkout
    adopt.mkdir()
    env = {"PYTHONPATH": str(tmp_path / "site"), "SOURCE_DATE_EPOCH": "1800000000"}
    def ankigen(*args: str) -> subprocess.CompletedProcess:
        return run_process(*args, cwd=adopt, env=env)
    where = subprocess.run([sys.executable, "-c", "import ankigen; print(ankigen.__file__)"], cwd=adopt,
                           env={**os.environ, **env}, capture_output=True, text=True)
    assert where.stdout.strip().startswith(str(tmp_path / "site"))
    assert ankigen("init", "--series", "Platform Basics").returncode == 0
    checked, built = ankigen("check", "--strict"), ankigen("build")
    assert checked.returncode == 0 and built.returncode == 0, checked.stdout + built.stdout + built.stderr
    assert "Platform Basics::001 " in built.stdout
    assert (adopt / "dist" / "platform-basics.apkg").stat().st_size > 0
    assert (adopt / "decks" / "platform-basics.lock.yaml").read_text(encoding="utf-8").endswith(
        "# end of ankigen lock\n")
