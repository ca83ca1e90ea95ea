#!/usr/bin/env bash
# Large-List benchmark: the scan corpus (bench/run_scan_bench.sh, 155,204 objects) as one List, the way
# `kubectl get -o json` prints it (232 MB, 4-space indentation), compacted (100 MB), and as one YAML List
# document; beside it the same objects as YAML files, simdjson's parse-only speed on the JSON List (the
# bound) and the List cut into items and parsed without the rest of the scan. Median seconds of RUNS runs,
# MB/s, peak RSS (maximum of the runs). BASE=path/to/an/older/ingressguard adds its runs for a ratio.
set -euo pipefail
build=${1:-build}
dir=${2:-$build/bench-corpus}
runs=${RUNS:-3}
base=${BASE:-}

if [ ! -f "$dir/.complete-100-v3" ]; then  # the scan benchmark's corpus, generated the same way
  rm -rf "$dir"
  "$build/ig_gen_corpus" "$dir" 100
  touch "$dir/.complete-100-v3"
fi
list="$build/bench-list.json" compact="$build/bench-list-compact.json" ylist="$build/bench-list.yaml"
for f in "$list:" "$compact:--compact" "$ylist:--yaml"; do
  out=${f%%:*} mode=${f#*:}
  [ -s "$out" ] || python3 bench/yaml_to_list.py $mode "$out" "$dir"/*.yaml
done

measure() {  # prints "seconds maxrss_kb"
  /usr/bin/time -f "%e %M" -o /tmp/ig_list_time "$@" > /dev/null 2>/tmp/ig_list_err || true
  cat /tmp/ig_list_time
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
row() {  # name bytes runs-file
  local s rss
  s=$(cut -d' ' -f1 "$3" | median); rss=$(cut -d' ' -f2 "$3" | sort -n | tail -1)
  awk -v n="$1" -v b="$2" -v s="$s" -v r="$rss" 'BEGIN { printf "| %-44s | %7.2f | %7.1f | %8.1f |\n", n, s, b/1048576/s, r/1024 }'
}

declare -A files
names=(simdjson split tree json json1 compact yaml docs)
[ -n "$base" ] && names+=(base_json base_yaml)
for n in "${names[@]}"; do files[$n]=$(mktemp); done
load=$(mktemp)
for i in $(seq "$runs"); do
  measure "$build/ig_json_parse_only" simdjson "$list" >> "${files[simdjson]}"
  measure "$build/ig_json_parse_only" split "$list" >> "${files[split]}"
  measure "$build/ig_json_parse_only" tree "$list" >> "${files[tree]}"
  IG_TIMINGS=1 measure "$build/ingressguard" scan "$list" --format json --fail-on never >> "${files[json]}"
  sed -n 's/^ingressguard: load \([0-9.]*\) s$/\1/p' /tmp/ig_list_err >> "$load"
  IG_LOAD_THREADS=1 measure "$build/ingressguard" scan "$list" --format json --fail-on never >> "${files[json1]}"
  measure "$build/ingressguard" scan "$compact" --format json --fail-on never >> "${files[compact]}"
  measure "$build/ingressguard" scan "$ylist" --format json --fail-on never >> "${files[yaml]}"
  measure "$build/ingressguard" scan "$dir" --format json --fail-on never >> "${files[docs]}"
  if [ -n "$base" ]; then
    measure "$base" scan "$list" --format json --fail-on never >> "${files[base_json]}"
    measure "$base" scan "$ylist" --format json --fail-on never >> "${files[base_yaml]}"
  fi
done
lb=$(stat -c %s "$list"); cb=$(stat -c %s "$compact"); yb=$(stat -c %s "$ylist"); db=$(cat "$dir"/*.yaml | wc -c)
echo "objects: 155,211 in each input; median of $runs runs; $(nproc) cores; MB = 2^20 bytes"
echo "| | seconds | MB/s | peak RSS MB |"
echo "|---|---:|---:|---:|"
row "simdjson DOM parse of the JSON List (bound)" "$lb" "${files[simdjson]}"
row "JSON List cut into items (splitter only)" "$lb" "${files[split]}"
row "JSON List cut and parsed into trees, 1 core" "$lb" "${files[tree]}"
row "scan JSON List ($(nproc) cores)" "$lb" "${files[json]}"
row "scan JSON List (1 core)" "$lb" "${files[json1]}"
row "scan compacted JSON List" "$cb" "${files[compact]}"
row "scan YAML List" "$yb" "${files[yaml]}"
row "scan the same objects as YAML files" "$db" "${files[docs]}"
if [ -n "$base" ]; then
  row "baseline: scan JSON List" "$lb" "${files[base_json]}"
  row "baseline: scan YAML List" "$yb" "${files[base_yaml]}"
fi
median < "$load" | awk -v b="$lb" '{printf "load phase of the JSON List scan (read, cut, parse, snapshot; %s): %.2f s, %.0f MB/s\n", "median", $1, b/1048576/$1}'
rm -f "${files[@]}" "$load"
