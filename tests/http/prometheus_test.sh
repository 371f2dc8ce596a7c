#!/usr/bin/env bash
# Scrapes nanofaas_server with the real Prometheus: tests/http/prometheus_test.sh SERVER_BINARY
# Invokes `echo` a few times, checks GET /metrics with promtool, then lets a Prometheus server
# scrape it and asks its query API for the invocation count. Stops both by their PIDs.
set -euo pipefail

server=${1:?usage: prometheus_test.sh SERVER_BINARY}
prometheus=${PROMETHEUS:-/usr/bin/prometheus}
promtool=${PROMTOOL:-/usr/bin/promtool}
for tool in "$prometheus" "$promtool" "$(command -v curl || echo curl)"; do
  if [[ ! -x $tool ]]; then
    echo "prometheus_test: $tool is missing (scripts/setup.sh clients installs it)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
server_pid=""
prometheus_pid=""
cleanup() {
  [[ -n $prometheus_pid ]] && kill "$prometheus_pid" 2>/dev/null || true
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL $*" >&2
  exit 1
}

# The server prints its base URL first; wait for that line (the readiness signal).
mkfifo "$work/out"
"$server" --port 0 > "$work/out" &
server_pid=$!
exec 3< "$work/out"
read -r -t 30 url <&3 || fail "the server printed no URL"
[[ $url == http://127.0.0.1:* ]] || fail "unexpected first line '$url'"

# Unsigned calls are served on loopback when the server has no key.
invocations=3
for ((i = 0; i < invocations; i++)); do
  curl -sf -o /dev/null -X POST --data '{"n":1}' \
    "$url/2015-03-31/functions/echo/invocations" || fail "invoke $i"
done
echo "ok   $invocations invocations of echo"

curl -sf "$url/metrics" > "$work/metrics.txt" || fail "GET /metrics"
"$promtool" check metrics < "$work/metrics.txt" || fail "promtool check metrics"
grep -q "^nanofaas_invocations_total{function_name=\"echo\",resource=\"echo:\$LATEST\"} $invocations\$" \
  "$work/metrics.txt" || fail "the scrape lacks echo's $invocations invocations"
echo "ok   promtool check metrics"

# A free loopback port for Prometheus' own web server.
web_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/prometheus.yml" << YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: nanofaas
    static_configs:
      - targets: ["${url#http://}"]
YML
"$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$web_port" > "$work/prometheus.log" 2>&1 &
prometheus_pid=$!
api="http://127.0.0.1:$web_port"

# poll ATTEMPTS COMMAND...: runs the command until it succeeds, 0.25 s apart, at most ATTEMPTS times.
poll() {
  local attempts=$1
  shift
  for ((i = 0; i < attempts; i++)); do
    "$@" && return 0
    kill -0 "$prometheus_pid" 2>/dev/null || { cat "$work/prometheus.log" >&2; fail "prometheus exited"; }
    sleep 0.25
  done
  return 1
}
poll 240 curl -sf -o /dev/null "$api/-/ready" || { cat "$work/prometheus.log" >&2; fail "not ready"; }
echo "ok   prometheus is ready"

# The query answers once a scrape has landed: {"data":{"result":[{"value":[TIME,"3"]}]}}.
scraped() {
  curl -sf --get --data-urlencode 'query=nanofaas_invocations_total{function_name="echo"}' \
    "$api/api/v1/query" > "$work/query.json" || return 1
  grep -q "\"value\":\[[0-9.]*,\"$invocations\"\]" "$work/query.json"
}
poll 240 scraped || { cat "$work/query.json" >&2; fail "prometheus never saw $invocations invocations"; }
echo "ok   prometheus scraped nanofaas_invocations_total = $invocations"

kill "$prometheus_pid"
wait "$prometheus_pid" 2>/dev/null || true
prometheus_pid=""
kill "$server_pid"
wait "$server_pid" || fail "the server did not stop cleanly"
server_pid=""
echo "ok   both stopped"
