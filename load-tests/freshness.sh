#!/usr/bin/env bash
# Issue 15, points 1 and 2, side by side: the app with eager micro-batching (the default) and the
# same app with it off ("fixed-delay": a partial batch waits insession.scoring.batch.max.delay.ms),
# round by round, interleaved. Per round and variant: a fixed 1,000 events/s run (event -> list on a
# read_committed consumer), POST -> list in hand through read-your-writes (`post`, 1,000 POST/s),
# and a ramp from 250 events/s (+250 every 8 s). Then load-tests/compare-summary.py prints medians.
#   load-tests/freshness.sh ROUNDS BUNDLE [SESSIONS]      (OUT=dir, default load-tests/target/freshness)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:?rounds}"
BUNDLE="${2:?bundle dir}"
SESSIONS="${3:-$ROOT/../shared/data/diginetica/diginetica_srgnn_test_sessions.tsv}"
OUT="${OUT:-$ROOT/load-tests/target/freshness}"
RUN="$ROOT/load-tests/run"
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.txt "$OUT"/*.log
"$RUN" --help > /dev/null   # builds once if needed
for i in $(seq 1 "$ROUNDS"); do
  for v in "eager|" "fixed-delay|--app-set insession.scoring.batch.eager=false"; do
    name="${v%%|*}"
    read -r -a args <<< "${v#*|}"
    echo "=== round $i/$ROUNDS: $name (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
    common=(--embedded --sessions "$SESSIONS" --bundle "$BUNDLE" "${args[@]}")
    "$RUN" stream "${common[@]}" --rate 1000 --duration 30 --json "$OUT/fixed-$name-$i.json" \
      > "$OUT/fixed-$name-$i.txt" 2> "$OUT/fixed-$name-$i.log"
    "$RUN" post "${common[@]}" --rate 1000 --duration 20 --json "$OUT/post-$name-$i.json" \
      > "$OUT/post-$name-$i.txt" 2> "$OUT/post-$name-$i.log" || true
    "$RUN" stream "${common[@]}" --ramp --ramp-start 250 --ramp-step 250 --ramp-max 8000 \
      --step-seconds 8 --json "$OUT/ramp-$name-$i.json" > "$OUT/ramp-$name-$i.txt" 2> "$OUT/ramp-$name-$i.log"
  done
done
python3 "$ROOT/load-tests/compare-summary.py" "$OUT"
