#!/usr/bin/env bash
# make bench: measures the operator on this machine in one run and writes bench/results/latest.json
# and latest.md (and scaling.png when the rss figures ran). Sizes via env: BENCH_INGEST_N (200),
# BENCH_RECONCILE_N (20), BENCH_SAMPLES (5), BENCH_SCALE (1000,5000,20000), BENCH_RSS_MINUTES (5),
# BENCH_THROUGHPUT_N (50), BENCH_FAIRNESS_N (20). BENCH_ONLY (comma-separated: ingest, queue_fairness,
# cache_hit, reconcile, e2e, throughput, warm_cold, rss) runs only those figures, e.g. BENCH_ONLY=e2e,warm_cold for the
# BuildKit figures in a few minutes. Everything it starts is scoped to bench-* namespaces
# and bench-* queues, and removed at the end. BENCH_RESULTS_DIR writes the figures elsewhere (bench/profile.sh
# uses a scratch folder so a profiling run never replaces the committed latest.json).
source "$(dirname "$0")/common.sh"
cd "$(dirname "$0")/.."
env_file=$(bash scripts/services.sh up 2>/dev/null | sed -n 's/^PLATFORM_ENV=//p' | tail -1)
[ -n "$env_file" ] || die "scripts/services.sh up did not print PLATFORM_ENV"
log "building (Release)"
# Quiet, but a failed build says why instead of ending the bench without a word.
dotnet build ImageBuilder.Operator -c Release --nologo -v q -clp:ErrorsOnly >/dev/null || die "the operator's Release build failed: dotnet build ImageBuilder.Operator -c Release"
dotnet build bench/ImageBuilder.Bench -c Release --nologo -v q -clp:ErrorsOnly >/dev/null || die "the bench's Release build failed: dotnet build bench/ImageBuilder.Bench -c Release"
# The raw baseline runs buildctl-daemonless.sh on the host with the BuildKit the platform built.
export BENCH_BUILDKIT_BIN="$BUILDKIT_BIN"
log "measuring ${BENCH_ONLY:-every figure} (a full run takes about 30 minutes)"
# BENCH_RESULTS_DIR: where latest.json/.md and scaling.png go (make profile and bench/memprofile.sh keep their runs out of bench/results).
dotnet bench/ImageBuilder.Bench/bin/Release/net10.0/ImageBuilder.Bench.dll "$env_file" . "${BENCH_RESULTS_DIR:-bench/results}"
