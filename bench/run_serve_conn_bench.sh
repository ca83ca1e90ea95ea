#!/usr/bin/env bash
# Memory per open webhook connection (bench/serve_connections.py): a fresh
# `ingressguard serve` per run, CONNECTIONS idle keep-alive TLS connections
# after one GET /healthz each, then 200 after one 256 KiB review each.
# Prints each run; compare the medians with another binary by passing it as $1.
set -euo pipefail
binary=${1:-build/ingressguard}
dir=${2:-build/bench-serve-conn}
runs=${RUNS:-3}
conns=${CONNECTIONS:-3000}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
[ -f "$dir/tls.crt" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$dir/tls.key" -out "$dir/tls.crt" -subj /CN=ingressguard.ingressguard.svc 2>/dev/null
ulimit -n $((conns + 100))
for case in "$conns" "200 262144"; do
  for _ in $(seq "$runs"); do
    "$binary" serve --listen 127.0.0.1:0 --tls-cert "$dir/tls.crt" --tls-key "$dir/tls.key" \
      --state "$here/../examples/demo" --max-connections $((conns + 10)) > "$dir/log" 2> "$dir/err" &
    pid=$!
    for _ in $(seq 100); do grep -q '"listening"' "$dir/log" 2>/dev/null && break; sleep 0.1; done
    port=$(grep -m1 '"listening"' "$dir/log" | sed 's/.*"address":"[^"]*:\([0-9]*\)".*/\1/')
    echo "== $case"
    # shellcheck disable=SC2086
    python3 "$here/serve_connections.py" "$pid" "$port" $case
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
