#!/usr/bin/env bash
# Builds kube-apiserver, controller-manager, scheduler and kubelet from Debian's
# kubernetes source package into $K8S_BIN, once per machine (README, "The development platform").
source "$(dirname "$0")/common.sh"

BINS=(kube-apiserver kube-controller-manager kube-scheduler kubelet)
if have_executables "$K8S_BIN" "${BINS[@]}"; then exit 0; fi

BUILD="$IB_CACHE/kubernetes-$K8S_VERSION/build"
fresh_build_dir "$BUILD"
mkdir -p "$K8S_BIN"

if ! grep -rqs '^Types: deb deb-src\|^deb-src .*bookworm' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  log "adding a deb-src entry for bookworm"
  cat >/etc/apt/sources.list.d/imagebuilder-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  rm -f "$IB_STATE/apt-updated"
fi
apt_ensure golang-go rsync etcd-server golang-github-modern-go-reflect2-dev dpkg-dev gcc libc6-dev
if ! apt-cache showsrc kubernetes >/dev/null 2>&1 || [ -z "$(apt-cache showsrc kubernetes 2>/dev/null)" ]; then
  apt-get update -qq
fi

cd "$BUILD"
log "fetching the kubernetes source package"
apt-get source -qq --download-only kubernetes >&2
dpkg-source -x --no-check kubernetes_*.dsc src >&2
cd src

# The vendored reflect2 1.0.1 makes kube-apiserver (Go 1.19) segfault on the
# first CRD; Debian's 1.0.2 does not.
rm -rf vendor/github.com/modern-go/reflect2
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 vendor/github.com/modern-go/reflect2
rm -f vendor/github.com/modern-go/reflect2/go.mod

mkdir -p .go/src/k8s.io
ln -sfn "$PWD" .go/src/k8s.io/kubernetes
log "building ${BINS[*]} (about 14 min on 2 cores)"
GOPATH=$PWD/.go CGO_ENABLED=0 make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubelet" >&2

out=$(find _output -type d -path '*/bin' | head -1)
for b in "${BINS[@]}"; do cp "$out/$b" "$K8S_BIN/$b.tmp" && mv "$K8S_BIN/$b.tmp" "$K8S_BIN/$b"; done

# The pod sandbox image is built from the same tree.
gcc -static -O2 -o "$K8S_BIN/pause" build/pause/linux/pause.c
cd / && rm -rf "$BUILD"
log "kubernetes $K8S_VERSION binaries are in $K8S_BIN"
