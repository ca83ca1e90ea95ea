#!/usr/bin/env bash
# Webhook benchmark: `ingressguard serve` with 10,000 Ingresses (and their
# Services) as state, driven by wrk over keep-alive TLS on 127.0.0.1.
#  1. paced runs near 2,000 requests/s (5 connections, IG_DELAY_MS between
#     requests on each), interleaved with the baseline: GET /healthz paced the
#     same way (TLS + HTTP without a decision); medians of RUNS runs;
#  2. one saturating run of REQUESTS requests (default 1,000,000) with the
#     server's RSS sampled every 5 s.
set -euo pipefail
build=${1:-build}
dir=${2:-$build/bench-serve}
runs=${RUNS:-5}
seconds=${SECONDS_PER_RUN:-10}
requests=${REQUESTS:-1000000}
delay_ms=${IG_DELAY_MS:-2}
conns=${CONNECTIONS:-6}
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$dir"
[ -f "$dir/reviews.jsonl" ] || python3 "$here/gen_serve_inputs.py" "$dir" 10000
[ -f "$dir/tls.crt" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$dir/tls.key" -out "$dir/tls.crt" -subj /CN=ingressguard.ingressguard.svc \
  -addext "subjectAltName=DNS:ingressguard.ingressguard.svc,IP:127.0.0.1" 2>/dev/null

"$build/ingressguard" serve --listen 127.0.0.1:0 --tls-cert "$dir/tls.crt" --tls-key "$dir/tls.key" \
  --state "$dir/state.json" --threads "${SERVER_THREADS:-1}" > "$dir/server.log" 2> "$dir/server.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q '"listening"' "$dir/server.log" 2>/dev/null && break; sleep 0.1; done
addr=$(grep -m1 '"listening"' "$dir/server.log" | sed 's/.*"address":"\([^"]*\)".*/\1/')
objects=$(grep -m1 '"listening"' "$dir/server.log" | sed 's/.*"state_objects":\([0-9]*\).*/\1/')
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
rss_start=$(rss)

# wrk's latency lines in milliseconds: "p50 p99 requests/s non2xx"
wrk_run() {  # url seconds connections delay reviews-file
  IG_DELAY_MS=$4 IG_REVIEWS=$5 wrk -t1 -c"$3" -d"$2"s --latency -s "$here/serve.lua" "$1" > /tmp/ig_wrk.out 2>&1 || true
  awk '
    function ms(v) { if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%.3f %.3f %.0f %d\n", p50, p99, rps, bad }' /tmp/ig_wrk.out
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: > /tmp/ig_base_runs; : > /tmp/ig_serve_runs
for _ in $(seq "$runs"); do
  wrk_run "https://$addr/healthz" "$seconds" "$conns" "$delay_ms" "" >> /tmp/ig_base_runs
  wrk_run "https://$addr/validate" "$seconds" "$conns" "$delay_ms" "$dir/reviews.jsonl" >> /tmp/ig_serve_runs
done
col() { cut -d' ' -f"$1" "$2" | median; }
b50=$(col 1 /tmp/ig_base_runs); b99=$(col 2 /tmp/ig_base_runs); brps=$(col 3 /tmp/ig_base_runs)
s50=$(col 1 /tmp/ig_serve_runs); s99=$(col 2 /tmp/ig_serve_runs); srps=$(col 3 /tmp/ig_serve_runs)
sbad=$(cut -d' ' -f4 /tmp/ig_serve_runs | sort -n | tail -1)
denied=$(grep -c '"allowed":false' "$dir/server.log" || true)

# Saturation: how fast, then REQUESTS requests with the RSS sampled.
read -r _ _ max_rps _ < <(wrk_run "https://$addr/validate" 10 4 0 "$dir/reviews.jsonl")
duration=$(( 13 * requests / (10 * (max_rps > 0 ? max_rps : 1)) + 5 ))  # 30% margin: wrk runs for a time, not a count
rss_before=$(rss)
: > "$dir/rss.tsv"
( t=0; while kill -0 $pid 2>/dev/null; do echo "$t $(rss)" >> "$dir/rss.tsv"; sleep 5; t=$((t + 5)); done ) &
sampler=$!
read -r l50 l99 long_rps long_bad < <(wrk_run "https://$addr/validate" "$duration" 4 0 "$dir/reviews.jsonl")
kill $sampler 2>/dev/null || true
rss_after=$(rss)
rss_max=$(awk '{print $2}' "$dir/rss.tsv" | sort -n | tail -1)
long_requests=$(awk '/requests in/ {print $1}' /tmp/ig_wrk.out)
kill -TERM $pid
wait $pid 2>/dev/null || true
trap - EXIT

awk -v o="$objects" -v n="$runs" -v s="$seconds" -v c="$conns" -v d="$delay_ms" \
    -v b50="$b50" -v b99="$b99" -v brps="$brps" -v s50="$s50" -v s99="$s99" -v srps="$srps" -v sbad="$sbad" \
    -v max="$max_rps" -v lr="$long_requests" -v lrps="$long_rps" -v l50="$l50" -v l99="$l99" -v lbad="$long_bad" \
    -v r0="$rss_start" -v r1="$rss_before" -v r2="$rss_after" -v rm="$rss_max" -v den="$denied" 'BEGIN {
  printf "state: %d objects (10,000 Ingresses); paced runs: %d x %d s, %d connections, %d ms between requests each\n", o, n, s, c, d
  printf "%-30s %9s %9s %10s %8s\n", "median of runs", "p50 ms", "p99 ms", "req/s", "non-2xx"
  printf "%-30s %9.3f %9.3f %10.0f %8s\n", "baseline GET /healthz", b50, b99, brps, "-"
  printf "%-30s %9.3f %9.3f %10.0f %8d\n", "POST /validate", s50, s99, srps, sbad
  printf "validate/baseline: p99 x%.2f, throughput x%.2f\n", s99 / b99, srps / brps
  printf "saturation: %d req/s (10 s run); then %s requests at %d req/s (p50 %.3f ms, p99 %.3f ms, non-2xx %d)\n", max, lr, lrps, l50, l99, lbad
  printf "RSS MB: at start %.1f, before the long run %.1f, max during %.1f, after %.1f\n", r0/1024, r1/1024, rm/1024, r2/1024
}'
echo "RSS samples (seconds, KB): $dir/rss.tsv"
if [ "${long_requests:-0}" -lt "$requests" ]; then echo "warning: the long run made fewer than $requests requests" >&2; fi
