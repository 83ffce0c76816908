"""Two builds of one deck at the same time: the second waits; the lock never interleaves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

import yaml

from ankigen.lock import END_MARKER
from ankigen.buildlock import exclusive
from cli import run_process, spawn
from conftest import Project


def test_second_build_waits_for_the_first(tmp_path):
    project = Project(tmp_path)
    lock = project.lock
    with exclusive([lock]):
        proc = spawn("build", project.config, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     text=True)
        time.sleep(1.5)
        assert proc.poll() is None, "the second build did not wait"
        assert not lock.exists()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"another build of this deck is running (process {os.getpid()}); waiting for it" in err
    text = lock.read_text(encoding="utf-8")
    assert text.rstrip().endswith(END_MARKER) and yaml.safe_load(text)["notes"]


def test_parallel_builds_leave_one_whole_lock(tmp_path):
    project = Project(tmp_path)
    procs = [spawn("build", "-q", cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    text = project.lock.read_text(encoding="utf-8")
    assert text.count(END_MARKER) == 1
    assert len(yaml.safe_load(text)["notes"]) == 11


# What an older ankigen left behind when killed: worker processes forked while it held the
# deck's lock, which share that lock and outlive it. A build waits a moment for them, then
# refuses, naming them, rather than waiting forever.
HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
if os.fork() == 0:  # the 'worker': keeps the shared lock, outlives its parent
    print(os.getpid(), flush=True)
    time.sleep(120)
    os._exit(0)
time.sleep(0.5)
os._exit(0)  # the 'build' is gone
"""


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="Linux: reads /proc/locks")
def test_a_lock_left_to_orphans_is_never_waited_for_forever(tmp_path):
    project = Project(tmp_path)
    decks = project.config.parent
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(decks)], stdout=subprocess.PIPE, text=True)
    orphan = int(holder.stdout.readline())
    try:
        holder.wait(timeout=10)
        start = time.monotonic()
        proc = run_process("build", cwd=tmp_path, timeout=60)
        assert time.monotonic() - start < 20
        assert proc.returncode == 1, proc.stderr
        assert f"(process {holder.pid}) is gone" in proc.stderr, proc.stderr
        assert f"kill {orphan}" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
        assert not project.lock.exists()
    finally:
        os.kill(orphan, signal.SIGKILL)
    proc = run_process("build", cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
