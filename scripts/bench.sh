#!/usr/bin/env bash
# make bench: measures the operator on this machine in one run and writes bench/results/latest.json
# and latest.md. Sizes via env: BENCH_INGEST_N (200), BENCH_RECONCILE_N (20), BENCH_SAMPLES (5),
# BENCH_RSS_N (5000), BENCH_RSS_MINUTES (5). Everything it starts is scoped to bench-* namespaces
# and bench-* queues, and removed at the end.
source "$(dirname "$0")/common.sh"
cd "$(dirname "$0")/.."
env_file=$(bash scripts/services.sh up 2>/dev/null | sed -n 's/^PLATFORM_ENV=//p' | tail -1)
[ -n "$env_file" ] || die "scripts/services.sh up did not print PLATFORM_ENV"
log "building (Release)"
dotnet build ImageBuilder.Operator -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
dotnet build bench/ImageBuilder.Bench -c Release --nologo -v q -clp:ErrorsOnly >/dev/null
log "measuring (the default sizes take about 10 minutes)"
dotnet bench/ImageBuilder.Bench/bin/Release/net10.0/ImageBuilder.Bench.dll "$env_file" . bench/results
