#!/usr/bin/env bash
# Makes the images the `docker` build strategy and the sample apps need, from Debian packages
# only (nothing can be pulled here), and pushes the sample apps' base image to the registry:
#   imagebuilder/fetch:dev            busybox-static (sh, wget, tar) + Debian's git: the fetch init container
#   imagebuilder/docker-builder:dev   busybox-static + Debian's docker CLI, libc and loader
#   $REGISTRY_ADDR/base/busybox:latest  busybox-static, FROM line of sample Dockerfiles
# Idempotent and quiet: each image carries a hash of its inputs and is rebuilt only when
# they change. Needs dockerd and the registry (scripts/services.sh up docker registry).
source "$(dirname "$0")/common.sh"

# Debian's client speaks API 1.41 like the daemon; /usr/local/bin/docker may be a newer one.
DOCKER=/usr/bin/docker
INPUTS_LABEL=dev.imagebuilder.inputs
FETCH_IMAGE=imagebuilder/fetch:dev
BUILDER_IMAGE=imagebuilder/docker-builder:dev
BASE_IMAGE=$REGISTRY_ADDR/base/busybox:latest
# A private client config, so logging in here never touches the user's ~/.docker.
export DOCKER_CONFIG="$IB_STATE/images-docker-config"

apt_ensure busybox-static docker.io curl git
"$DOCKER" version >/dev/null 2>&1 || die "dockerd is not running: run 'scripts/services.sh up docker' first"

# Hash of a recipe (its function's text) and the files it copies.
inputs_hash() {
  local recipe=$1; shift
  { declare -f "$recipe" busybox_rootfs copy_with_libs; sha256sum "$@"; } | sha256sum | cut -c1-16
}

image_hash() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$INPUTS_LABEL\"}}" "$1" 2>/dev/null || true; }

busybox_rootfs() {
  local root=$1
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/workspace"
  chmod 1777 "$root/tmp" "$root/workspace"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nuser:x:1000:\n' >"$root/etc/group"
}

# Shared objects of the given binaries, loader included, one path a line.
libs_of() { ldd "$@" | awk '/=>/ { print $3 } /^[[:space:]]*\/.*ld-linux/ { print $1 }' | sort -u; }

copy_with_libs() {
  local root=$1; shift
  for f in "$@" $(libs_of "$@"); do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
  done
}

GIT_HTTP=/usr/lib/git-core/git-remote-http

# busybox plus git for clone URLs: the git binary, its builtins as links (git dispatches on the
# name it was called by), the HTTP transport and every library they load.
fetch_rootfs() {
  local root=$1
  busybox_rootfs "$root"
  copy_with_libs "$root" /usr/bin/git "$GIT_HTTP"
  local f
  for f in /usr/lib/git-core/*; do
    if [ -L "$f" ]; then cp -P "$f" "$root$f"
    elif [ -f "$f" ] && { [ "${f##*/}" = git ] || cmp -s "$f" /usr/bin/git; }; then ln -sf /usr/bin/git "$root$f"
    fi
  done
  for f in git-upload-pack git-receive-pack git-upload-archive; do ln -sf git "$root/usr/bin/$f"; done
  for t in https ftp ftps; do ln -sf git-remote-http "$root/usr/lib/git-core/git-remote-$t"; done
  if [ -d /usr/share/git-core/templates ]; then mkdir -p "$root/usr/share/git-core" && cp -r /usr/share/git-core/templates "$root/usr/share/git-core/"; fi
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then mkdir -p "$root/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"; fi
}

docker_libs() { libs_of "$DOCKER"; }

# The docker CLI with exactly the shared objects ldd names, at the same paths.
docker_builder_rootfs() {
  local root=$1
  busybox_rootfs "$root"
  copy_with_libs "$root" "$DOCKER"
}

# ensure_image NAME RECIPE FILES...: builds NAME from RECIPE's rootfs unless its inputs are unchanged.
ensure_image() {
  local name=$1 recipe=$2; shift 2
  local hash; hash=$(inputs_hash "$recipe" "$@")
  [ "$(image_hash "$name")" = "$hash" ] && return 0
  log "making $name"
  local old; old=$("$DOCKER" image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)
  local root; root=$(mktemp -d)
  "$recipe" "$root"
  tar -C "$root" --numeric-owner -cf - . | "$DOCKER" import \
    -c "LABEL $INPUTS_LABEL=$hash" -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c 'ENV HOME=/tmp' \
    -c 'WORKDIR /workspace' -c 'CMD ["/bin/sh"]' - "$name" >/dev/null
  rm -rf "$root"
  # The replaced build would linger untagged; a container still using it keeps it, which is fine.
  if [ -n "$old" ]; then "$DOCKER" image rm "$old" >/dev/null 2>&1 || true; fi
}

registry_has() {
  local repo=${1#"$REGISTRY_ADDR"/}; repo=${repo%:*}
  local tag=${1##*:}
  [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$REGISTRY_USER:$REGISTRY_PASSWORD" -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY_ADDR/v2/$repo/manifests/$tag")" = 200 ]
}

# Pushes NAME unless the registry already holds this very build of it (marker: its inputs hash).
ensure_pushed() {
  local name=$1 marker; marker="$IB_STATE/images/$(echo "$1" | tr '/:' '__').pushed"
  mkdir -p "$IB_STATE/images"
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$(image_hash "$name")" ] && registry_has "$name"; then
    return 0
  fi
  log "pushing $name"
  printf '%s' "$REGISTRY_PASSWORD" | "$DOCKER" login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" >/dev/null 2>&1 \
    || die "docker login to $REGISTRY_ADDR failed: is the registry up (scripts/services.sh up registry)?"
  "$DOCKER" push "$name" >/dev/null || die "docker push $name failed"
  image_hash "$name" >"$marker"
}

# shellcheck disable=SC2046 # one argument per library path
ensure_image "$FETCH_IMAGE" fetch_rootfs /bin/busybox /usr/bin/git "$GIT_HTTP" $(libs_of /usr/bin/git "$GIT_HTTP")
# shellcheck disable=SC2046 # one argument per library path
ensure_image "$BUILDER_IMAGE" docker_builder_rootfs /bin/busybox "$DOCKER" $(docker_libs)
ensure_image "$BASE_IMAGE" busybox_rootfs /bin/busybox
ensure_pushed "$BASE_IMAGE"
