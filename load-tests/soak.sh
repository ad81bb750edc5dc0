#!/usr/bin/env bash
# Soak: `insession run` at a steady rate for a long time, sampled over time (issue 14, point 7).
#
#   load-tests/soak.sh [minutes] [events/s] [sample seconds]     # default 30 min, 200/s, 60 s
#
# The generator (`load-tests/run stream --embedded`: a broker in its JVM, the app as a child
# process, the yoochoose test sessions replayed) runs for the given minutes; meanwhile
# load-tests/soak-sample.py reads the app's /metrics every interval and prints one row: heap,
# direct buffers, the app's resident set (native memory: RocksDB, ONNX Runtime), RocksDB's block
# cache and memtables, the sessions held, the state stores' SST files and the state directory on disk, the consumer lag, events in, lists out and dead letters in the interval,
# and the end-to-end latency p50/p99 of the interval's lists (histogram buckets: the value is the
# bucket's upper bound). The generator's own report (latency over the whole run, lists per event)
# follows at the end. Flat memory, bounded lag and in = lists + dead letters are what to look for.
#
# Bad records are mixed in: one after every BAD_EVERY events (default 100, i.e. 1 %), the kinds of
# docs/bad-input.md in turn; the generator reads their dead letters back, and its report ends with
# "bad records: N sent, N dead letters {reason=count}" next to "events sent, lists matched":
# events in = lists + dead letters when nothing was lost.
#
# Environment: METRICS_PORT (default 19181, the app's metrics port), BAD_EVERY (0: no bad
# records), SOAK_ARGS (more generator options, e.g. "--app-set insession.scoring.batch.max.size=32").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES="${1:-30}"
RATE="${2:-200}"
EVERY="${3:-60}"
PORT="${METRICS_PORT:-19181}"
BAD_EVERY="${BAD_EVERY:-100}"
WORK="$(mktemp -d -t insession-soak-XXXXXX)"
read -r -a EXTRA <<< "${SOAK_ARGS:-}"

echo "soak.sh: ${MINUTES} min at ${RATE} events/s, a bad record every ${BAD_EVERY} events, a sample every ${EVERY} s; logs in $WORK" >&2
"$ROOT/load-tests/run" stream --embedded --rate "$RATE" --duration "$((MINUTES * 60))" \
  --bad-record-every "$BAD_EVERY" \
  --work-dir "$WORK/stack" --app-set "insession.metrics.port=$PORT" "${EXTRA[@]}" \
  > "$WORK/generator.log" 2>&1 &
GEN=$!
trap 'kill "$GEN" 2>/dev/null || true' EXIT
python3 "$ROOT/load-tests/soak-sample.py" --port "$PORT" --every "$EVERY" --while-pid "$GEN" \
  --disk-dir "$WORK/stack/state"
status=0
wait "$GEN" || status=$?
echo "--- generator report ($WORK/generator.log) ---"
grep -v -E '^[0-9:.]+ (INFO|DEBUG|WARN) ' "$WORK/generator.log" | tail -40
exit "$status"
