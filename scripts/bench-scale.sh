#!/usr/bin/env bash
# Issue 8 item 11: 1 M appointments on SQLite (list one day, free slots,
# RSS idle and under load), then create throughput on PostgreSQL with one
# and with two appointd processes.
#
#   scripts/bench-scale.sh   # PG_DSN=postgres://postgres@127.0.0.1:5432/DB?sslmode=disable (a scratch database; wiped)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}; REQUESTS=${REQUESTS:-4000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/appointd" ./cmd/appointd
go build -o "$work/load" ./cmd/appointd-load
wait_up() { for _ in $(seq 1 120); do curl -sf -o /dev/null "http://$1/healthz" && return; sleep 0.5; done; echo "no server at $1"; exit 1; }
rss() { ps -o rss= -p "$(pgrep -f "$work/appointd serve.*$1" | head -1)" | tr -d ' '; }
day=$(TZ=Europe/Moscow date -d tomorrow +%F)
[ "$(date -d "$day" +%u)" = 7 ] && day=$(TZ=Europe/Moscow date -d "2 days" +%F)

echo "# SQLite, $N appointments"
"$work/appointd" migrate --db "sqlite:$work/big.db" >/dev/null
"$work/appointd" serve --demo --demo-week=false --db "sqlite:$work/big.db" --addr 127.0.0.1:18081 >/dev/null 2>&1 & wait_up 127.0.0.1:18081; kill %1; wait %1 || true
"$work/load" seed --db "sqlite:$work/big.db" --appointments "$N"
"$work/appointd" serve --db "sqlite:$work/big.db" --addr 127.0.0.1:18081 >/dev/null 2>&1 &
wait_up 127.0.0.1:18081; sleep 1
echo "RSS idle: $(rss 18081) KiB"
peak=0
( while sleep 0.2; do r=$(rss 18081 || echo 0); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" > "$work/peak"; done ) &
sampler=$!
for c in 1 8; do
  "$work/load" run --url http://127.0.0.1:18081 --scenario list --clients $c --requests 2000 --day "$day"
  "$work/load" run --url http://127.0.0.1:18081 --scenario slots --clients $c --requests 2000 --day "$day"
done
kill $sampler
echo "RSS peak under load: $(cat "$work/peak") KiB"
kill %2 2>/dev/null || true

if [ -n "${PG_DSN:-}" ]; then
  echo "# PostgreSQL create throughput"
  PGOPTIONS="-c client_min_messages=warning" psql "$PG_DSN" -q -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
  "$work/appointd" serve --demo --demo-week=false --db "$PG_DSN" --addr 127.0.0.1:18082 >/dev/null 2>&1 &
  wait_up 127.0.0.1:18082
  "$work/load" run --url http://127.0.0.1:18082 --scenario create --members 8 --clients 8 --requests "$REQUESTS"
  "$work/appointd" serve --db "$PG_DSN" --addr 127.0.0.1:18083 >/dev/null 2>&1 &
  wait_up 127.0.0.1:18083
  echo "two processes, one load tool each, at once:"
  "$work/load" run --url http://127.0.0.1:18082 --scenario create --members 8 --clients 8 --requests "$REQUESTS" & a=$!
  "$work/load" run --url http://127.0.0.1:18083 --scenario create --members 8 --clients 8 --requests "$REQUESTS" & b=$!
  wait $a $b
fi
