#!/usr/bin/env bash
# make memprofile: what the operator's memory is made of, with N ImageBuilds present. Runs the bench's own scaling
# measurement (BENCH_ONLY=rss, the same operator process, namespace and cache-hit builds as rss_mb_<N>) and, at the
# sizes in MEMPROFILE_AT (default: the largest of BENCH_SCALE), while the builds are present and right after the RSS is
# read, takes from the operator:
#   - /proc/PID/status (VmRSS, RssAnon, RssFile, RssShmem) and smaps_rollup;
#   - GC and runtime counters for 5 s with dotnet-counters (EventCounters: gc-heap-size, gen-0/1/2-size, loh, poh,
#     gc-committed, working-set; the System.Runtime meter: last collection's heap per generation, committed, JIT);
#   - a heap dump with dotnet-gcdump (it forces a full, blocking collection: taken last) and its top types by size.
# The summary goes to MEMPROFILE_OUT (default bench/results/memprofile-<UTC date>.txt, one a day), with the command and the load
# in its header; the dumps and the bench's own latest.json stay in MEMPROFILE_DIR (/var/tmp/imagebuilder-memprofile-*),
# so a profiling run never overwrites bench/results/latest.json.
#   BENCH_SCALE (1000,5000), BENCH_RECONCILE_N (3), BENCH_RSS_MINUTES (5) as for make bench;
#   BENCH_OPERATOR_<NAME>=value starts the operator with NAME=value (e.g. BENCH_OPERATOR_DOTNET_GCgen0size=0x400000).
# Tools: dotnet-gcdump and dotnet-counters in $MEMPROFILE_TOOLS (installed there on first use, from NuGet).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools=${MEMPROFILE_TOOLS:-/var/cache/imagebuilder/tools/dotnet-diag}
tool_version=${MEMPROFILE_TOOL_VERSION:-10.0.750501}

# The hook: the bench runs this script again with BENCH_OPERATOR_PID and BENCH_N while the N ImageBuilds are present.
if [ "${1:-}" = "--collect" ]; then
  pid=$BENCH_OPERATOR_PID n=$BENCH_N dir=$MEMPROFILE_DIR
  case ",$MEMPROFILE_AT," in *",$n,"*) ;; *) exit 0 ;; esac
  out="$dir/at-$n.txt"
  {
    echo "## $n ImageBuilds present: operator pid $pid, $(date -u +%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "### /proc/$pid/status"
    grep -E '^(VmRSS|RssAnon|RssFile|RssShmem|VmHWM|Threads):' "/proc/$pid/status"
    echo
    echo "### smaps_rollup"
    sed -n '2,$p' "/proc/$pid/smaps_rollup" | grep -E '^(Rss|Pss|Shared_Clean|Private_Dirty|Anonymous):'
    echo
    echo "### RSS by mapping (top 12, kB): [anon] is GC heap, native heaps, stacks and JIT data; files are mapped assemblies and libraries"
    awk '/^[0-9a-f]+-[0-9a-f]+ /{name=($6==""?"[anon]":$6)} /^Rss:/{rss[name]+=$2} END{for(k in rss) if(rss[k]>0) printf "%8d  %s\n", rss[k], k}' "/proc/$pid/smaps" | sort -rn | awk 'NR <= 12'
  } > "$out"
  # Counters before the dump: the dump's forced full collection would change the generation sizes.
  "$tools/dotnet-counters" collect -p "$pid" --counters 'EventCounters\System.Runtime' --refresh-interval 1 --duration 00:00:00:05 --format csv -o "$dir/counters-$n-eventcounters.csv" >/dev/null
  "$tools/dotnet-counters" collect -p "$pid" --counters System.Runtime --refresh-interval 1 --duration 00:00:00:05 --format csv -o "$dir/counters-$n-meter.csv" >/dev/null
  {
    echo
    echo "### GC and runtime counters (dotnet-counters collect, 5 s, last value of each; EventCounters in MB unless named bytes)"
    for csv in "$dir/counters-$n-eventcounters.csv" "$dir/counters-$n-meter.csv"; do
      # Timestamp,Provider,Counter Name,Counter Type,Mean/Increment: keep the last sample of each counter.
      tail -n +2 "$csv" | awk -F, '{last[$2 " " $3]=$5} END{for(k in last) printf "%-90s %s\n", k, last[k]}' | sort
    done | grep -Ei 'heap|gen|loh|poh|committed|fragment|working|gc-|gc\.|jit|assembl|thread-pool-thread|alloc' || true
  } >> "$out"
  # (awk rather than head after sort: head's early exit would fail the pipeline under pipefail.)
  "$tools/dotnet-gcdump" collect -p "$pid" -o "$dir/operator-$n.gcdump" >/dev/null
  {
    echo
    "$tools/dotnet-gcdump" report "$dir/operator-$n.gcdump" > "$dir/report-$n.txt"
    echo "### dotnet-gcdump report operator-$n.gcdump: what is live after the dump's own full collection"
    head -3 "$dir/report-$n.txt" | grep -E 'GC Heap (bytes|objects)' || true
    echo "top 40 types by bytes (the report lists a type once per size class, bytes per object and count: summed here as bytes x count)"
    printf '%12s %9s  %s\n' bytes count type
    awk 'NR > 4 && $1 ~ /^[0-9,]+$/ { b = $1; c = $2; gsub(",", "", b); gsub(",", "", c); $1 = ""; $2 = ""; sub(/^ +/, ""); sub(/ \(Bytes > [0-9]+K?\)/, "")
         bytes[$0] += b * c; count[$0] += c } END { for (t in bytes) printf "%12d %9d  %s\n", bytes[t], count[t], t }' "$dir/report-$n.txt" | sort -rn | awk 'NR <= 40'
  } >> "$out"
  exit 0
fi

cd "$here/.."
for tool in dotnet-gcdump dotnet-counters; do
  [ -x "$tools/$tool" ] || dotnet tool install --tool-path "$tools" "$tool" --version "$tool_version" >/dev/null
done
export BENCH_ONLY=rss BENCH_SCALE=${BENCH_SCALE:-1000,5000} BENCH_RECONCILE_N=${BENCH_RECONCILE_N:-3}
export MEMPROFILE_AT=${MEMPROFILE_AT:-${BENCH_SCALE##*,}}
stamp=$(date -u +%Y-%m-%d-%H%M)
export MEMPROFILE_DIR=${MEMPROFILE_DIR:-/var/tmp/imagebuilder-memprofile-$stamp}
out=${MEMPROFILE_OUT:-bench/results/memprofile-$(date -u +%F).txt}
mkdir -p "$MEMPROFILE_DIR"
export BENCH_RSS_HOOK="bash '$here/memprofile.sh' --collect"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# scripts/bench.sh builds in Release and runs the bench; its results go to the scratch folder, not bench/results.
BENCH_RESULTS_DIR="$MEMPROFILE_DIR" bash scripts/bench.sh 2>&1 | tee "$MEMPROFILE_DIR/bench.log"
overrides=$(env | grep -E '^BENCH_OPERATOR_' | sort | tr '\n' ' ' || true)
{
  echo "# Operator memory profile, $start (commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- ImageBuilder.Operator || echo ', with uncommitted changes'))"
  echo "# command: BENCH_SCALE=$BENCH_SCALE BENCH_RECONCILE_N=$BENCH_RECONCILE_N MEMPROFILE_AT=$MEMPROFILE_AT ${overrides}bash bench/memprofile.sh"
  echo "# load: the machine's load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg) (2 cores, shared with other sessions' tests)"
  echo "# the bench's figures (scratch $MEMPROFILE_DIR/latest.json):"
  grep -E '"(rss_|settle_per_s|cache_bytes|load_average)' "$MEMPROFILE_DIR/latest.json" | tr -d ' ,' | sed 's/^/#   /' || true
  echo
  for f in "$MEMPROFILE_DIR"/at-*.txt; do [ -f "$f" ] && cat "$f" && echo; done
} > "$out"
echo "memprofile: $out (dumps in $MEMPROFILE_DIR)"
