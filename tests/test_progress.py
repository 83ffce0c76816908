"""Progress on a terminal for long batches; silence when piped or -q; -v lists videos."""

from __future__ import annotations

import os
import pty

import pytest

from cli import run_process, spawn
from conftest import SEED


@pytest.fixture
def batch(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(1, 26):
        (folder / f"{i:02d}-video.md").write_text(f"---\nid: video-{i}\n---\n" + text, encoding="utf-8")
    return folder


def run_in_terminal(*args, cwd) -> str:
    """Run ankigen with stdout and stderr on a pseudo-terminal; return what it showed."""
    leader, follower = pty.openpty()
    proc = spawn(*args, cwd=cwd, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    assert proc.returncode == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_progress_bar_on_a_terminal(batch, tmp_path):
    shown = run_in_terminal("build", batch, "-o", tmp_path / "b.apkg", cwd=tmp_path)
    assert "Reading scripts" in shown
    assert "25 videos" in shown


def test_silent_when_piped_or_quiet(batch, tmp_path):
    piped = run_process("build", batch, "-o", tmp_path / "b.apkg", cwd=tmp_path)
    assert piped.returncode == 0
    assert "Reading scripts" not in piped.stdout + piped.stderr
    quiet = run_in_terminal("build", batch, "-o", tmp_path / "c.apkg", "-q", cwd=tmp_path)
    assert quiet.strip() == ""


def test_verbose_lists_every_video(batch, tmp_path):
    result = run_process("build", batch, "-o", tmp_path / "b.apkg", "-v", cwd=tmp_path)
    assert result.returncode == 0
    lines = [line for line in result.stdout.splitlines() if "notes," in line and ".md:" in line]
    assert len(lines) == 25
    assert "01-video.md: 001 Ownership: Beyond Your Code: 11 notes, 15 cards" in result.stdout
