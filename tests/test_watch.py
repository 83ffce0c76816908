"""`ankigen build --watch`: rebuilds on change, stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import time

from cli import spawn
from conftest import SEED


def wait_for(predicate, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_watch_rebuilds_on_change_and_stops_on_ctrl_c(seed_folder, tmp_path):
    folder = seed_folder
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out, "w") as fout, open(err, "w") as ferr:
        proc = spawn("build", folder, "-o", tmp_path / "s.apkg", "--watch", cwd=tmp_path,
                     stdout=fout, stderr=ferr, env={"PYTHONUNBUFFERED": "1"})
        try:
            assert wait_for(lambda: "watching" in err.read_text()), err.read_text()
            first = (tmp_path / "s.apkg").read_bytes()
            script = folder / SEED.name
            script.write_text(script.read_text(encoding="utf-8").replace(
                "Staying in your lane.", "Staying inside your lane."), encoding="utf-8")
            assert wait_for(lambda: "1 changed" in out.read_text()), out.read_text() + err.read_text()
            assert (tmp_path / "s.apkg").read_bytes() != first
            # a broken edit is reported and the watch goes on
            script.write_bytes(b"\xff\xfe\x00broken")
            assert wait_for(lambda: "nothing was written" in err.read_text()), err.read_text()
            assert proc.poll() is None
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in err.read_text()
    assert "stopped" in err.read_text()
