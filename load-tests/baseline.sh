#!/usr/bin/env bash
# The BEFORE baseline of BENCHMARKS.md: every measurement N times (default 3), interleaved so that
# the machine's noise hits all of them alike; JSON and text into load-tests/target/baseline/.
#   load-tests/baseline.sh [runs] [bundle dir] [sessions file]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-3}"
BUNDLE="${2:-$ROOT/streams-app/src/test/resources/bundles/tiny}"
SESSIONS="${3:-$ROOT/../shared/data/yoochoose/yoochoose-clicks-100k_test.txt}"
OUT="$ROOT/load-tests/target/baseline"
RUN="$ROOT/load-tests/run"
mkdir -p "$OUT"
"$RUN" --help >/dev/null   # builds once if needed
for i in $(seq 1 "$RUNS"); do
  echo "=== run $i/$RUNS" >&2
  "$RUN" jmh -wi 2 -i 3 -w 1 -r 1 -p bundle="$BUNDLE" -rf json -rff "$OUT/jmh-$i.json" \
    'io.insession.load.jmh.*' > "$OUT/jmh-$i.txt" 2>&1
  "$RUN" profile-model --bundle "$BUNDLE" --batch 1,32 > "$OUT/profile-model-$i.txt" 2>/dev/null
  "$RUN" stream --embedded --bundle "$BUNDLE" --sessions "$SESSIONS" --rate 1000 --duration 20 \
    --json "$OUT/fixed1000-$i.json" > "$OUT/fixed1000-$i.txt" 2>"$OUT/fixed1000-$i.log"
  "$RUN" stream --embedded --bundle "$BUNDLE" --sessions "$SESSIONS" --ramp --ramp-start 500 \
    --ramp-step 500 --ramp-max 8000 --step-seconds 8 \
    --json "$OUT/ramp-$i.json" > "$OUT/ramp-$i.txt" 2>"$OUT/ramp-$i.log"
  "$RUN" lookup --embedded --bundle "$BUNDLE" --sessions "$SESSIONS" --concurrency 8 --duration 15 \
    --json "$OUT/lookup-$i.json" > "$OUT/lookup-$i.txt" 2>"$OUT/lookup-$i.log"
done
echo "done: $OUT" >&2
