"""The cold per-script work of a build: CPU time to read, extract and render each script.

    python benchmarks/parse.py [--videos 1000] [--keep DIR] [--runs 5] [--top 0]

Writes the synthetic series (``generate.py``) and, in this process, reads every
script the way a build does when its cache holds nothing: ``read_video``
(decode, parse, extract) and ``render_all`` (each note's Markdown fields to
HTML), inside the same time limit. Prints the CPU time per script, the best
of ``--runs`` passes (each pass renders from scratch), and with ``--top N``
cProfile's top N functions of one more pass.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from ankigen import render  # noqa: E402
from ankigen.build import read_video  # noqa: E402
from ankigen.config import display_path, load_config  # noqa: E402
from ankigen.files import READ_SECONDS, time_limit  # noqa: E402
from ankigen.levels import Levels  # noqa: E402


def read_all(scripts: list[tuple[Path, bytes]], root: Path, levels: Levels) -> None:
    """Every script read and its fields rendered, as a build without a cache does."""
    render.to_html.cache_clear()
    for file, data in scripts:
        with time_limit(READ_SECONDS, display_path(file)):
            video, _ = read_video(file, root, levels, data)
            notes = video.notes if video is not None else ()
            render.render_all(s for n in notes for s in (n.text, n.back, n.extra))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=0, help="then profile one pass")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="ankigen-parse-"))
    try:
        shutil.rmtree(root / "decks", ignore_errors=True)
        generate.write_series(root, args.videos)
        config = load_config(root / "decks" / f"{generate.DECK_SLUG}.yaml")
        scripts = [(file, file.read_bytes()) for file in config.sources]
        levels = Levels(config.levels)
        best = float("inf")
        for _ in range(args.runs):
            start = time.process_time()
            read_all(scripts, config.root, levels)
            best = min(best, time.process_time() - start)
        print(f"{len(scripts)} scripts: {best * 1000 / len(scripts):.3f} ms of CPU per script "
              f"(best of {args.runs})")
        if args.top:
            profiler = cProfile.Profile()
            profiler.runcall(read_all, scripts, config.root, levels)
            pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(args.top)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
