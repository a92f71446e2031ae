#!/usr/bin/env bash
# Issue 8 item 9/10: appointd, its two floors and Prism (the stateless mock
# integrators use, serving appointd's own api/openapi.yaml) under one load
# tool, on one machine, in one run. Prints one line per scenario.
#
#   scripts/bench-peers.sh            # ROUNDS=2 REQUESTS=4000 CLIENTS=8 by default
#
# Prism comes from npm (npm install --prefix /tmp/prism @stoplight/prism-cli);
# without it the peer lines are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}; REQUESTS=${REQUESTS:-4000}; CLIENTS=${CLIENTS:-8}
PRISM=${PRISM:-/tmp/prism/node_modules/.bin/prism}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/appointd" ./cmd/appointd
go build -o "$work/load" ./cmd/appointd-load
"$work/appointd" serve --demo --demo-week=false --db "sqlite:$work/bench.db" --addr 127.0.0.1:18080 >/dev/null 2>"$work/server.log" &
"$work/load" floor --addr 127.0.0.1:18099 --db "$work/floor.db" >/dev/null 2>/dev/null &
if [ -x "$PRISM" ]; then
  "$PRISM" mock -h 127.0.0.1 -p 4010 api/openapi.yaml >/dev/null 2>&1 &
fi
for _ in $(seq 1 60); do
  curl -sf -o /dev/null http://127.0.0.1:18080/healthz && curl -s -o /dev/null http://127.0.0.1:18099/ && break
  sleep 0.5
done
if [ -x "$PRISM" ]; then
  for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:4010/ && break; sleep 0.5; done
fi
day=$(TZ=Europe/Moscow date -d tomorrow +%F)
[ "$(date -d "$day" +%u)" = 7 ] && day=$(TZ=Europe/Moscow date -d "2 days" +%F)

run() { "$work/load" run --url http://127.0.0.1:18080 --clients "$CLIENTS" --requests "$REQUESTS" --day "$day" "$@"; }
peer() { [ -x "$PRISM" ] && "$work/load" run --peer --prefix "" --url http://127.0.0.1:4010 --clients "$CLIENTS" --requests "$REQUESTS" --day "$day" "$@" || true; }

for round in $(seq 1 "$ROUNDS"); do
  echo "# round $round"
  run --scenario floor-json
  run --scenario get;   peer --scenario get
  run --scenario list;  peer --scenario list
  run --scenario slots; peer --scenario slots
  run --scenario auth --requests 400; peer --scenario auth
  run --scenario floor-insert
  run --scenario create --members "$CLIENTS"; peer --scenario create
  run --scenario create --members 1 --clients 64
done
echo "# server RSS after the runs: $(ps -o rss= -p "$(pgrep -f "$work/appointd serve")") KiB"
