#!/usr/bin/env bash
# Soak: `insession run` at a steady rate for a long time, sampled over time (issue 14, point 7).
#
#   load-tests/soak.sh [minutes] [events/s] [sample seconds]     # default 30 min, 200/s, 60 s
#
# The generator (`load-tests/run stream --embedded`: a broker in its JVM, the app as a child
# process, the yoochoose test sessions replayed) runs for the given minutes; meanwhile
# load-tests/soak-sample.py reads the app's /metrics every interval and prints one row: heap,
# direct buffers, the app's resident set (native memory: RocksDB, ONNX Runtime), RocksDB's block
# cache and memtables, the consumer lag, events in, lists out and dead letters in the interval,
# and the end-to-end latency p50/p99 of the interval's lists (histogram buckets: the value is the
# bucket's upper bound). The generator's own report (latency over the whole run, lists per event)
# follows at the end. Flat memory, bounded lag and in = lists + dead letters are what to look for.
#
# Environment: METRICS_PORT (default 19181, the app's metrics port), SOAK_ARGS (more generator
# options, e.g. "--app-set insession.scoring.batch.max.size=32"). Bad records are not mixed in
# (the generator sends only valid events).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES="${1:-30}"
RATE="${2:-200}"
EVERY="${3:-60}"
PORT="${METRICS_PORT:-19181}"
WORK="$(mktemp -d -t insession-soak-XXXXXX)"
read -r -a EXTRA <<< "${SOAK_ARGS:-}"

echo "soak.sh: ${MINUTES} min at ${RATE} events/s, a sample every ${EVERY} s; logs in $WORK" >&2
"$ROOT/load-tests/run" stream --embedded --rate "$RATE" --duration "$((MINUTES * 60))" \
  --work-dir "$WORK/stack" --app-set "insession.metrics.port=$PORT" "${EXTRA[@]}" \
  > "$WORK/generator.log" 2>&1 &
GEN=$!
trap 'kill "$GEN" 2>/dev/null || true' EXIT
python3 "$ROOT/load-tests/soak-sample.py" --port "$PORT" --every "$EVERY" --while-pid "$GEN"
status=0
wait "$GEN" || status=$?
echo "--- generator report ($WORK/generator.log) ---"
grep -v -E '^[0-9:.]+ (INFO|DEBUG|WARN) ' "$WORK/generator.log" | tail -40
exit "$status"
