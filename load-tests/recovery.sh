#!/usr/bin/env bash
# Recovery after a crash: how long `insession run` takes, after `kill -9`, to emit its first new
# list when restarted on the same state directory with events waiting (issue 9, point 8).
#
#   load-tests/recovery.sh [runs]          # default 3 crashes; prints each time and the median
#
# A broker (kafka.Kafka from the app's own classpath) and a lookup API (its collector feeds the
# events) run as separate processes, so that only the app dies. Each round: the app is up and
# has served a list; kill -9; 20 events are posted; the app is started again on the same state
# directory; the time from that start until its /metrics count a list is the recovery time. The
# first start (empty state, events waiting) is reported as the clean start.
#
# Environment: APP_JAR (default streams-app/target/insession.jar, e.g. an older build to compare),
# APP_ARGS (extra `run` arguments, e.g. "-s group.instance.id=recovery-0" for static membership,
# "-s session.timeout.ms=45000" for Kafka's default), BASE_PORT (default 19090: broker, +1
# controller, +2 app metrics, +3 lookup API, +4 its metrics).
# Everything it starts is stopped on exit; its files stay in the printed work directory.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-3}"
JAR="${APP_JAR:-$ROOT/streams-app/target/insession.jar}"
LIB="$ROOT/streams-app/target/lib"
BUNDLE="$ROOT/streams-app/src/main/resources/io/insession/demo/bundle"
BASE="${BASE_PORT:-19090}"
BROKER=$((BASE)) CONTROLLER=$((BASE + 1)) METRICS=$((BASE + 2)) API=$((BASE + 3))
WORK="$(mktemp -d -t insession-recovery-XXXXXX)"
APP_ID="recovery-$(date +%s)"
read -r -a EXTRA <<< "${APP_ARGS:-}"
# a local run: no HTTP authentication, nothing listening beyond this machine
LOCAL_HTTP=(-s insession.api.auth=none -s insession.api.bind.address=127.0.0.1
            -s insession.metrics.bind.address=127.0.0.1)

"$ROOT/insession" --version >/dev/null   # builds once if needed
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

now() { date +%s.%N; }
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
wait_for() { # URL, what
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "recovery.sh: $2 did not answer at $1; see $WORK" >&2
  exit 1
}
lists_out() {
  curl -sf "localhost:$METRICS/metrics" 2>/dev/null \
    | awk '/^insession_lists_out_total /{print int($2)}' | head -1
}
post_events() { # session prefix, count
  local body="[" i
  for i in $(seq 1 "$2"); do
    body+="{\"sessionId\":\"$1-$i\",\"eventType\":\"PRODUCT_VIEW\",\"itemId\":\"214536502\"},"
  done
  curl -sf -o /dev/null -X POST "localhost:$API/v1/events" \
    -H 'Content-Type: application/json' -d "${body%,}]"
}
start_app() { # log file
  java -jar "$JAR" run --bootstrap-servers "localhost:$BROKER" --bundle "$BUNDLE" \
    -s "state.dir=$WORK/state" -s "insession.application.id=$APP_ID" \
    -s "insession.metrics.port=$METRICS" "${LOCAL_HTTP[@]}" "${EXTRA[@]}" > "$1" 2>&1 &
  APP_PID=$!
  PIDS+=("$APP_PID")
}
await_list() {
  for _ in $(seq 1 3000); do
    [ "$(lists_out)" -ge 1 ] 2>/dev/null && return 0
    sleep 0.1
  done
  echo "recovery.sh: no list within 300 s; see $WORK" >&2
  exit 1
}

cat > "$WORK/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$CONTROLLER
listeners=PLAINTEXT://localhost:$BROKER,CONTROLLER://localhost:$CONTROLLER
advertised.listeners=PLAINTEXT://localhost:$BROKER
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$WORK/kafka
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=4
EOF
CP="$ROOT/streams-app/target/insession.jar:$LIB/*"
java -Xmx512m -cp "$CP" kafka.tools.StorageTool format -t q1Sh-9_ISia_zwGINzRvyQ \
  -c "$WORK/server.properties" > "$WORK/format.log" 2>&1
java -Xmx512m -cp "$CP" kafka.Kafka "$WORK/server.properties" > "$WORK/broker.out" 2>&1 &
PIDS+=("$!")

echo "recovery.sh: work directory $WORK, app $JAR ${APP_ARGS:-}" >&2
for _ in $(seq 1 600); do   # the broker listens (its start is not part of the app's)
  (exec 3<>"/dev/tcp/localhost/$BROKER") 2>/dev/null && break
  sleep 0.2
done
# the first start creates the topics and is the clean start (empty state)
t0="$(now)"
start_app "$WORK/app-0.log"
wait_for "localhost:$METRICS/ready" "the app"
java -jar "$JAR" lookup --bootstrap-servers "localhost:$BROKER" --port "$API" \
  -s "insession.api.metrics.port=$((BASE + 4))" "${LOCAL_HTTP[@]}" > "$WORK/lookup.log" 2>&1 &
PIDS+=("$!")
wait_for "localhost:$API/health" "the lookup API"
post_events "warm" 20
await_list
echo "clean start (empty state, until the first list): $(seconds "$t0" "$(now)") s"

times=()
for i in $(seq 1 "$RUNS"); do
  kill -9 "$APP_PID"
  wait "$APP_PID" 2>/dev/null || true
  post_events "crash-$i" 20
  t0="$(now)"
  start_app "$WORK/app-$i.log"
  await_list
  t="$(seconds "$t0" "$(now)")"
  times+=("$t")
  echo "after kill -9 #$i: first new list after $t s"
done
median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
echo "recovery after kill -9, median of $RUNS: $median s (runs: ${times[*]})"
