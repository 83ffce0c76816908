"""Where a build's time goes: wall time per stage, then cProfile's top functions.

    python benchmarks/stages.py [--videos 1000] [--cold] [--keep DIR] [--top 25] [--series shipped]

Writes the synthetic series (``generate.py``) and builds it twice in a
subprocess (the lock, then every video settled in the cache). Then, in this
process, it edits one script as ``bench.py``'s warm run does (with ``--cold``:
deletes the cache instead) and builds with a timer around each stage function
of ``ankigen.build`` that exists, and once more under cProfile. The package is
compressed in a thread (``package: compressed in the thread``); ``write_all`` includes waiting
for it. In a cold build the lock is read while the workers parse, so ``read_lock`` is part of
``load_deck`` there. Stage names follow build.py; a stage it no longer has is skipped.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
import shipped  # noqa: E402

STAGES = ("plan", "load_deck", "read_lock", "assemble", "package_later", "dump_lock", "write_all")
NESTED = {"assemble": ("  assemble: identify",), "package_later": ("  package: compressed in the thread",)}


def timed_build(totals: dict[str, float]) -> float:
    import ankigen.assemble as assemble
    import ankigen.build as build
    import ankigen.package as package

    def wrap(module, name: str, label: str) -> None:
        if not hasattr(module, name):
            return
        inner = getattr(module, name)

        @functools.wraps(inner)
        def timer(*args, **kwargs):
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - start
        setattr(module, name, timer)

    for name in STAGES:
        wrap(build, name, name)
    wrap(assemble, "identify", "  assemble: identify")
    wrap(package, "zipped", "  package: compressed in the thread")
    start = time.perf_counter()
    build.build([])
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cold", action="store_true", help="no cache (a CI checkout), not one script edited")
    parser.add_argument("--series", choices=("synthetic", "shipped"), default="synthetic",
                        help="synthetic scripts (generate.py) or copies of the shipped ones (shipped.py)")
    args = parser.parse_args(argv)
    series = shipped if args.series == "shipped" else generate
    root = args.keep or Path(tempfile.mkdtemp(prefix="ankigen-stages-"))
    try:
        shutil.rmtree(root / "decks", ignore_errors=True)
        series.write_series(root, args.videos)
        for _ in range(2):
            subprocess.run([sys.executable, "-m", "ankigen", "build", "-q"], cwd=root, check=True)
        if args.cold:
            shutil.rmtree(root / "dist" / ".cache")
        else:
            from bench import edit_one_script
            edit_one_script(root / "decks" / series.DECK_SLUG, 0)
        os.chdir(root)
        start = time.perf_counter()
        import ankigen.build  # noqa: F401
        imported = time.perf_counter() - start
        totals: dict[str, float] = {}
        total = timed_build(totals)
        print(f"{args.videos} videos: build {total:.2f} s in process (+ {imported:.2f} s imports)")
        for label in (x for stage in STAGES for x in (stage, *NESTED.get(stage, ())) if x in totals):
            print(f"  {label:<28} {totals[label]:6.2f} s  {totals[label] / total:4.0%}")
        profiler = cProfile.Profile()
        import ankigen.build as build
        if args.cold:
            shutil.rmtree(root / "dist" / ".cache")
        else:
            edit_one_script(root / "decks" / series.DECK_SLUG, 1)
        profiler.runcall(build.build, [])
        stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    finally:
        if not args.keep:
            os.chdir(Path.home())
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
