"""Two builds of one deck at the same time: the second waits; the lock never interleaves."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import yaml

from ankigen.lock import END_MARKER
from ankigen.package import exclusive
from conftest import SEED


def test_second_build_waits_for_the_first(tmp_path):
    decks = tmp_path / "decks"
    (decks / "s").mkdir(parents=True)
    shutil.copy(SEED, decks / "s" / SEED.name)
    config = decks / "s.yaml"
    config.write_text("name: S\nsources: [s/*.md]\n", encoding="utf-8")
    lock = decks / "s.lock.yaml"
    with exclusive([lock]):
        proc = subprocess.Popen([sys.executable, "-m", "ankigen", "build", str(config)], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert proc.poll() is None, "the second build did not wait"
        assert not lock.exists()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "waiting" in err
    text = lock.read_text(encoding="utf-8")
    assert text.rstrip().endswith(END_MARKER) and yaml.safe_load(text)["notes"]


def test_parallel_builds_leave_one_whole_lock(tmp_path):
    decks = tmp_path / "decks"
    (decks / "s").mkdir(parents=True)
    shutil.copy(SEED, decks / "s" / SEED.name)
    (decks / "s.yaml").write_text("name: S\nsources: [s/*.md]\n", encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, "-m", "ankigen", "build", "-q"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    text = (decks / "s.lock.yaml").read_text(encoding="utf-8")
    assert text.count(END_MARKER) == 1
    assert len(yaml.safe_load(text)["notes"]) == 11
