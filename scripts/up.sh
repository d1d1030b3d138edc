#!/usr/bin/env bash
# make up: the operator inside the development cluster, installed as production installs it
# (the Helm chart), with three replicas on the same queue and leader election.
#   1. the platform (scripts/services.sh up)
#   2. the operator image (scripts/operator-image.sh: build if changed, push)
#   3. the CRD from deploy/crds (Helm never upgrades CRDs; the chart's copy is checked by ChartTests, never rewritten)
#   4. helm upgrade --install with values-dev.yaml and the exact image tag just built
#   5. wait for the rollout; print the pods and which one holds the leader Lease
# Idempotent: a second run with nothing changed rebuilds nothing and changes nothing.
#   IB_NAMESPACE=...   release namespace (default image-builder)
#   UP_TIMEOUT=...     rollout timeout in seconds (default 300)
source "$(dirname "$0")/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CHART="$ROOT/deploy/helm/image-builder"
NS=${IB_NAMESPACE:-image-builder}
RELEASE=image-builder
TIMEOUT=${UP_TIMEOUT:-300}

platform() {
  local out env_file
  out=$(bash "$HERE/services.sh" up 2>"$IB_LOGS/up-services.log") \
    || { tail -20 "$IB_LOGS/up-services.log" >&2; die "the platform did not come up (scripts/services.sh up)"; }
  env_file=$(sed -n 's/^PLATFORM_ENV=//p' <<<"$out" | tail -1)
  [ -f "$env_file" ] || die "scripts/services.sh did not print PLATFORM_ENV=<file>"
  set -a; source "$env_file"; set +a
  kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG" "$@"; }
  hm() { "$HELM" --kubeconfig "$KUBECONFIG" "$@"; }
}

build_image() {
  local out
  out=$(bash "$HERE/operator-image.sh") || die "the operator image was not built (scripts/operator-image.sh)"
  IMAGE=$(sed -n 's/^IMAGE=//p' <<<"$out" | tail -1)
  [ -n "$IMAGE" ] || die "scripts/operator-image.sh did not print IMAGE=<ref>"
  TAG=${IMAGE##*:}
  log "operator image $IMAGE"
}

# deploy/crds is the source of truth and what is applied here (Helm never upgrades a CRD). The chart
# carries a committed copy for `helm install` on a new cluster; ChartTests fails when the two differ.
# make up only warns: it never rewrites a tracked file.
install_crds() {
  local f
  for f in "$ROOT"/deploy/crds/*.yaml; do
    cmp -s "$f" "$CHART/crds/$(basename "$f")" \
      || log "warning: deploy/helm/image-builder/crds/$(basename "$f") differs from deploy/crds; copy it over and commit both"
  done
  kc apply -f "$ROOT/deploy/crds" >/dev/null
  kc wait --for condition=established --timeout=60s -f "$ROOT/deploy/crds" >/dev/null
}

# The registry credentials come from platform.env into a Secret the chart references
# (values-dev.yaml: registry.existingSecret), never through helm --set or the command line.
registry_secret() {
  local dir
  kc get namespace "$NS" >/dev/null 2>&1 || kc create namespace "$NS" >/dev/null
  dir=$(mktemp -d)
  chmod 700 "$dir"
  printf %s "$REGISTRY_USER" >"$dir/username"
  printf %s "$REGISTRY_PASSWORD" >"$dir/password"
  kc -n "$NS" create secret generic image-builder-registry-credentials \
    --from-file=username="$dir/username" --from-file=password="$dir/password" \
    --dry-run=client -o yaml | kc apply -f - >/dev/null
  rm -rf "$dir"
}

# --force-conflicts: the chart owns these objects; a hand edit (kubectl edit/patch) is undone.
# values-dev.yaml: watchReleaseNamespace, so on this shared cluster the operator watches $NS only.
helm_install() {
  log "helm upgrade --install $RELEASE ($NS, image tag $TAG)"
  hm upgrade --install "$RELEASE" "$CHART" -n "$NS" --create-namespace \
    -f "$CHART/values-dev.yaml" --set-string image.tag="$TAG" --force-conflicts >"$IB_LOGS/up-helm.log" 2>&1 \
    || { cat "$IB_LOGS/up-helm.log" >&2; die "helm upgrade --install failed"; }
}

# kubectl logs cannot reach a kubelet on loopback only; this is the node, so ask Docker directly.
show_failure() {
  kc -n "$NS" get pods -o wide >&2 || true
  kc -n "$NS" get events --sort-by=.lastTimestamp 2>/dev/null | tail -15 >&2 || true
  local id
  for id in $(docker ps -aq --filter "label=io.kubernetes.pod.namespace=$NS" --filter label=io.kubernetes.container.name=operator | head -3); do
    echo "--- $(docker inspect -f '{{index .Config.Labels "io.kubernetes.pod.name"}} ({{.State.Status}}, exit {{.State.ExitCode}})' "$id")" >&2
    docker logs --tail 25 "$id" 2>&1 | sed 's/^/    /' >&2
  done
}

wait_rollout() {
  if ! kc -n "$NS" rollout status "deployment/$RELEASE" --timeout="${TIMEOUT}s" >&2; then
    show_failure
    die "the operator did not become ready in ${TIMEOUT}s"
  fi
}

# The Lease names one holder by construction; what can go wrong is a holder that is not one of
# the pods now running (a replica of the previous rollout whose Lease has not expired yet), so
# wait until the holder is a current, Ready pod.
report() {
  local holder="" lease pod pods
  lease=$(kc -n "$NS" get configmap "$RELEASE-config" -o jsonpath='{.data.Controller__LeaderElection__LeaseName}')
  kc -n "$NS" get pods -l "app.kubernetes.io/instance=$RELEASE" -o wide
  for _ in $(seq 1 60); do
    pods=$(kc -n "$NS" get pods -l "app.kubernetes.io/instance=$RELEASE" \
      -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.containerStatuses[0].ready}{" "}{.metadata.deletionTimestamp}{"\n"}{end}' \
      | awk '$2 == "true" && NF == 2 {print $1}')
    holder=$(kc -n "$NS" get lease "$lease" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null || true)
    # The identity is <pod name>_<random suffix> (the operator's LeaseLeaderElection).
    pod=${holder%_*}
    [ -n "$holder" ] && grep -qxF "$pod" <<<"$pods" && break
    holder=""
    sleep 1
  done
  [ -n "$holder" ] || { show_failure; die "no Ready pod of $RELEASE holds the Lease $NS/$lease after 60 s"; }
  echo "leader: $pod (Lease $NS/$lease, holderIdentity $holder); $(grep -c . <<<"$pods") Ready replicas, one leader"
}

main() {
  local start=$SECONDS
  platform
  build_image
  install_crds
  registry_secret
  helm_install
  wait_rollout
  report
  log "up in $((SECONDS - start))s: helm -n $NS status $RELEASE; make down (scripts/undeploy.sh) removes it"
  # values-dev.yaml's GitHub:ApiUrl is the demo's test server; without it builds fail as service faults.
  port_taken 8090 || log "note: nothing listens on 127.0.0.1:8090 (GitHub test server); KEEP=1 make run starts it"
  # make run's host operator consumes demo.* queues in namespace demo (scripts/dev-env.sh), so the two never share a request.
  log "this release consumes $(kc -n "$NS" get configmap "$RELEASE-config" -o jsonpath='{.data.RabbitMq__BuildQueue}' 2>/dev/null || echo image-builder.build); make run uses its own queues (demo.*)"
}

main "$@"
