#!/bin/sh
# Runs the commands of README's "Running it for real" in order, on the
# PostgreSQL database DSN ($1 or $APPOINTD_README_DB), and checks the server
# answers a request made with the partner token the commands created.
# The database should be empty (the user create fails on a second run).
set -eu
DSN="${1:-${APPOINTD_README_DB:-}}"
[ -n "$DSN" ] || { echo "usage: $0 postgres://..." >&2; exit 2; }
dir="$(mktemp -d)"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

go build -o "$dir/appointd" ./cmd/appointd
cd "$dir"
./appointd migrate --db "$DSN"
token="$(./appointd partner create "My integration" --db "$DSN" | grep -oE '[0-9a-f]{32,}' | head -1)"
[ -n "$token" ] || { echo "readme-prod: no partner token printed" >&2; exit 1; }
./appointd partner list --db "$DSN"
./appointd user create --login owner@salon.test --password 'readme-secret' --name 'Salon Owner' --db "$DSN"
./appointd user list --db "$DSN"
./appointd serve --addr "127.0.0.1:$port" --db "$DSN" 2>serve.log &
pid=$!

for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
code="$(curl -s -o auth.json -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $token" \
  -d '{"login":"owner@salon.test","password":"readme-secret"}' "http://127.0.0.1:$port/api/v1/auth")"
if [ "$code" != 201 ]; then
  echo "readme-prod: POST /api/v1/auth with the partner token answered $code" >&2
  cat auth.json serve.log >&2
  exit 1
fi
echo "readme-prod: ok (partner token and owner login accepted on port $port)"
