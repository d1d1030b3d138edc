#!/usr/bin/env bash
# Manual check of rootless BuildKit on the development cluster, without the operator: builds the
# compiled sample (ImageBuilder.GitHubServer/CompiledSample) in two build Jobs
# shaped like the operator's (UID 1000, no hostPath, no Docker socket), pushing to the registry:
#   cold  first commit, empty BuildKit state, exports the registry cache (mode=max)
#   warm  second commit (src/main.c changed), a new pod (fresh --root), imports that cache
# then runs the warm image, pulled by digest, and prints both times and their ratio.
# Needs `scripts/services.sh up` (cluster, registry, images). Leaves its namespace for inspection.
source "$(dirname "$0")/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
SAMPLE="$HERE/../ImageBuilder.GitHubServer/CompiledSample"
export KUBECONFIG="$IB_KUBECONFIG"
NS=${SMOKE_NAMESPACE:-buildkit-smoke}
BUILDKIT_IMAGE=$REGISTRY_ADDR/imagebuilder/buildkit:v$BUILDKIT_VERSION-rootless
RUN_ID=$(date +%s)
# A cache ref of its own per run, so the cold build really starts cold.
REPO=$REGISTRY_ADDR/smoke/compiled
CACHE=$REPO:cache-$RUN_ID
DOCKER=/usr/bin/docker
# A private client config, as in images.sh.
export DOCKER_CONFIG="$IB_STATE/images-docker-config"

kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl create namespace "$NS" >/dev/null
kubectl -n "$NS" create secret docker-registry registry-auth --docker-server="$REGISTRY_ADDR" \
  --docker-username="$REGISTRY_USER" --docker-password="$REGISTRY_PASSWORD" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
# Rootless buildkitd reads ~/.config/buildkit/buildkitd.toml; plain http for the loopback registry.
kubectl -n "$NS" create configmap buildkitd-config --dry-run=client -o yaml --from-literal=buildkitd.toml='[registry."127.0.0.1:5000"]
  http = true
  insecure = true
' | kubectl apply -f - >/dev/null

# context_configmap NAME DIR: every file of DIR as a key (path with / as __), and the items
# that put each back at its path.
ITEMS=""
context_configmap() {
  local name=$1 dir=$2 args=() f key
  ITEMS=""
  while IFS= read -r f; do
    key=${f//\//__}
    args+=(--from-file="$key=$dir/$f")
    ITEMS+="              - {key: \"$key\", path: \"$f\"}"$'\n'
  done < <(cd "$dir" && find . -type f | sed 's|^\./||' | sort)
  kubectl -n "$NS" create configmap "$name" "${args[@]}" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}

# The build container's script: the elapsed time (from /proc/uptime) and the pushed digest
# go to the termination message, the only output readable through this loopback kubelet.
# shellcheck disable=SC2016 # expanded in the pod
BUILD_SCRIPT='s=$(cut -d" " -f1 /proc/uptime) rc=0
buildctl-daemonless.sh build --progress=plain --frontend dockerfile.v0 \
  --local context=/workspace/ctx --local dockerfile=/workspace/ctx \
  --output "type=image,name=$IMAGE,push=true,registry.insecure=true" \
  --export-cache "type=registry,ref=$CACHE,mode=max,ignore-error=true,registry.insecure=true" \
  --import-cache "type=registry,ref=$CACHE,registry.insecure=true" \
  --metadata-file /tmp/metadata.json || rc=$?
e=$(cut -d" " -f1 /proc/uptime)
d=$(sed -n "s/.*\"containerimage.digest\": *\"\(sha256:[0-9a-f]*\)\".*/\1/p" /tmp/metadata.json 2>/dev/null)
echo "rc=$rc seconds=$(awk "BEGIN { print $e - $s }") digest=$d" >/dev/termination-log
exit $rc'

# run_build NAME CONTEXT_DIR TAG: one build Job; prints its termination message.
run_build() {
  local name=$1 dir=$2 tag=$3
  context_configmap "$name-context" "$dir"
  kubectl -n "$NS" delete job "$name" --ignore-not-found >/dev/null
  kubectl -n "$NS" apply -f - >/dev/null <<JOB
apiVersion: batch/v1
kind: Job
metadata:
  name: $name
spec:
  backoffLimit: 0
  template:
    metadata:
      labels: {job-name: $name}
      annotations:
        # Docker's default AppArmor profile, like its seccomp profile, forbids the mounts
        # rootlesskit makes in its user namespace.
        container.apparmor.security.beta.kubernetes.io/build: unconfined
    spec:
      restartPolicy: Never
      hostNetwork: true
      securityContext: {runAsUser: 1000, runAsGroup: 1000}
      initContainers:
        - name: context
          image: imagebuilder/busybox:dev
          imagePullPolicy: IfNotPresent
          command: [sh, -c, "cp -rL /config/. /workspace/ctx/"]
          volumeMounts:
            - {name: context-files, mountPath: /config}
            - {name: workspace, mountPath: /workspace}
      containers:
        - name: build
          image: $BUILDKIT_IMAGE
          imagePullPolicy: IfNotPresent
          command: [sh, -c]
          args:
            - |
$(sed 's/^/              /' <<<"$BUILD_SCRIPT")
          env:
            - {name: BUILDKITD_FLAGS, value: --oci-worker-no-process-sandbox}
            - {name: BUILDCTL_CONNECT_RETRIES_MAX, value: "60"}
            - {name: DOCKER_CONFIG, value: /home/user/.docker}
            - {name: IMAGE, value: "$REPO:$tag"}
            - {name: CACHE, value: "$CACHE"}
          securityContext:
            seccompProfile: {type: Unconfined}
          volumeMounts:
            - {name: workspace, mountPath: /workspace}
            - {name: buildkit-state, mountPath: /home/user/.local/share/buildkit}
            - {name: buildkitd-config, mountPath: /home/user/.config/buildkit}
            - {name: registry-auth, mountPath: /home/user/.docker}
      volumes:
        - {name: workspace, emptyDir: {}}
        - {name: buildkit-state, emptyDir: {}}
        - name: context-files
          configMap:
            name: $name-context
            items:
$ITEMS
        - {name: buildkitd-config, configMap: {name: buildkitd-config}}
        - name: registry-auth
          secret:
            secretName: registry-auth
            items: [{key: .dockerconfigjson, path: config.json}]
JOB
  local deadline=$((SECONDS + 900)) ok failed
  while :; do
    ok=$(kubectl -n "$NS" get job "$name" -o jsonpath='{.status.succeeded}')
    failed=$(kubectl -n "$NS" get job "$name" -o jsonpath='{.status.failed}')
    [ "${ok:-0}" -ge 1 ] && break
    if [ "${failed:-0}" -ge 1 ] || [ $SECONDS -ge $deadline ]; then
      local id; id=$("$DOCKER" ps -aq --filter "label=io.kubernetes.container.name=build" --filter "label=io.kubernetes.pod.namespace=$NS" \
        --filter "label=io.kubernetes.pod.name=$(kubectl -n "$NS" get pod -l job-name="$name" -o jsonpath='{.items[0].metadata.name}')" | head -1)
      [ -n "$id" ] && "$DOCKER" logs --tail 40 "$id" >&2
      die "build Job $NS/$name did not complete"
    fi
    sleep 1
  done
  kubectl -n "$NS" get pod -l job-name="$name" -o jsonpath='{.items[0].status.containerStatuses[0].state.terminated.message}'
}

second=$(mktemp -d)
trap 'rm -rf "$second"' EXIT
cp -r "$SAMPLE/." "$second/" && rm -rf "$second/second-commit" && cp -r "$SAMPLE/second-commit/." "$second/"
first=$(mktemp -d)
cp -r "$SAMPLE/." "$first/" && rm -rf "$first/second-commit"

log "cold build (first commit, empty cache $CACHE)"
cold=$(run_build "compiled-cold-$RUN_ID" "$first" "1-$RUN_ID")
log "warm build (second commit, new pod, --import-cache)"
warm=$(run_build "compiled-warm-$RUN_ID" "$second" "2-$RUN_ID")
rm -rf "$first"

cold_s=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$cold")
warm_s=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$warm")
digest=$(sed -n 's/.*digest=\(sha256:[0-9a-f]*\).*/\1/p' <<<"$warm")
[ -n "$cold_s" ] && [ -n "$warm_s" ] && [ -n "$digest" ] || die "no timing or digest in the termination messages: '$cold' '$warm'"
printf '%s' "$REGISTRY_PASSWORD" | "$DOCKER" login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" >/dev/null 2>&1
"$DOCKER" pull -q "$REPO@$digest" >/dev/null
out=$("$DOCKER" run --rm --network host "$REPO@$digest")
echo "cold_s=$cold_s warm_s=$warm_s warm_cold_ratio=$(awk "BEGIN { printf \"%.3f\", $warm_s / $cold_s }")"
echo "warm image $REPO@$digest prints: $out"
