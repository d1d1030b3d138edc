#!/usr/bin/env bash
# make submit: publishes a BuildRequest for the sample repository, as the platform's backend
# does, and shows the BuildResponse on the container-manager queue.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/dev-env.sh"
cd "$(dirname "$0")/.."
[ -f ImageBuilder.Operator/bin/Debug/net10.0/ImageBuilder.Operator.dll ] || dotnet build ImageBuilder.Operator --nologo -v q >/dev/null
echo demo-token | dotnet ImageBuilder.Operator/bin/Debug/net10.0/ImageBuilder.Operator.dll submit \
  --repo demo/hello --user 18008 --app hello --branch main --token-file - "$@"
echo "waiting for its BuildResponse on container-manager.images (builds from the queue are named ib-...) ..."
for _ in $(seq 1 120); do
  msg=$(curl -sf -u guest:guest -H 'content-type: application/json' -X POST \
    -d '{"count":1,"ackmode":"ack_requeue_false","encoding":"auto"}' \
    http://127.0.0.1:15672/api/queues/%2F/container-manager.images/get | jq -r '.[0].payload // empty')
  # Other responses (e.g. of kubectl-applied builds) are consumed and skipped: nobody else reads this queue here.
  if [ -n "$msg" ]; then
    case "$(jq -r .imageBuild <<<"$msg")" in "$DEMO_NAMESPACE"/ib-*) ;; *) msg="" ;; esac
  fi
  if [ -n "$msg" ]; then echo "$msg" | jq .; exit 0; fi
  sleep 1
done
die "no BuildResponse arrived in 120 s (is the operator running? make run starts it)"
