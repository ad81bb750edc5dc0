#!/usr/bin/env bash
# Side-by-side measurement of the hot-path work of BENCHMARKS.md ("AFTER 2"): variants of the app
# (bundle, settings, optionally an older build) run round by round, interleaved, so that the
# machine's noise hits them alike. Per round and variant: a fixed 1,000 events/s run and (RAMP)
# a ramp; once: JMH of the scoring path for each bundle and the lookup API. Text and JSON into
# load-tests/target/compare/, then load-tests/compare-summary.py prints the medians.
#   load-tests/compare.sh ROUNDS FLOAT_BUNDLE INT8_BUNDLE [SESSIONS]
# Environment: RAMP="float int8 ..." adds ramps for those variants; BEFORE_JAR=path/insession.jar
# adds the variants "int8-per-task*" (an app built before per-thread batching: commit a8d02c2);
# FIXED_DELAY=1 adds "int8-fixed-delay" and "int8-latency-fixed-delay" (the same app with eager
# batching off: a partial batch waits the batch delay, as before issue 15);
# ONLY="int8 ..." runs only those variants; JMH=0 and LOOKUP=0 skip those; OUT=dir.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:?rounds}"
FLOAT="${2:?float bundle dir}"
INT8="${3:?int8 bundle dir (model-exporter quantize)}"
SESSIONS="${4:-$ROOT/../shared/data/diginetica/diginetica_srgnn_test_sessions.tsv}"
OUT="${OUT:-$ROOT/load-tests/target/compare}"
RUN="$ROOT/load-tests/run"
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.txt "$OUT"/*.log

LATENCY="--app-set commit.interval.ms=20 --app-set insession.scoring.batch.max.delay.ms=5"
VARIANTS=(
  "float|--bundle $FLOAT"
  "int8|--bundle $INT8"
  "int8-latency|--bundle $INT8 $LATENCY"
  "int8-alo|--bundle $INT8 $LATENCY --app-set processing.guarantee=at_least_once"
)
if [[ "${FIXED_DELAY:-0}" == 1 ]]; then
  VARIANTS+=("int8-fixed-delay|--bundle $INT8 --app-set insession.scoring.batch.eager=false")
  VARIANTS+=("int8-latency-fixed-delay|--bundle $INT8 $LATENCY --app-set insession.scoring.batch.eager=false")
fi
if [[ -n "${BEFORE_JAR:-}" ]]; then
  VARIANTS+=("int8-per-task|--bundle $INT8 --app-jar $BEFORE_JAR")
  VARIANTS+=("int8-latency-per-task|--bundle $INT8 $LATENCY --app-jar $BEFORE_JAR")
  VARIANTS+=("int8-alo-per-task|--bundle $INT8 $LATENCY --app-set processing.guarantee=at_least_once --app-jar $BEFORE_JAR")
fi

"$RUN" --help >/dev/null   # builds once if needed
for bundle in $([[ "${JMH:-1}" == 0 ]] || echo "$FLOAT" "$INT8"); do
  tag="$(basename "$bundle")"
  "$RUN" jmh -f 1 -wi 2 -i 3 -w 1 -r 2 -p bundle="$bundle" -p batch=1,8,32,64 -rf json \
    -rff "$OUT/jmh-$tag.json" 'io.insession.load.jmh.StepAllBenchmark' > "$OUT/jmh-$tag.txt" 2>&1
done
for i in $(seq 1 "$ROUNDS"); do
  for v in "${VARIANTS[@]}"; do
    name="${v%%|*}"
    if [[ -n "${ONLY:-}" && " $ONLY " != *" $name "* ]]; then
      continue
    fi
    read -r -a args <<< "${v#*|}"
    echo "=== round $i/$ROUNDS: $name" >&2
    "$RUN" stream --embedded --sessions "$SESSIONS" "${args[@]}" --rate 1000 --duration 30 \
      --json "$OUT/fixed-$name-$i.json" > "$OUT/fixed-$name-$i.txt" 2> "$OUT/fixed-$name-$i.log"
    if [[ " ${RAMP:-} " == *" $name "* ]]; then
      "$RUN" stream --embedded --sessions "$SESSIONS" "${args[@]}" --ramp --ramp-start 1000 \
        --ramp-step 250 --ramp-max 8000 --step-seconds 10 \
        --json "$OUT/ramp-$name-$i.json" > "$OUT/ramp-$name-$i.txt" 2> "$OUT/ramp-$name-$i.log"
    fi
  done
  [[ "${LOOKUP:-1}" == 0 ]] || "$RUN" lookup --embedded --bundle "$INT8" --sessions "$SESSIONS" --concurrency 8 --duration 15 \
    --json "$OUT/lookup-$i.json" > "$OUT/lookup-$i.txt" 2> "$OUT/lookup-$i.log"
done
python3 "$ROOT/load-tests/compare-summary.py" "$OUT"
