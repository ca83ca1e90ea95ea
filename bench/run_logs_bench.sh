#!/usr/bin/env bash
# Log-analysis benchmark: a generated ingress-nginx access log (LINES lines,
# default 3,000,000, with injected attacks and a ground-truth file), analysed
# by `ingressguard logs` with every detector on, pinned to one core and then
# on all cores, RUNS times each (medians), and by GoAccess (Debian's, the
# baseline) once on the same file in the same session, also pinned to one
# core. Reports lines/s, MB/s, peak RSS, the ratio to GoAccess, and whether
# the alerts match the ground truth.
set -euo pipefail
build=${1:-build}
dir=${2:-$build/bench-logs}
runs=${RUNS:-5}
lines=${LINES:-3000000}
mkdir -p "$dir"
log="$dir/access-$lines.log"
truth="$dir/truth-$lines.tsv"
[ -f "$log" ] || "$build/ig_gen_access_log" --lines "$lines" --seed 42 --out "$log" --truth "$truth"
bytes=$(stat -c %s "$log")
total=$(wc -l < "$log")
cat "$log" > /dev/null  # page cache warm for every contender

measure() {  # prints "seconds maxrss_kb"
  /usr/bin/time -f "%e %M" -o /tmp/ig_logs_time "$@" > /dev/null 2>&1 || true
  cat /tmp/ig_logs_time
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: > /tmp/ig_logs_one; : > /tmp/ig_logs_all
for i in $(seq "$runs"); do
  measure taskset -c 0 "$build/ingressguard" logs "$log" --threads 1 --format json --fail-on never >> /tmp/ig_logs_one
  measure "$build/ingressguard" logs "$log" --format json --fail-on never >> /tmp/ig_logs_all
done
ga=$(measure taskset -c 0 goaccess "$log" --log-format=COMBINED --no-progress -o "$dir/goaccess.json")

# Detection check: the alerts against the ground truth (detector, client or service).
"$build/ingressguard" logs "$log" --format json --no-summary --fail-on never |
  sed -n 's/.*"detector":"\([^"]*\)".*"client":"\([^"]*\)","service":"\([^"]*\)".*/\1\t\2\t\3/p' |
  awk -F'\t' '{print $1 "\t" ($2 != "" ? $2 : $3)}' | sort -u > "$dir/got.tsv"
awk -F'\t' 'NR > 1 && $1 != "-" {print $1 "\t" ($2 != "" ? $2 : $3)}' "$truth" | sort -u > "$dir/want.tsv"
if diff -q "$dir/want.tsv" "$dir/got.tsv" > /dev/null; then detection="all $(wc -l < "$dir/want.tsv") injected attacks found, no other alert"
else detection="MISMATCH: $( (diff "$dir/want.tsv" "$dir/got.tsv" || true) | grep -c '^[<>]') differences (see $dir/want.tsv, $dir/got.tsv)"; fi
# False alarms: alerts (not distinct pairs) that name no injected attack, per million lines.
false_alarms=$("$build/ingressguard" logs "$log" --format json --no-summary --fail-on never |
  sed -n 's/.*"detector":"\([^"]*\)".*"client":"\([^"]*\)","service":"\([^"]*\)".*/\1\t\2\t\3/p' |
  awk -F'\t' '{print $1 "\t" ($2 != "" ? $2 : $3)}' | grep -cvxFf "$dir/want.tsv" || true)
detection="$detection; false alarms: $false_alarms in $total lines ($(awk -v f="$false_alarms" -v n="$total" 'BEGIN {printf "%.2f", f * 1e6 / n}') per million)"

o_s=$(cut -d' ' -f1 /tmp/ig_logs_one | median); o_rss=$(cut -d' ' -f2 /tmp/ig_logs_one | sort -n | tail -1)
a_s=$(cut -d' ' -f1 /tmp/ig_logs_all | median); a_rss=$(cut -d' ' -f2 /tmp/ig_logs_all | sort -n | tail -1)
g_s=${ga% *}; g_rss=${ga#* }
awk -v b="$bytes" -v n="$total" -v runs="$runs" -v os="$o_s" -v orss="$o_rss" -v as="$a_s" -v arss="$a_rss" \
    -v gs="$g_s" -v grss="$g_rss" -v cores="$(nproc)" -v det="$detection" 'BEGIN {
  mb = b / 1048576
  printf "log: %d lines, %.1f MB (ingress-nginx upstreaminfo); ingressguard: median of %d runs, GoAccess: 1 run\n", n, mb, runs
  printf "%-34s %8s %12s %8s %12s\n", "", "seconds", "lines/s", "MB/s", "peak RSS MB"
  printf "%-34s %8.2f %12.0f %8.1f %12.1f\n", "ingressguard logs, one core", os, n/os, mb/os, orss/1024
  printf "%-34s %8.2f %12.0f %8.1f %12.1f\n", "ingressguard logs, " cores " cores", as, n/as, mb/as, arss/1024
  printf "%-34s %8.2f %12.0f %8.1f %12.1f\n", "goaccess --log-format=COMBINED", gs, n/gs, mb/gs, grss/1024
  printf "one core: %.1fx GoAccess (target >= 20x, >= 1,000,000 lines/s); %d cores: %.1fx\n", gs/os, cores, gs/as
  printf "detection: %s\n", det
}'
