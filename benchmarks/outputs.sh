#!/usr/bin/env bash
# The bytes a build writes, as SHA-256s, for checking that a refactor changes none of them:
#   benchmarks/outputs.sh BEFORE.txt            (on the old commit)
#   benchmarks/outputs.sh AFTER.txt && diff BEFORE.txt AFTER.txt
# Builds, with a fixed SOURCE_DATE_EPOCH: the shipped series (cold, then again); both test
# corpora as folders (first build, rebuild); the 1,000-video benchmark series (first build,
# cold without a cache, one script edited, again: workers included); and 1,000 videos made
# from the shipped scripts (first build, cold). About 10 s. Uses the python on PATH (or $PYTHON).
set -eu
OUT=$(realpath -m "$1"); ROOT=$(cd "$(dirname "$0")/.." && pwd); PY=${PYTHON:-python}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export SOURCE_DATE_EPOCH=1700000000 XDG_CACHE_HOME=$W/xdg
: > "$OUT"
h() { for f in "$@"; do echo "$(sha256sum < "$f" | cut -c1-16) $(basename "$PWD")/$f" >> "$OUT"; done; }
mkdir -p "$W/shipped" && cp -r "$ROOT/decks" "$W/shipped/decks"
(cd "$W/shipped" && $PY -m ankigen build -q && h dist/*.apkg decks/*.lock.yaml \
 && rm -rf dist && $PY -m ankigen build -q && h dist/*.apkg decks/*.lock.yaml)
for c in staff-engineering system-design; do
  mkdir -p "$W/$c" && cp -r "$ROOT/tests/corpus/$c" "$W/$c/$c"
  (cd "$W/$c" && $PY -m ankigen build -q $c && h dist/$c.apkg $c.lock.yaml \
   && SOURCE_DATE_EPOCH=1700000500 $PY -m ankigen build -q $c && h dist/$c.apkg $c.lock.yaml)
done
$PY "$ROOT/benchmarks/generate.py" "$W/bench" --videos 1000 > /dev/null
(cd "$W/bench" && $PY -m ankigen build -q && h dist/*.apkg decks/*.lock.yaml
 rm -rf dist xdg && SOURCE_DATE_EPOCH=1700000100 $PY -m ankigen build -q && h dist/*.apkg decks/*.lock.yaml
 f=$(ls decks/synthetic/*.md | head -1); sed -i '0,/^- \*\*/s//- **Edited** and /' "$f"
 SOURCE_DATE_EPOCH=1700000200 $PY -m ankigen build -q && h dist/*.apkg decks/*.lock.yaml
 SOURCE_DATE_EPOCH=1700000300 $PY -m ankigen build -q && h dist/*.apkg decks/*.lock.yaml)
$PY "$ROOT/benchmarks/shipped.py" "$W/s1000" 1000 > /dev/null
(cd "$W/s1000" && $PY -m ankigen build -q && h dist/*.apkg decks/*.lock.yaml \
 && rm -rf dist xdg && SOURCE_DATE_EPOCH=1700000100 $PY -m ankigen build -q && h dist/*.apkg decks/*.lock.yaml)
echo "wrote $OUT ($(wc -l < "$OUT") hashes)"
