#!/usr/bin/env bash
# make chaos: the soak of issue 15 on the development platform and the real build path (rootless BuildKit Jobs).
# CHAOS_N requests (default 500) while every fault of the soak happens at least once: the leading operator
# SIGKILLed, RabbitMQ restarted, the registry stopped for 30 s, the kube-apiserver restarted, build pods killed
# mid-build, the operators' broker connections cut at a proxy. Figures of the full run: bench/results/chaos.json
# (a smaller run writes them to its scratch folder; CHAOS_RESULTS=FILE overrides). Scratch (operator logs, the
# GitHub test server's repositories) goes to CHAOS_WORK, a new folder under /tmp by default: never the source tree.
# It restarts shared services, so it is not part of make test (scripts/test.sh excludes Category=Chaos).
source "$(dirname "$0")/common.sh"
cd "$(dirname "$0")/.."
bash scripts/services.sh up >/dev/null
export CHAOS_WORK="${CHAOS_WORK:-$(mktemp -d /tmp/imagebuilder-chaos-XXXXXX)}"
log "chaos: ${CHAOS_N:-500} requests; operator logs and scratch in $CHAOS_WORK"
start=$SECONDS
# The test starts the operator replicas from ImageBuilder.Operator/bin/Debug (built by dotnet test). --results-directory
# keeps anything a logger writes out of the source tree too.
set +e
dotnet test ImageBuilder.Operator.Tests --nologo --filter "Category=Chaos" --results-directory "$CHAOS_WORK/test-results" \
  --logger "console;verbosity=normal" "$@"
rc=$?
set -e
log "chaos finished in $((SECONDS - start))s (exit $rc); scratch in $CHAOS_WORK"
exit "$rc"
