#!/usr/bin/env bash
# The roll-out figures of issue 10 on the demo bundle: runs `insession demo --rollout` RUNS times
# (each run: its own in-process broker, the replay, a deployment of the bundle under a new version
# halfway through) and prints each run's figures and their medians:
#   deploy → first list: from the deployment record's time to the first list of the new version
#   longest gap:         the longest time between two consecutive lists over the run, swap included
#   re-encoded:          sessions with lists of the old version, then of the new one (kept warm)
#   re-encoding cost:    per session, the replayed sessions re-encoded on the new version as
#                        MicroBatch.reencode steps them, each alone and all together
# Usage: load-tests/rollout.sh [RUNS (default 3)] [RATE events/s (default 50)] [extra demo options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-3}"
RATE="${2:-50}"
shift $(( $# < 2 ? $# : 2 ))
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "rollout.sh: RUNS must be a positive integer: $RUNS" >&2; exit 2; }

WORK="$(mktemp -d -t insession-rollout-XXXXXX)"
echo "each run's output: $WORK/run-N.log"
figures=()
for run in $(seq 1 "$RUNS"); do
  "$ROOT/insession" demo --rollout --exit-after-replay --quiet --kafka-port=0 --port=0 \
      --rate="$RATE" "$@" >"$WORK/run-$run.log" 2>&1 \
    || { echo "rollout.sh: run $run failed, see $WORK/run-$run.log" >&2; exit 1; }
  line="$(grep '^Roll-out figures:' "$WORK/run-$run.log")"
  cost="$(grep '^Re-encoding cost' "$WORK/run-$run.log")"
  echo "run $run: ${line#Roll-out figures: }"
  echo "       $cost"
  figures+=("$(sed -E 's/.*first list ([0-9]+) ms.*gap between lists ([0-9]+) ms.*sessions ([0-9]+).*/\1 \2 \3/' <<<"$line") \
$(sed -E 's/.* ([0-9.]+) ms per session alone, ([0-9.]+) ms per session all together.*/\1 \2/' <<<"$cost")")
done
printf '%s\n' "${figures[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
cols = [statistics.median(col) for col in zip(*rows)]
print("median of %d runs: deploy to first list of the new version %.0f ms; longest gap between"
      " lists %.0f ms; sessions re-encoded %.0f; re-encoding cost per session %.3f ms alone,"
      " %.3f ms all together" % (len(rows), *cols))
'
grep -o 'avx[^ ]*' /proc/cpuinfo | sort -u | tr '\n' ' ' | sed 's/^/CPU flags: /; s/ $/\n/'
