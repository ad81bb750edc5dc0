#!/usr/bin/env bash
# Checks the Prometheus configs and alert rules and runs the rule unit tests with promtool.
# Installs promtool (Debian package `prometheus`) when it is missing, as root or through sudo.
# Exits non-zero on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

install_promtool() {
  if ! command -v apt-get >/dev/null; then
    echo "run-rule-tests: promtool not found; install Prometheus' promtool (https://prometheus.io/download/) and put it on PATH" >&2
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "run-rule-tests: promtool not found and installing it (apt-get install prometheus) needs root or sudo" >&2; return 1; }
    sudo="sudo"
  fi
  echo "run-rule-tests: installing promtool (Debian package prometheus)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  echo "run-rule-tests: note: the Debian package also enables a prometheus service on :9090;" \
       "'sudo systemctl disable --now prometheus' turns it off (docker compose publishes 9090 too)" >&2
}

command -v promtool >/dev/null || install_promtool
command -v promtool >/dev/null || { echo "run-rule-tests: promtool still not on PATH" >&2; exit 1; }

echo "== promtool $(promtool --version 2>&1 | head -1 | awk '{print $3}')"
echo "== check config"
promtool check config prometheus.yml
K8S_CONFIG=../kubernetes/prometheus/prometheus-kubernetes.yml
if [ -f "$K8S_CONFIG" ]; then
  if ! out=$(promtool check config "$K8S_CONFIG" 2>&1); then
    if grep -q "field kubernetes_sd_configs not found" <<<"$out"; then
      # Debian builds Prometheus without Kubernetes service discovery.
      echo "  skipped $K8S_CONFIG: this promtool build has no Kubernetes service discovery"
    elif grep -q "secrets/insession-metrics-key/metrics-key" <<<"$out" \
      && [ "$(grep -c 'FAILED' <<<"$out")" -eq 1 ]; then
      # the metrics key is mounted from a Secret in the cluster, not present here
      echo "  $K8S_CONFIG: valid but for the metrics key file, which the cluster mounts"
    else
      echo "$out" >&2
      exit 1
    fi
  else
    echo "$out"
  fi
fi
echo "== check rules"
promtool check rules rules/*.yml

# Every alert must have a test case that fires it and one that keeps it quiet. (Reads the
# test file's layout: `alertname:` directly followed by `exp_alerts:` + list, or `exp_alerts: []`.)
echo "== coverage: a firing and a quiet case per alert"
missing=0
for alert in $(sed -n 's/^[[:space:]]*- alert:[[:space:]]*\([A-Za-z0-9_]*\).*/\1/p' rules/*.yml); do
  fires=$(awk -v a="$alert" '$1=="alertname:" && $2==a {getline; if ($0 ~ /exp_alerts:[[:space:]]*$/) n++} END {print n+0}' tests/*.test.yml)
  quiet=$(awk -v a="$alert" '$1=="alertname:" && $2==a {getline; if ($0 ~ /exp_alerts:[[:space:]]*\[\]/) n++} END {print n+0}' tests/*.test.yml)
  if [ "$fires" -eq 0 ] || [ "$quiet" -eq 0 ]; then
    echo "  $alert: $fires firing, $quiet quiet case(s)" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] || { echo "run-rule-tests: some alerts lack a firing or a quiet test case" >&2; exit 1; }
echo "  every alert has both"

echo "== test rules"
promtool test rules tests/*.test.yml
