#!/usr/bin/env bash
# Undoes make up: helm uninstall of the release scripts/up.sh installed, then waits until its
# pods are gone, so the next make up (or a test) finds no replica still consuming the queues.
# Leaves alone what up.sh shares with others: the CRD (other releases and tests use it; deleting
# it would delete every ImageBuild in the cluster), the namespace and the registry Secret.
# A no-op when the cluster or the release is not there. make down calls it before stopping the
# platform.
#   IB_NAMESPACE=...   release namespace (default image-builder), as for up.sh
source "$(dirname "$0")/common.sh"
NS=${IB_NAMESPACE:-image-builder}
RELEASE=image-builder
KUBECTL=$TOOLS_BIN/kubectl
HELM=$TOOLS_BIN/helm

[ -x "$HELM" ] && [ -x "$KUBECTL" ] && [ -f "$IB_KUBECONFIG" ] || exit 0
kc() { "$KUBECTL" --kubeconfig "$IB_KUBECONFIG" --request-timeout=10s "$@"; }
kc get --raw /readyz >/dev/null 2>&1 || { log "the cluster is not running: nothing to uninstall"; exit 0; }
if ! "$HELM" --kubeconfig "$IB_KUBECONFIG" -n "$NS" status "$RELEASE" >/dev/null 2>&1; then
  log "no release $RELEASE in $NS"
  exit 0
fi
log "helm uninstall $RELEASE ($NS)"
"$HELM" --kubeconfig "$IB_KUBECONFIG" -n "$NS" uninstall "$RELEASE" >/dev/null
# The leader releases its Lease on shutdown; the garbage collector removes the pods shortly after.
kc -n "$NS" wait --for=delete pod -l "app.kubernetes.io/instance=$RELEASE" --timeout=60s >/dev/null 2>&1 \
  || log "pods of $RELEASE still terminating; kubectl -n $NS get pods"
log "uninstalled $RELEASE from $NS"
