#!/usr/bin/env bash
# The test command of the README: brings the platform up (installing what is missing)
# and runs every test against it. Prints a closing "N passed, N failed" line.
source "$(dirname "$0")/common.sh"
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null || die "the .NET 10 SDK is required (https://dotnet.microsoft.com/download); this machine image ships it"
start=$SECONDS
bash scripts/services.sh up >/dev/null
log "platform up in $((SECONDS - start))s"
apt_ensure prometheus # promtool and prometheus for the observability tests (Deploy/PromtoolTests, Integration/Evidence)
out=$(mktemp)
set +e
# The chaos soak (make chaos) takes minutes; it is run on its own. TEST_FILTER narrows the run
# (e.g. TEST_FILTER='FullyQualifiedName~Reconciliation').
filter="Category!=Chaos${TEST_FILTER:+&(${TEST_FILTER})}"
dotnet test ImageBuilder.sln --nologo --filter "$filter" "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e
summary=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+' "$out" | tail -1)
if [ -n "$summary" ]; then
  failed=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
  passed=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
  skipped=$(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$summary")
  # A failure's message is printed where the test ended, often thousands of lines up (with its test's whole
  # log after it); CI keeps only the end of the output, so each failure is repeated here in short: the test,
  # its message (at most 12 lines) and the first frame in our code.
  [ "$failed" = 0 ] || awk '
    /^  Failed .* \[[^]]*\]$/ { sub(/^  /, ""); print; mode = "message"; n = 0; next }
    mode == "message" && /^  Error Message:$/ { next }
    mode == "message" && /^  Stack Trace:$/ { mode = "stack"; next }
    mode == "message" { sub(/^ +/, ""); if (n++ < 12) print "    " $0; next }
    mode == "stack" && /^ +at ImageBuilder\./ { sub(/^ +/, ""); sub(/ in .*\//, " in "); print "    " $0; mode = ""; next }
    mode == "stack" && !/^ +at / { mode = "" }' "$out"
  echo "$passed passed, $failed failed, $skipped skipped"
fi
rm -f "$out"
log "tests finished in $((SECONDS - start))s (exit $rc)"
exit "$rc"
