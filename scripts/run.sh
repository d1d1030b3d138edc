#!/usr/bin/env bash
# make run: the operator on the host against the development cluster, building the sample
# application end to end. KEEP=1 leaves the operator and the GitHub test server running.
#
# The host operator is kept apart from everything else on the shared cluster: it watches only
# $DEMO_NAMESPACE and consumes its own queues (dev-env.sh: demo.image-builder.build, ...), so
# `make up`'s replicas (image-builder.build) and the tests' operators never take its work, nor it theirs.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/dev-env.sh"
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
SAMPLE_REPO=demo/hello
SAMPLE_TOKEN=demo-token

step "platform (scripts/services.sh up)"
bash scripts/services.sh up >/dev/null
kubectl get nodes

step "building the solution"
dotnet build ImageBuilder.sln --nologo -v q -clp:ErrorsOnly >/dev/null

# The sample's newest commit on main, from the live server's API (the token goes on stdin, not
# the command line). Readiness of the server = this answer, from the process we started.
sample_commit() {
  curl -sf -H @- -H 'Accept: application/vnd.github.sha' \
    "http://127.0.0.1:$GITHUB_PORT/api/v3/repos/$SAMPLE_REPO/commits/main" <<<"Authorization: token $SAMPLE_TOKEN"
}

# Also when a step fails: stop_daemon stops only the processes this script's pid files name.
cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    stop_daemon operator
    stop_daemon github-server
  fi
}
trap cleanup EXIT

step "GitHub test server on 127.0.0.1:$GITHUB_PORT with the sample repository $SAMPLE_REPO"
if ! daemon_listens github-server "$GITHUB_PORT"; then
  # A taken port is named before anything is stopped; then a server of ours that does not
  # listen (a previous run's, still starting or stopping) is replaced.
  ensure_port_free_for github-server "$GITHUB_PORT"
  stop_daemon github-server
  start_daemon github-server dotnet ImageBuilder.GitHubServer/bin/Debug/net10.0/ImageBuilder.GitHubServer.dll \
    --port "$GITHUB_PORT" --data "$IB_STATE/github" --seed-sample
fi
wait_daemon 60 github-server "$GITHUB_PORT" sample_commit
commit=$(sample_commit)
echo "$SAMPLE_REPO at commit $commit: http://127.0.0.1:$GITHUB_PORT/$SAMPLE_REPO.git (pid $(daemon_pid github-server))"

operator_ready() { curl -sf "http://127.0.0.1:$OPERATOR_PORT/readyz" >/dev/null; }
step "operator on the host (log: $IB_LOGS/operator.log)"
kubectl create namespace "$DEMO_NAMESPACE" >/dev/null 2>&1 || true
if ! daemon_listens operator "$OPERATOR_PORT"; then
  ensure_port_free_for operator "$OPERATOR_PORT"
  stop_daemon operator
  start_daemon operator dotnet ImageBuilder.Operator/bin/Debug/net10.0/ImageBuilder.Operator.dll
fi
wait_daemon 60 operator "$OPERATOR_PORT" operator_ready
curl -s "http://127.0.0.1:$OPERATOR_PORT/readyz"; echo

# Say what else consumes build requests on this machine: make up's release takes
# image-builder.build, which this demo does not use.
releases=$(helm --kubeconfig "$KUBECONFIG" list -A -o json 2>/dev/null | jq -r '.[] | select(.chart | startswith("image-builder-")) | "\(.name) in namespace \(.namespace)"' || true)
if [ -n "$releases" ]; then
  echo "also installed (helm releases of the chart, as make up installs one): $(awk -v ORS= 'NR > 1 {print ", "} {print}' <<<"$releases")." \
    "Their replicas consume their own build queue (image-builder.build by default); this demo's operator consumes $RabbitMq__BuildQueue"
fi
consumers=$(curl -sf -u guest:guest "http://127.0.0.1:15672/api/queues/%2F/$RabbitMq__BuildQueue" | jq -r '.consumers // 0' || echo 0)
if [ "${consumers:-0}" -gt 1 ]; then
  echo "warning: $consumers consumers on $RabbitMq__BuildQueue, not only this operator: another process may take the demo's request"
fi

step "kubectl apply -f config/samples/imagebuild.yaml (namespace $DEMO_NAMESPACE)"
# Foreground and waited for: the previous run's Job has the same name, and the garbage collector
# would otherwise delete it under the new ImageBuild's feet.
kubectl -n "$DEMO_NAMESPACE" delete imagebuild hello --ignore-not-found --cascade=foreground --wait=true --timeout=60s >/dev/null
# The sample's commit is fixed, so a previous run's image would make this a cache hit; delete
# it from the registry so the demo really builds (the queued request below then hits the cache).
# On a fresh machine there is none: the registry answers 404 and there is nothing to delete.
manifest="http://$REGISTRY_ADDR/v2/18008/hello/manifests"
digest=$(curl -s -o /dev/null -D - -u "$REGISTRY_USER:$REGISTRY_PASSWORD" -I \
  -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "$manifest/$commit" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}' || true)
if [ -n "$digest" ]; then
  curl -sf -u "$REGISTRY_USER:$REGISTRY_PASSWORD" -X DELETE "$manifest/$digest" >/dev/null \
    || die "could not delete the previous sample image $digest from the registry"
  echo "removed the previous sample image $digest"
else
  echo "no previous sample image in the registry"
fi
kubectl -n "$DEMO_NAMESPACE" apply -f config/samples/imagebuild.yaml
last=""
deadline=$((SECONDS + 300))
while :; do
  # The phase is read before the line: a terminal phase does not change, so the last line printed
  # always shows it (read the other way round, a build finishing between the two reads ended the
  # loop with its Succeeded line never printed).
  phase=$(kubectl -n "$DEMO_NAMESPACE" get ib hello -o jsonpath='{.status.phase}' 2>/dev/null || true)
  line=$(kubectl -n "$DEMO_NAMESPACE" get ib hello --no-headers 2>/dev/null || true)
  [ "$line" != "$last" ] && echo "$line" && last=$line
  [ "$phase" = Succeeded ] || [ "$phase" = Failed ] && break
  [ $SECONDS -ge $deadline ] && die "the build did not finish in 300 s; see kubectl -n $DEMO_NAMESPACE describe ib hello"
  sleep 1
done
kubectl -n "$DEMO_NAMESPACE" describe ib hello | sed -n '/^Status:/,$p'
[ "$phase" = Succeeded ] || die "the sample build failed"

step "pulling the image by its digest and running it"
image=$(kubectl -n "$DEMO_NAMESPACE" get ib hello -o jsonpath='{.status.image}')
digest=$(kubectl -n "$DEMO_NAMESPACE" get ib hello -o jsonpath='{.status.digest}')
echo "$image  ($digest)"
docker pull -q "${image%:*}@$digest" >/dev/null
docker run --rm --network none "${image%:*}@$digest"

step "the same repository as a BuildRequest on the build queue $RabbitMq__BuildQueue (make submit)"
bash scripts/submit.sh

step "the build dashboard"
echo "http://127.0.0.1:$OPERATOR_PORT/  (live builds, queues, registry; KEEP=1 make run keeps it up)"
