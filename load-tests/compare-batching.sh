#!/usr/bin/env bash
# Side-by-side AFTER measurement of BENCHMARKS.md: scoring each event at once (batch 1, the
# BEFORE topology) against micro-batched scoring (the default), same bundle, same data, rounds
# interleaved so that the machine's noise hits both alike; plus JMH of the scoring path and the
# lookup API. Text and JSON into load-tests/target/compare/.
#   load-tests/compare-batching.sh [rounds] [bundle dir] [sessions file]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-3}"
BUNDLE="${2:-$ROOT/streams-app/src/main/resources/io/insession/demo/bundle}"
SESSIONS="${3:-$ROOT/../shared/data/yoochoose/yoochoose-clicks-100k_test.txt}"
OUT="$ROOT/load-tests/target/compare"
RUN="$ROOT/load-tests/run"
mkdir -p "$OUT"
"$RUN" --help >/dev/null   # builds once if needed
"$RUN" jmh -f 1 -wi 2 -i 3 -w 1 -r 2 -p bundle="$BUNDLE" -rf json -rff "$OUT/jmh.json" \
  'io.insession.load.jmh.StepAllBenchmark' > "$OUT/jmh.txt" 2>&1
for i in $(seq 1 "$ROUNDS"); do
  for batch in 1 64; do
    echo "=== round $i/$ROUNDS, batch $batch" >&2
    "$RUN" stream --embedded --bundle "$BUNDLE" --sessions "$SESSIONS" --rate 1000 --duration 20 \
      --app-set insession.scoring.batch.max.size=$batch \
      --json "$OUT/fixed1000-b$batch-$i.json" > "$OUT/fixed1000-b$batch-$i.txt" 2>"$OUT/fixed1000-b$batch-$i.log"
    "$RUN" stream --embedded --bundle "$BUNDLE" --sessions "$SESSIONS" --ramp --ramp-start 500 \
      --ramp-step 500 --ramp-max 8000 --step-seconds 8 \
      --app-set insession.scoring.batch.max.size=$batch \
      --json "$OUT/ramp-b$batch-$i.json" > "$OUT/ramp-b$batch-$i.txt" 2>"$OUT/ramp-b$batch-$i.log"
  done
  "$RUN" lookup --embedded --bundle "$BUNDLE" --sessions "$SESSIONS" --concurrency 8 --duration 15 \
    --json "$OUT/lookup-$i.json" > "$OUT/lookup-$i.txt" 2>"$OUT/lookup-$i.log"
done
grep -h -A1 "target/s" "$OUT"/fixed1000-*.txt "$OUT"/ramp-*.txt | grep -v -- "--" || true
grep -h "sustained rate\|GET/s" "$OUT"/*.txt || true
echo "done: $OUT" >&2
