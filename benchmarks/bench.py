"""How a whole ``ankigen build`` compares with the floor, at series scale (issue 5).

    python benchmarks/bench.py --videos 100 1000 [--runs 5] [--keep DIR] [--series shipped]

For each N it writes a synthetic series (``generate.py``; with ``--series shipped``,
N copies of the shipped scripts, ``shipped.py``), builds it once to
create whatever state a build leaves beside the sources (the lock), keeps a
pristine copy of ``decks/``, dumps the built notes for the floor
(``floor.py --dump``), then repeats, alternating:

- cold: ``decks/`` restored, ``dist/`` and the cache folder removed, then
  ``python -m ankigen build -q`` (a CI checkout: sources and lock, no cache);
- floor: ``python benchmarks/floor.py`` writing the same notes with plain genanki;
- warm: one script edited (a word added to a recap bullet), then the same build
  again, over whatever the cold build left (``dist/``, a cache if there is one).

Every measurement is a whole process: wall seconds, and peak RSS of the process
and its children. Medians are printed as a Markdown table, with ratios to the
floor and the growth from the smallest to the largest N, and ``ankigen --help``.
Builds run with ``XDG_CACHE_HOME`` pointed into the work folder, so a cold
build never finds a user-level cache either.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import shipped  # noqa: E402
from floor import dump  # noqa: E402

SERIES = {"synthetic": generate, "shipped": shipped}

TARGETS = {"cold": 3.0, "warm": 1.5, "growth": 11.0, "rss_mb": 150.0, "help_s": 0.15}


@dataclass
class Run:
    seconds: float
    rss_mb: float


@dataclass
class Result:
    videos: int
    notes: int = 0
    first: Run | None = None
    runs: dict[str, list[Run]] = field(default_factory=lambda: {"cold": [], "warm": [], "floor": []})

    def median(self, kind: str) -> float:
        return statistics.median(r.seconds for r in self.runs[kind])

    def peak_rss(self, kind: str) -> float:
        return max(r.rss_mb for r in self.runs[kind])


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run a whole process; wall time and the peak RSS of its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sampler = _TreeRss(proc.pid)
    sampler.start()
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{output.decode(errors='replace')}")
    # ru_maxrss (KiB on Linux) is the largest single process; the sampler adds up a tree of workers.
    return Run(seconds, max(usage.ru_maxrss / 1024, sampler.peak_mb))


class _TreeRss(threading.Thread):
    """Samples the summed RSS of a process and its descendants every 20 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self._done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.02):
            self.peak_mb = max(self.peak_mb, sum(_rss_mb(p) for p in _tree(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def edit_one_script(folder: Path, turn: int) -> Path:
    """Add a word to the last recap bullet of one script, as an author fixing a line would."""
    scripts = sorted(folder.glob("*.md"))
    path = scripts[(turn * 7919 + len(scripts) // 2) % len(scripts)]
    text = path.read_bytes().decode("utf-8")
    head, sep, tail = text.rpartition("\n- **")
    if not sep:
        head, sep, tail = text.rpartition("\n* **")
    line, nl, rest = tail.partition("\n")
    path.write_bytes((head + sep + line.rstrip("\r") + f" Edited {turn}."
                      + ("\r" if line.endswith("\r") else "") + nl + rest).encode("utf-8"))
    return path


def bench(videos: int, runs: int, root: Path, series=generate) -> Result:
    work = root / f"series-{videos}"
    shutil.rmtree(work, ignore_errors=True)
    env = child_env(XDG_CACHE_HOME=str(work / "xdg-cache"))
    series.write_series(work, videos)
    build = [sys.executable, "-m", "ankigen", "build", "-q"]
    result = Result(videos)

    def clean():
        shutil.rmtree(work / "dist", ignore_errors=True)
        shutil.rmtree(work / "xdg-cache", ignore_errors=True)

    result.first = measure(build, work, env)  # no lock, no cache: the very first build
    apkg = max((work / "dist").glob("*.apkg"), key=lambda p: p.stat().st_size)  # the whole deck
    notes_json = root / f"notes-{videos}.json"
    result.notes = dump(apkg, notes_json)
    pristine = root / f"pristine-{videos}"
    shutil.rmtree(pristine, ignore_errors=True)
    shutil.copytree(work / "decks", pristine)
    floor = [sys.executable, str(HERE / "floor.py"), str(notes_json), str(root / "floor.apkg")]
    for turn in range(runs):
        shutil.rmtree(work / "decks")
        shutil.copytree(pristine, work / "decks")
        clean()
        result.runs["cold"].append(measure(build, work, env))
        result.runs["floor"].append(measure(floor, work, env))
        edit_one_script(work / "decks" / series.DECK_SLUG, turn)
        result.runs["warm"].append(measure(build, work, env))
        print(f"  {videos} videos, run {turn + 1}/{runs}: cold {result.runs['cold'][-1].seconds:.2f} s, "
              f"floor {result.runs['floor'][-1].seconds:.2f} s, "
              f"warm {result.runs['warm'][-1].seconds:.2f} s", file=sys.stderr)
    return result


def child_env(**extra: str) -> dict[str, str]:
    """The environment of measured processes: bytecode cached as after an install."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def help_seconds(runs: int, env: dict[str, str]) -> float:
    exe = Path(sys.executable).with_name("ankigen")
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "ankigen", "--help"]
    return statistics.median(measure(cmd, Path.cwd(), env).seconds for _ in range(runs))


def machine() -> str:
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = []
    for dist in ("ankigen", "genanki", "markdown", "pyyaml"):
        try:
            from importlib.metadata import version
            versions.append(f"{dist} {version(dist)}")
        except Exception:
            pass
    return (f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {model}; "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}; "
            + ", ".join(versions))


def table(results: list[Result], help_s: float) -> str:
    rows = ["| videos | notes | first build s | cold s | warm s | floor s | cold/floor | warm/floor "
            "| peak RSS MB (build / floor) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        floor = r.median("floor")
        rows.append(
            f"| {r.videos:,} | {r.notes:,} | {r.first.seconds:.2f} | {r.median('cold'):.2f} "
            f"| {r.median('warm'):.2f} | {floor:.2f} | {r.median('cold') / floor:.1f}× "
            f"| {r.median('warm') / floor:.1f}× "
            f"| {max(r.peak_rss('cold'), r.peak_rss('warm'), r.first.rss_mb):.0f} / {r.peak_rss('floor'):.0f} |")
    lines = ["\n".join(rows), ""]
    if len(results) > 1:
        a, b = results[0], results[-1]
        scale = b.videos / a.videos
        growth = ", ".join(f"{kind} {b.median(kind) / a.median(kind):.1f}×"
                           for kind in ("cold", "warm", "floor"))
        lines.append(f"Growth from {a.videos:,} to {b.videos:,} videos ({scale:.0f}×): {growth}")
    lines.append(f"`ankigen --help`: {help_s:.3f} s (median)")
    lines.append("")
    lines.append(verdict(results, help_s))
    return "\n".join(lines)


def verdict(results: list[Result], help_s: float) -> str:
    big = results[-1]
    floor = big.median("floor")
    checks = [
        (f"cold ≤ {TARGETS['cold']}× floor", big.median("cold") / floor <= TARGETS["cold"]),
        (f"warm ≤ {TARGETS['warm']}× floor", big.median("warm") / floor <= TARGETS["warm"]),
        (f"peak RSS ≤ {TARGETS['rss_mb']:.0f} MB",
         max(big.peak_rss("cold"), big.peak_rss("warm")) <= TARGETS["rss_mb"]),
        (f"--help ≤ {TARGETS['help_s']} s", help_s <= TARGETS["help_s"]),
    ]
    if len(results) > 1:
        small = results[0]
        allowed = TARGETS["growth"] * (big.videos / small.videos) / 10
        checks.append((f"growth ≤ {allowed:.1f}× (cold)",
                       big.median("cold") / small.median("cold") <= allowed))
    return f"Targets at {big.videos:,} videos: " + "; ".join(
        f"{name}: {'met' if ok else 'NOT met'}" for name, ok in checks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (median)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--series", choices=sorted(SERIES), default="synthetic",
                        help="synthetic scripts (generate.py) or copies of the shipped ones (shipped.py)")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="ankigen-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    print(machine(), f"series: {args.series}", flush=True)
    try:
        results = []
        for n in sorted(args.videos):
            results.append(bench(n, args.runs, root, SERIES[args.series]))
        help_s = help_seconds(max(args.runs, 10), child_env())
        print(table(results, help_s))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
