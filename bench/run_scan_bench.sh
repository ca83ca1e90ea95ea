#!/usr/bin/env bash
# Scan benchmark: generates a >=100 MB manifest corpus (once), then runs the
# parse-only baseline (libyaml events, same files) and the full scan several
# times each, interleaved, and reports medians: MB/s, documents/s, peak RSS,
# and the scan's speed as a ratio of the parse-only speed. The target is on one
# core (IG_LOAD_THREADS=1: the loader's threads off); the scan with the
# loader on every core is reported beside it.
set -euo pipefail
build=${1:-build}
dir=${2:-$build/bench-corpus}
runs=${RUNS:-5}
mb=${CORPUS_MB:-100}

gen_version=3  # bump when bench/gen_corpus.cpp changes what it writes
if [ ! -f "$dir/.complete-$mb-v$gen_version" ]; then
  rm -rf "$dir"
  "$build/ig_gen_corpus" "$dir" "$mb"
  touch "$dir/.complete-$mb-v$gen_version"
fi
bytes=$(cat "$dir"/*.yaml | wc -c)
docs=$(grep -c '^---$' "$dir"/*.yaml | awk -F: '{s+=$2} END {print s}')

measure() {  # prints "seconds maxrss_kb"
  /usr/bin/time -f "%e %M" -o /tmp/ig_bench_time "$@" > /dev/null 2>&1 || true
  cat /tmp/ig_bench_time
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: > /tmp/ig_parse_runs; : > /tmp/ig_scan_runs; : > /tmp/ig_scan_mt_runs
for i in $(seq "$runs"); do
  measure "$build/ig_parse_only" "$dir" >> /tmp/ig_parse_runs
  IG_LOAD_THREADS=1 measure "$build/ingressguard" scan "$dir" --format json --fail-on never >> /tmp/ig_scan_runs
  measure "$build/ingressguard" scan "$dir" --format json --fail-on never >> /tmp/ig_scan_mt_runs
done
m_s=$(cut -d' ' -f1 /tmp/ig_scan_mt_runs | median); m_rss=$(cut -d' ' -f2 /tmp/ig_scan_mt_runs | sort -n | tail -1)
p_s=$(cut -d' ' -f1 /tmp/ig_parse_runs | median); p_rss=$(cut -d' ' -f2 /tmp/ig_parse_runs | median)
s_s=$(cut -d' ' -f1 /tmp/ig_scan_runs | median); s_rss=$(cut -d' ' -f2 /tmp/ig_scan_runs | sort -n | tail -1)
findings=$("$build/ingressguard" scan "$dir" --format json --fail-on never | grep -c '"rule":' || true)
# The text report against JSON on the corpus as one file (the text report reads
# the source lines back for its excerpts): peak RSS of one run each.
one="$dir.one-file.yaml"
[ -f "$one" ] || cat "$dir"/*.yaml > "$one"
read -r t_json_s t_json_rss < <(measure "$build/ingressguard" scan "$one" --format json --fail-on never)
read -r t_text_s t_text_rss < <(measure "$build/ingressguard" scan "$one" --format text --fail-on never)
# The ratio within each interleaved pair of runs, whose minutes share the
# machine's load: steadier than the ratio of the two medians on a shared VM.
pair_ratio=$(paste -d' ' /tmp/ig_parse_runs /tmp/ig_scan_runs | awk '{print $1 / $3}' | median)
pair_list=$(paste -d' ' /tmp/ig_parse_runs /tmp/ig_scan_runs | awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $1 / $3}')

awk -v b="$bytes" -v d="$docs" -v ps="$p_s" -v ss="$s_s" -v prss="$p_rss" -v srss="$s_rss" -v n="$runs" -v f="$findings" -v ms="$m_s" -v mrss="$m_rss" -v cores="$(nproc)" -v pr="$pair_ratio" -v pl="$pair_list" \
    -v tjs="$t_json_s" -v tjr="$t_json_rss" -v tts="$t_text_s" -v ttr="$t_text_rss" 'BEGIN {
  mb = b / 1048576
  printf "corpus: %.1f MB, %d documents, %d findings per scan; median of %d runs each\n", mb, d, f, n
  printf "%-22s %8s %10s %12s %12s\n", "", "seconds", "MB/s", "docs/s", "peak RSS MB"
  printf "%-22s %8.2f %10.1f %12.0f %12.1f\n", "parse-only (libyaml)", ps, mb/ps, d/ps, prss/1024
  printf "%-22s %8.2f %10.1f %12.0f %12.1f (max of runs)\n", "scan, one core", ss, mb/ss, d/ss, srss/1024
  printf "%-22s %8.2f %10.1f %12.0f %12.1f (max of runs)\n", "scan, " cores " cores", ms, mb/ms, d/ms, mrss/1024
  printf "one core: scan speed / parse-only speed: %.2f (target >= 0.50); peak RSS target <= 200 MB (MB = 2^20 bytes)\n", ps/ss
  printf "one core, ratio within each interleaved pair: median %.2f (runs: %s)\n", pr, pl
  printf "%d cores: scan speed / parse-only speed: %.2f\n", cores, ps/ms
  printf "one file of %.1f MB: --format json %.2f s, peak RSS %.1f MB; --format text %.2f s, peak RSS %.1f MB (text/json %.2f)\n", mb, tjs, tjr/1024, tts, ttr/1024, ttr/tjr
}'
