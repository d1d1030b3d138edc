#!/usr/bin/env bash
# make fuzz: afl-fuzz (Debian's afl++) drives the build-request parser through SharpFuzz for
# FUZZ_SECONDS, checking its contract on every input (fuzz/ImageBuilder.Fuzz/ParserContract.cs).
# Everything it writes stays outside the repo, under FUZZ_ROOT/FUZZ_NAME: the published harness,
# its instrumented copy, afl's queue and findings. Ends with one "fuzz:" line of figures, prints
# every crashing input with the contract it broke, and exits 1 when any breach replays.
#   FUZZ_SECONDS  how long afl-fuzz runs (default 3600)
#   FUZZ_NAME     the run's folder, so a short run never disturbs a long one (default long)
#   FUZZ_ROOT     where runs live (default /var/tmp/imagebuilder-fuzz)
#   FUZZ_NICE     niceness of afl-fuzz and the harness (default 10: the machine is shared)
#   FUZZ_RESUME=1 continue the previous run of FUZZ_NAME from its queue instead of the seeds
source "$(dirname "$0")/common.sh"
cd "$(dirname "$0")/.."
: "${FUZZ_SECONDS:=3600}" "${FUZZ_NAME:=long}" "${FUZZ_ROOT:=/var/tmp/imagebuilder-fuzz}" "${FUZZ_NICE:=10}" "${FUZZ_RESUME:=0}"
case "$FUZZ_SECONDS" in ''|*[!0-9]*) die "FUZZ_SECONDS must be a whole number of seconds" ;; esac
work="$FUZZ_ROOT/$FUZZ_NAME"
mkdir -p "$work"

apt_ensure afl++
# SharpFuzz's instrumenter is a local dotnet tool (dotnet-tools.json), never a global one.
dotnet tool restore >/dev/null

log "publishing the harness into $work"
rm -rf "$work/plain" "$work/afl"
# --artifacts-path keeps this build out of the checkout's bin/ and obj/ (a concurrent dotnet
# build or test of the work tree is not disturbed) and cached here for the next run.
dotnet publish fuzz/ImageBuilder.Fuzz/ImageBuilder.Fuzz.csproj -c Release --artifacts-path "$work/artifacts" -o "$work/plain" --nologo -v q >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log" >&2; die "dotnet publish of the fuzz harness failed"; }
# afl runs an instrumented copy; replays use the plain one, which needs no afl shared memory.
cp -a "$work/plain" "$work/afl"
dotnet tool run sharpfuzz "$work/afl/ImageBuilder.Operator.dll" >"$work/instrument.log" 2>&1 \
  || { cat "$work/instrument.log" >&2; die "sharpfuzz could not instrument ImageBuilder.Operator.dll"; }

# Seeds: the committed corpus (made from the test corpora) and every past finding.
rm -rf "$work/seeds" && mkdir -p "$work/seeds"
find fuzz/corpus fuzz/regressions -maxdepth 1 -type f ! -name '*.md' -exec cp -t "$work/seeds" {} +
input="$work/seeds"
if [ "$FUZZ_RESUME" = 1 ] && [ -d "$work/out/default/queue" ]; then
  input=-
else
  rm -rf "$work/out"
fi

# The VM allows no core_pattern or CPU governor changes; .NET is not afl-compiled (SharpFuzz speaks
# the fork-server protocol itself); leave CPU pinning to the scheduler on a shared machine.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_SKIP_CRASHES=1
log "afl-fuzz for ${FUZZ_SECONDS}s (log: $work/afl.log)"
set +e
# A fixed 5 s per input, not afl's auto-scaled one (about 0.3 s): on a loaded shared machine a
# scheduling stall became a "hang", and the harness killed for it an unreproducible "crash".
nice -n "$FUZZ_NICE" afl-fuzz -i "$input" -o "$work/out" -V "$FUZZ_SECONDS" -t 5000 -m none -x fuzz/request.dict \
  -- dotnet "$work/afl/ImageBuilder.Fuzz.dll" >"$work/afl.log" 2>&1
rc=$?
set -e
stats="$work/out/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  tail -40 "$work/afl.log" >&2
  die "afl-fuzz did not start (exit $rc)"
fi
stat() { sed -nE "s/^$1 +: (.*)$/\1/p" "$stats" | head -1; }
crashes=$(stat saved_crashes)
hangs=$(stat saved_hangs)

# Each crash and hang replayed through the plain harness: the contract it broke and the input.
# The parser is deterministic, so a breach replays; one that does not was the harness process
# dying for another reason (killed, out of memory on a crowded machine) and is only reported.
reproduced=0
shopt -s nullglob
for f in "$work/out/default/crashes"/id:* "$work/out/default/hangs"/id:*; do
  echo "--- $f"
  if ! timeout 120 dotnet "$work/plain/ImageBuilder.Fuzz.dll" replay "$f"; then
    reproduced=$((reproduced + 1))
  fi
done
echo "fuzz: seconds=$(stat run_time) execs=$(stat execs_done) exec/s=$(stat execs_per_sec) paths=$(stat corpus_count) coverage=$(stat bitmap_cvg) edges=$(stat edges_found)/$(stat total_edges) crashes=$crashes hangs=$hangs reproduced=$reproduced afl_exit=$rc out=$work/out"
[ "$reproduced" = 0 ] || die "$reproduced input(s) break the parser's contract on replay; keep each in fuzz/regressions/ and fix the parser"
