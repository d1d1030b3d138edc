#!/usr/bin/env bash
# make profile PHASE=ingest|reconcile-idle|settle: runs make bench for that one phase (BENCH_ONLY and small sizes, results
# in a scratch folder) and, while the phase runs, traces the operator process with
# `dotnet-trace collect` (stack sampling; see trace_profile below) and dotnet-counters, samples the CPU of the operator, kube-apiserver,
# etcd, RabbitMQ and the bench from /proc, then writes bench/results/profile-<phase>.txt: the CPU split (is the
# operator busy itself, or waiting on an apiserver that has the cores?) and dotnet-trace's top methods.
# The bench hands over the operator's pid at the phase's start and waits for the tracer (bench/ImageBuilder.Bench/ProfileHook.cs).
# Sizes: the bench's own BENCH_* variables; defaults here are small (ingest 600, reconcile 10, settle 500).
# PROFILE_OUT names another summary file; the raw trace and the bench's output stay in PROFILE_WORK (printed).
# Developer tool: CI does not run it. The diagnostics tools are installed outside the repository on first use.
source "$(dirname "$0")/../scripts/common.sh"
cd "$(dirname "$0")/.."
phase=${1:-${PHASE:-}}
case "$phase" in
  ingest) export BENCH_ONLY=ingest BENCH_INGEST_N=${BENCH_INGEST_N:-600} ;;
  reconcile-idle) export BENCH_ONLY=reconcile BENCH_RECONCILE_N=${BENCH_RECONCILE_N:-10} ;;
  # The settle batch is the first (here the only) size of BENCH_SCALE; rss also samples a few reconciles after it.
  settle) export BENCH_ONLY=rss BENCH_SCALE=${BENCH_SCALE:-500} BENCH_RECONCILE_N=${BENCH_RECONCILE_N:-3} BENCH_RSS_MINUTES=${BENCH_RSS_MINUTES:-1} ;;
  *) die "usage: bench/profile.sh ingest|reconcile-idle|settle (or make profile PHASE=...)" ;;
esac

tools=${IB_CACHE:-/var/cache/imagebuilder}/tools/dotnet-diag
diag_version=10.0.750501
for tool in dotnet-trace dotnet-counters; do
  if [ ! -x "$tools/$tool" ]; then
    log "installing $tool $diag_version into $tools"
    dotnet tool install --tool-path "$tools" "$tool" --version "$diag_version" >/dev/null || die "dotnet tool install $tool failed"
  fi
done

# dotnet-trace 10 names the EventPipe stack sampler `dotnet-sampled-thread-time` (~100 Hz, every managed thread,
# running or waiting); its `cpu-sampling` profile belongs to `collect-linux`, which needs the kernel's user_events
# (absent on this machine's kernel: no /sys/kernel/tracing/user_events_data). So the CPU each process really used
# comes from /proc below, and the trace says where the operator's threads are (running or blocked).
trace_profile=dotnet-sampled-thread-time,dotnet-common
work=${PROFILE_WORK:-$(mktemp -d /tmp/imagebuilder-profile-XXXXXX)}
mkdir -p "$work/hook" "$work/results"
out=${PROFILE_OUT:-bench/results/profile-$phase.txt}
log "profiling $phase; scratch in $work"
started=$(date -u +%FT%TZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

BENCH_PROFILE_DIR="$work/hook" BENCH_PROFILE_PHASE="$phase" BENCH_RESULTS_DIR="$work/results" \
  bash scripts/bench.sh >"$work/bench.out" 2>&1 &
bench=$!

# CPU seconds (utime + stime) of a pid, or 0 once it is gone.
cpu_of() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pid_of() { local p; for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] && { basename "$p"; return; }; done; echo ""; }
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat; }

while [ ! -s "$work/hook/pid" ]; do
  kill -0 "$bench" 2>/dev/null || { tail -20 "$work/bench.out" >&2; die "the bench ended before the $phase phase (output above, whole in $work/bench.out)"; }
  sleep 0.2
done
op=$(tr -d '\n' <"$work/hook/pid")
# Job control, so the tracer in the background keeps SIGINT (its way to stop and write the trace).
set -m
"$tools/dotnet-trace" collect -p "$op" --profile "$trace_profile" -o "$work/operator.nettrace" >"$work/trace.out" 2>&1 &
tracer=$!
"$tools/dotnet-counters" collect -p "$op" --counters System.Runtime,System.Net.Http --format csv --refresh-interval 1 -o "$work/counters.csv" >"$work/counters.out" 2>&1 &
counters=$!
set +m
# The session is open once dotnet-trace says so; then the phase may start.
for _ in $(seq 1 100); do grep -q "Recording trace\|Process" "$work/trace.out" 2>/dev/null && break; sleep 0.1; done
sleep 1

declare -A names=([operator]="$op" [kube-apiserver]="$(pid_of kube-apiserver)" [etcd]="$(pid_of etcd)" [rabbitmq]="$(pid_of beam.smp)")
bench_pid=$(pgrep -P "$bench" -f ImageBuilder.Bench.dll | head -1 || true)
names[bench]=${bench_pid:-0}
declare -A cpu0
for n in "${!names[@]}"; do cpu0[$n]=$(cpu_of "${names[$n]:-0}"); done
read -r busy0 idle0 < <(busy_ticks)
t0=$(date +%s.%N)
touch "$work/hook/attached"

# top every 2 s while the phase runs: the processes above, and what else has the cores.
( while [ ! -e "$work/hook/done" ] && kill -0 "$bench" 2>/dev/null; do
    top -b -n 1 -w 200 | sed -n '1,3p;7,14p'
    sleep 2
  done ) >"$work/top.txt" 2>&1 &
sampler=$!

while [ ! -e "$work/hook/done" ]; do
  kill -0 "$bench" 2>/dev/null || { kill -INT "$tracer" "$counters" 2>/dev/null || true; die "the bench ended during the phase (see $work/bench.out)"; }
  sleep 0.2
done
t1=$(date +%s.%N)
read -r busy1 idle1 < <(busy_ticks)
declare -A cpu1
for n in "${!names[@]}"; do cpu1[$n]=$(cpu_of "${names[$n]:-0}"); done
load_during=$(cut -d' ' -f1-3 /proc/loadavg)
kill -INT "$tracer" "$counters" 2>/dev/null || true
wait "$tracer" || log "dotnet-trace exited $? (see $work/trace.out)"
touch "$work/hook/detached"
wait "$counters" || true
wait "$sampler" || true
wait "$bench" || log "the bench exited $? (see $work/bench.out)"

wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
{
  echo "# bench/profile.sh $phase"
  echo "# command: bench/profile.sh $phase  (BENCH_ONLY=$BENCH_ONLY BENCH_INGEST_N=${BENCH_INGEST_N:-} BENCH_RECONCILE_N=${BENCH_RECONCILE_N:-} BENCH_SCALE=${BENCH_SCALE:-})"
  echo "# tracer: dotnet-trace $diag_version collect -p <operator> --profile $trace_profile; dotnet-counters collect --counters System.Runtime,System.Net.Http"
  echo "# started: $started; commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with uncommitted changes)')"
  echo "# load average: before $load_before; at the phase's end $load_during; $(nproc) cores"
  echo
  echo "## The bench's figures for this phase"
  grep -E '^(ingest|reconcile|scale|cache hit|profile)\b' "$work/bench.out" || echo "(none printed; see $work/bench.out)"
  echo
  echo "## CPU during the phase ($wall s of wall time; a core for the whole phase = $wall s)"
  printf '%-16s %10s %10s\n' process cpu_s cores
  for n in operator kube-apiserver etcd rabbitmq bench; do
    awk -v n="$n" -v a="${cpu0[$n]}" -v b="${cpu1[$n]}" -v w="$wall" 'BEGIN { printf "%-16s %10.2f %10.2f\n", n, b - a, (b - a) / w }'
  done
  awk -v b="$((busy1 - busy0))" -v i="$((idle1 - idle0))" -v w="$wall" 'BEGIN { printf "%-16s %10.2f %10.2f   (busy of %.0f core-seconds; the rest idle or iowait)\n", "whole machine", b / 100, b / 100 / w, (b + i) / 100 }'
  echo
  echo "## The operator's outgoing HTTP calls (System.Net.Http meter: request duration by server, mean of the 1 s samples"
  echo "## with requests; 127.0.0.1:6443 is the apiserver, the registry is :5000, the GitHub test server another port)"
  if [ -s "$work/counters.csv" ]; then
    awk -F, '$3 ~ /http.client.request.duration/ && $NF + 0 > 0 { n[$3]++; sum[$3] += $NF } END { for (k in n) printf "  %-150s mean %.4f s over %d samples\n", k, sum[k] / n[k], n[k] }' "$work/counters.csv" \
      | sed 's/http.client.request.duration (s)//; s/http.response.status_code=//; s/network.protocol.version=//; s/url.scheme=//' | sort | head -40
    awk -F, '$3 ~ /http.client.active_requests/ { if ($NF + 0 > max[$3]) max[$3] = $NF + 0 } END { for (k in max) printf "  %s: at most %d at once\n", k, max[k] }' "$work/counters.csv" | sort | head -10
  fi
  echo
  echo "## Operator runtime counters (dotnet-counters, last sample of the phase)"
  if [ -s "$work/counters.csv" ]; then
    grep -v 'http\.' "$work/counters.csv" | tail -n 60 | awk -F, 'NR > 1 { last[$3] = $NF } END { for (k in last) print "  " k " = " last[k] }' | sort | head -30
  else
    echo "  (no counters; see $work/counters.out)"
  fi
  echo
  echo "## Where the operator's threads were (bench/profile_stacks.py on the trace as Speedscope)"
  if "$tools/dotnet-trace" convert "$work/operator.nettrace" --format Speedscope -o "$work/operator" >/dev/null 2>&1; then
    python3 bench/profile_stacks.py "$work/operator.speedscope.json" 30
  else
    echo "  (dotnet-trace convert failed)"
  fi
  echo
  echo "## Top 25 methods by exclusive time (dotnet-trace report topN; sampled threads include waiting ones)"
  "$tools/dotnet-trace" report "$work/operator.nettrace" topN -n 25 2>&1 || true
  echo
  echo "## Top 40 methods by inclusive time"
  "$tools/dotnet-trace" report "$work/operator.nettrace" topN -n 40 --inclusive 2>&1 || true
  echo
  echo "## top -b samples during the phase (first and last)"
  awk '/^top - /{ n++ } { block[n] = block[n] $0 "\n" } END { printf "%s", block[1]; if (n > 1) printf "...\n%s", block[n] }' "$work/top.txt"
} >"$out"
log "wrote $out (raw trace: $work/operator.nettrace)"
