#!/usr/bin/env bash
# make run: the operator on the host against the development cluster, building the sample
# application end to end. KEEP=1 leaves the operator and the GitHub test server running.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/dev-env.sh"
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "platform (scripts/services.sh up)"
bash scripts/services.sh up >/dev/null
kubectl get nodes

step "building the solution"
dotnet build ImageBuilder.sln --nologo -v q -clp:ErrorsOnly >/dev/null

step "GitHub test server on 127.0.0.1:$GITHUB_PORT with the sample repository demo/hello"
if ! running github-server; then
  start_daemon github-server dotnet ImageBuilder.Operator.Tests/bin/Debug/net10.0/ImageBuilder.Operator.Tests.dll \
    github-server --port "$GITHUB_PORT" --data "$IB_STATE/github" --seed-sample
fi
wait_for 60 "the GitHub test server (log: $IB_LOGS/github-server.log)" grep -q "Sample repository" "$IB_LOGS/github-server.log"
grep "Sample repository" "$IB_LOGS/github-server.log" | tail -1

step "operator on the host (log: $IB_LOGS/operator.log)"
kubectl create namespace "$DEMO_NAMESPACE" >/dev/null 2>&1 || true
if ! running operator; then
  start_daemon operator dotnet ImageBuilder.Operator/bin/Debug/net10.0/ImageBuilder.Operator.dll
fi
wait_for 60 "the operator (log: $IB_LOGS/operator.log)" curl -sf "http://127.0.0.1:$OPERATOR_PORT/readyz"
curl -s "http://127.0.0.1:$OPERATOR_PORT/readyz"; echo
cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    for d in operator github-server; do running $d && kill "$(cat "$IB_RUN/$d.pid")" 2>/dev/null || true; done
  fi
}
trap cleanup EXIT

step "kubectl apply -f config/samples/imagebuild.yaml (namespace $DEMO_NAMESPACE)"
kubectl -n "$DEMO_NAMESPACE" delete imagebuild hello --ignore-not-found >/dev/null
# The sample's commit is fixed, so a previous run's image would make this a cache hit; delete
# it from the registry so the demo really builds (the queued request below then hits the cache).
tag=$(grep -o 'commit [0-9a-f]*' "$IB_LOGS/github-server.log" | tail -1 | cut -d' ' -f2)
manifest="http://$REGISTRY_ADDR/v2/18008/hello/manifests"
digest=$(curl -sfI -u "$REGISTRY_USER:$REGISTRY_PASSWORD" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$manifest/$tag" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
[ -n "$digest" ] && curl -sf -u "$REGISTRY_USER:$REGISTRY_PASSWORD" -X DELETE "$manifest/$digest" >/dev/null && echo "removed the previous sample image $digest"
kubectl -n "$DEMO_NAMESPACE" apply -f config/samples/imagebuild.yaml
last=""
deadline=$((SECONDS + 300))
while :; do
  line=$(kubectl -n "$DEMO_NAMESPACE" get ib hello --no-headers 2>/dev/null || true)
  [ "$line" != "$last" ] && echo "$line" && last=$line
  phase=$(kubectl -n "$DEMO_NAMESPACE" get ib hello -o jsonpath='{.status.phase}' 2>/dev/null || true)
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

step "the same repository as a BuildRequest on the build queue (make submit)"
bash scripts/submit.sh
