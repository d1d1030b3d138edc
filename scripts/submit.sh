#!/usr/bin/env bash
# make submit: publishes a BuildRequest for the sample repository, as the platform's backend
# does, and shows the BuildResponse on the container-manager queue. The queues are make run's
# own (dev-env.sh: $RabbitMq__BuildQueue, $RabbitMq__ContainerManagerQueue), which only its
# host operator consumes.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/dev-env.sh"
cd "$(dirname "$0")/.."
[ -f ImageBuilder.Operator/bin/Debug/net10.0/ImageBuilder.Operator.dll ] || dotnet build ImageBuilder.Operator --nologo -v q >/dev/null
# This queue is the demo's own: answers left by an earlier run would pass for this request's.
curl -s -o /dev/null -u guest:guest -X DELETE "http://127.0.0.1:15672/api/queues/%2F/$RabbitMq__ContainerManagerQueue/contents" || true
echo demo-token | dotnet ImageBuilder.Operator/bin/Debug/net10.0/ImageBuilder.Operator.dll submit \
  --repo demo/hello --user 18008 --app hello --branch main --token-file - --queue "$RabbitMq__BuildQueue" "$@"
echo "waiting for its BuildResponse on $RabbitMq__ContainerManagerQueue (builds from the queue are named ib-...) ..."
for _ in $(seq 1 120); do
  msg=$(curl -sf -u guest:guest -H 'content-type: application/json' -X POST \
    -d '{"count":1,"ackmode":"ack_requeue_false","encoding":"auto"}' \
    "http://127.0.0.1:15672/api/queues/%2F/$RabbitMq__ContainerManagerQueue/get" | jq -r '.[0].payload // empty')
  # Other responses (e.g. of kubectl-applied builds) are consumed and skipped: nobody else reads this queue here.
  if [ -n "$msg" ]; then
    case "$(jq -r .imageBuild <<<"$msg")" in "$DEMO_NAMESPACE"/ib-*) ;; *) msg="" ;; esac
  fi
  if [ -n "$msg" ]; then echo "$msg" | jq .; exit 0; fi
  sleep 1
done
die "no BuildResponse arrived in 120 s (is the operator running? make run starts it)"
