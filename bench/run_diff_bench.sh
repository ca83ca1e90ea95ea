#!/usr/bin/env bash
# Diff benchmark: the scan corpus (bench/run_scan_bench.sh, 100 files, 155,204 objects, 101 MB) committed
# to a git repository made here, then 1% of its objects changed (bench/mutate_corpus.py) and committed
# again. `ingressguard diff BASE HEAD` of the two revisions (both read from git) against one scan of the
# corpus, in the same session: median seconds of RUNS runs, peak RSS (maximum of the runs), and the ratios
# the targets are stated in (diff at most 2.2x the scan's time, at most 2x its peak RSS).
set -euo pipefail
build=${1:-build}
dir=${2:-$build/bench-corpus}
repo=${3:-$build/bench-diff-repo}
runs=${RUNS:-3}

if [ ! -f "$dir/.complete-100-v3" ]; then  # the scan benchmark's corpus, generated the same way
  rm -rf "$dir"
  "$build/ig_gen_corpus" "$dir" 100
  touch "$dir/.complete-100-v3"
fi
if [ ! -f "$repo/.git/ig-bench-complete" ]; then
  rm -rf "$repo"
  mkdir -p "$repo"
  cp "$dir"/*.yaml "$repo"/
  git -C "$repo" init -q -b main
  git -C "$repo" -c user.email=bench@example.com -c user.name=bench add -A
  git -C "$repo" -c user.email=bench@example.com -c user.name=bench commit -q -m corpus
  git -C "$repo" tag base
  python3 bench/mutate_corpus.py "$repo" > "$repo/.git/ig-bench-changes"
  git -C "$repo" -c user.email=bench@example.com -c user.name=bench commit -q -am "1% of the objects changed"
  git -C "$repo" tag head
  touch "$repo/.git/ig-bench-complete"
fi

measure() {  # prints "seconds maxrss_kb"
  /usr/bin/time -f "%e %M" -o /tmp/ig_diff_time "$@" > /tmp/ig_diff_out 2>/tmp/ig_diff_err || true
  cat /tmp/ig_diff_time
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
scan=$(mktemp) diff=$(mktemp) wt=$(mktemp)
for i in $(seq "$runs"); do
  measure "$build/ingressguard" scan "$repo" --no-policy --format json --fail-on never >> "$scan"
  measure "$build/ingressguard" diff base head --repo "$repo" --no-policy --format json --fail-on never >> "$diff"
  cp /tmp/ig_diff_out "$build/bench-diff.json"
  (cd "$repo" && measure "$OLDPWD/$build/ingressguard" diff base --no-policy --format json --fail-on never) >> "$wt"
done
stat_of() { cut -d' ' -f"$2" "$1" | { [ "$2" = 1 ] && median || sort -n | tail -1; }; }
s_scan=$(stat_of "$scan" 1) r_scan=$(stat_of "$scan" 2)
echo "$(cat "$repo/.git/ig-bench-changes"); median of $runs runs; $(nproc) cores"
echo "| | seconds | peak RSS MB | time / scan | RSS / scan |"
echo "|---|---:|---:|---:|---:|"
for row in "scan of the corpus (one side):$scan" "diff base head (two revisions from git):$diff" "diff base (revision against the work tree):$wt"; do
  name=${row%%:*} file=${row#*:}
  s=$(stat_of "$file" 1) r=$(stat_of "$file" 2)
  awk -v n="$name" -v s="$s" -v r="$r" -v ss="$s_scan" -v rs="$r_scan" \
    'BEGIN { printf "| %-42s | %7.2f | %7.1f | %5.2fx | %5.2fx |\n", n, s, r/1024, s/ss, r/rs }'
done
python3 - "$build/bench-diff.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("diff summary: " + ", ".join(f"{k} {v}" for k, v in d["summary"].items()))
PY
rm -f "$scan" "$diff" "$wt"
