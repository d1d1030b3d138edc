#!/usr/bin/env bash
# make chaos: the fault test of issue 6 on the development platform (about 3 to 6 minutes). 100 BuildRequests
# while the leading operator process is SIGKILLed five times and RabbitMQ restarts once; every request must be
# notified (duplicates only with the same message id) and built at most once. Figures: bench/results/chaos.json.
# Not part of make test (scripts/test.sh excludes Category=Chaos).
source "$(dirname "$0")/common.sh"
cd "$(dirname "$0")/.."
bash scripts/services.sh up >/dev/null
# The test starts the operator replicas from ImageBuilder.Operator/bin/Debug (built by dotnet test).
dotnet test ImageBuilder.Operator.Tests --nologo --filter "Category=Chaos" --logger "console;verbosity=normal" "$@"
