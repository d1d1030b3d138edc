#!/usr/bin/env bash
# Makes the images the build Jobs and the sample apps need, from Debian packages only (nothing
# can be pulled here), and pushes those a build reads from the registry:
#   imagebuilder/fetch:dev            busybox-static (sh, wget, tar) + Debian's git: the fetch init container
#   $BUILDKIT_IMAGE                   rootless BuildKit laid out like moby/buildkit's -rootless image
#   $REGISTRY_ADDR/base/busybox:latest  busybox-static, FROM line of sample Dockerfiles
#   $REGISTRY_ADDR/base/gcc:12        busybox-static + Debian's gcc-12 toolchain, FROM of the compiled sample
# Idempotent and quiet: each image carries a hash of its inputs and is rebuilt only when
# they change. Needs dockerd and the registry (scripts/services.sh up docker registry) and
# BuildKit's binaries (scripts/build-buildkit.sh).
source "$(dirname "$0")/common.sh"

# Debian's client speaks API 1.41 like the daemon; /usr/local/bin/docker may be a newer one.
DOCKER=/usr/bin/docker
INPUTS_LABEL=dev.imagebuilder.inputs
FETCH_IMAGE=imagebuilder/fetch:dev
# The build Jobs pull it IfNotPresent: it lives in the node's Docker and in the registry.
BUILDKIT_IMAGE=$REGISTRY_ADDR/imagebuilder/buildkit:v$BUILDKIT_VERSION-rootless
BASE_IMAGE=$REGISTRY_ADDR/base/busybox:latest
GCC_IMAGE=$REGISTRY_ADDR/base/gcc:12
# A private client config, so logging in here never touches the user's ~/.docker.
export DOCKER_CONFIG="$IB_STATE/images-docker-config"

apt_ensure busybox-static docker.io curl git rootlesskit uidmap runc libcap2-bin
"$DOCKER" version >/dev/null 2>&1 || die "dockerd is not running: run 'scripts/services.sh up docker' first"

# Hash of a recipe and its image settings (the functions' text) and the files it copies.
inputs_hash() {
  local recipe=$1 config=$2; shift 2
  { declare -f "$recipe" "$config" busybox_rootfs copy_with_libs; sha256sum "$@"; } | sha256sum | cut -c1-16
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

# Image settings (docker import --change lines), one a line.
default_config() {
  printf '%s\n' 'ENV PATH=/usr/local/bin:/usr/bin:/bin' 'ENV HOME=/tmp' 'WORKDIR /workspace' 'CMD ["/bin/sh"]'
}

ROOTLESS_BINS=(/usr/bin/rootlesskit /usr/sbin/runc /usr/bin/newuidmap /usr/bin/newgidmap)
BUILDKIT_FILES=("$BUILDKIT_BIN/buildkitd" "$BUILDKIT_BIN/buildctl" "$BUILDKIT_BIN/buildctl-daemonless.sh")

# moby/buildkit's -rootless layout (its Dockerfile's `rootless` stage): user 1000 with a
# subordinate id range, buildkitd/buildctl/buildctl-daemonless.sh, rootlesskit and runc on PATH.
buildkit_rootfs() {
  local root=$1
  busybox_rootfs "$root"
  copy_with_libs "$root" "${ROOTLESS_BINS[@]}"
  mv "$root/usr/sbin/runc" "$root/usr/bin/runc"
  install -m 0755 "${BUILDKIT_FILES[@]}" "$root/usr/bin/"
  # rootlesskit maps the subordinate ids through newuidmap/newgidmap. Setuid-root fails in a
  # container ("write to uid_map failed: Operation not permitted": a euid-0 writer needs
  # CAP_SYS_ADMIN, outside Docker's bounding set); file capabilities keep euid 1000, the
  # namespace's owner. They also need no_new_privs off: allowPrivilegeEscalation unset/true.
  chmod 0755 "$root/usr/bin/newuidmap" "$root/usr/bin/newgidmap"
  setcap cap_setuid=ep "$root/usr/bin/newuidmap"
  setcap cap_setgid=ep "$root/usr/bin/newgidmap"
  printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nuser:x:1000:\n' >"$root/etc/group"
  echo 'user:100000:65536' >"$root/etc/subuid"
  echo 'user:100000:65536' >"$root/etc/subgid"
  mkdir -p "$root/home/user/.local/share/buildkit" "$root/home/user/.local/tmp" "$root/home/user/.config/buildkit" "$root/run/user/1000"
  chown -R 1000:1000 "$root/home/user" "$root/run/user/1000"
  # The daemonless script runs `set -u` and keeps buildkitd's socket here.
  chmod 0700 "$root/run/user/1000"
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then mkdir -p "$root/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"; fi
}

# USER: without it buildkitd does not take its rootless paths ("mkdir /var/lib: permission
# denied"). BUILDKITD_FLAGS is left to the build Job (--oci-worker-no-process-sandbox in a pod).
buildkit_config() {
  printf '%s\n' 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' 'ENV HOME=/home/user' 'ENV USER=user' \
    'ENV XDG_RUNTIME_DIR=/run/user/1000' 'ENV TMPDIR=/home/user/.local/tmp' \
    'ENV BUILDKIT_HOST=unix:///run/user/1000/buildkit/buildkitd.sock' \
    'VOLUME /home/user/.local/share/buildkit' 'WORKDIR /home/user' 'USER 1000:1000' \
    'ENTRYPOINT ["rootlesskit", "buildkitd"]'
}

# Debian's C toolchain: gcc-12 and libc6-dev with their dependency closure (nothing from
# Recommends), unpacked with dpkg-deb -x over busybox: no dpkg, no maintainer scripts.
GCC_ROOTS=(gcc-12 libc6-dev)
gcc_packages() {
  local pkgs
  pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances \
    "${GCC_ROOTS[@]}" 2>/dev/null | grep -v '^[[:space:]<]' | sort -u)
  # shellcheck disable=SC2086 # one argument per package
  apt-cache policy $pkgs | awk '/^[^ ]/ { p = $1; sub(/:$/, "", p) } /Candidate:/ { print p "=" $2 }'
}

gcc_rootfs() {
  local root=$1 debs; debs=$(mktemp -d)
  busybox_rootfs "$root"
  # shellcheck disable=SC2046 # one argument per package
  (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root $(cat "$GCC_LIST") >/dev/null) || die "apt-get download of gcc-12 failed"
  for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$root"; done
  rm -rf "$debs"
  for t in gcc cc; do ln -sf gcc-12 "$root/usr/bin/$t"; done
  ln -sf cpp-12 "$root/usr/bin/cpp"
  # No ldconfig runs in the image: give the loader its cache now.
  ldconfig -r "$root"
}

gcc_config() {
  printf '%s\n' 'ENV PATH=/usr/local/bin:/usr/bin:/bin' 'ENV HOME=/tmp' 'WORKDIR /workspace' 'CMD ["/bin/sh"]'
}

# ensure_image NAME RECIPE CONFIG FILES...: builds NAME from RECIPE's rootfs with CONFIG's
# settings unless its inputs are unchanged.
ensure_image() {
  local name=$1 recipe=$2 config=$3; shift 3
  local hash; hash=$(inputs_hash "$recipe" "$config" "$@")
  [ "$(image_hash "$name")" = "$hash" ] && return 0
  log "making $name"
  local old; old=$("$DOCKER" image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)
  local root; root=$(mktemp -d)
  "$recipe" "$root"
  local changes=(-c "LABEL $INPUTS_LABEL=$hash") line
  while IFS= read -r line; do changes+=(-c "$line"); done < <("$config")
  # --xattrs keeps newuidmap's file capabilities (security.capability) through docker import.
  tar -C "$root" --numeric-owner --xattrs --xattrs-include=security.capability -cf - . \
    | "$DOCKER" import "${changes[@]}" - "$name" >/dev/null
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

for f in "${BUILDKIT_FILES[@]}"; do
  [ -x "$f" ] || die "$f is missing: run scripts/build-buildkit.sh first"
done
# A fixed path: the inputs hash covers the file's name as well as its content.
mkdir -p "$IB_STATE/images"
GCC_LIST="$IB_STATE/images/gcc-12.packages"
gcc_packages >"$GCC_LIST"
grep -q '^gcc-12=' "$GCC_LIST" || die "apt-cache knows no gcc-12 (apt-get update?)"

# shellcheck disable=SC2046 # one argument per library path
ensure_image "$FETCH_IMAGE" fetch_rootfs default_config /bin/busybox /usr/bin/git "$GIT_HTTP" $(libs_of /usr/bin/git "$GIT_HTTP")
# shellcheck disable=SC2046 # one argument per library path
ensure_image "$BUILDKIT_IMAGE" buildkit_rootfs buildkit_config /bin/busybox "${BUILDKIT_FILES[@]}" "${ROOTLESS_BINS[@]}" $(libs_of "${ROOTLESS_BINS[@]}")
ensure_image "$BASE_IMAGE" busybox_rootfs default_config /bin/busybox
ensure_image "$GCC_IMAGE" gcc_rootfs gcc_config /bin/busybox "$GCC_LIST"
ensure_pushed "$BUILDKIT_IMAGE"
ensure_pushed "$BASE_IMAGE"
ensure_pushed "$GCC_IMAGE"
