#!/usr/bin/env bash
# The operator's container image, the .NET way: `dotnet publish -t:PublishContainer` (the SDK's own
# container builder: layers, entrypoint, user, OCI labels, push) on a runtime base image made here.
# The ImageBuilder.Operator project carries the container settings (ContainerRepository, user 1000,
# port, environment, labels); this script keeps only what the SDK cannot do:
#   - the base image: no hub is reachable here, so there is no mcr.microsoft.com/dotnet/aspnet to
#     start from. It is assembled like that image, from this machine's own parts: busybox-static (the
#     chart's dev wrapper and probes run sh, netstat, wget), the .NET and ASP.NET Core runtimes of the
#     installed SDK (/usr/share/dotnet), the shared libraries they and git need (found with the loader,
#     plus the dlopen'd OpenSSL), CA certificates, Debian's git for the `git` connector (it runs
#     `git ls-remote`), a non-root user 1000; `docker import`, push to the loopback registry, where
#     the SDK pulls it from (ContainerBaseImage);
#   - the tag, keyed on what went into the image, so a warm run publishes nothing;
#   - the checks that the image really runs (libraries, git and its http helper, the runtime).
# deploy/images/operator/Dockerfile is the conventional build from Microsoft's images, for elsewhere.
#
# Idempotent and fast when nothing changed: the base image's tag is the hash of its inputs and the
# operator image's tag the commit plus the hash of its inputs (base, SDK, uncommitted changes); a
# tag the registry already holds is not built again. The image also goes into the node's Docker,
# so the kubelet runs it with IfNotPresent.
#
#   scripts/operator-image.sh      prints IMAGE=<repository>:<tag> as its last line
#   OPERATOR_IMAGE_REPO=...        repository (default 127.0.0.1:5000/image-builder/operator)
#   OPERATOR_IMAGE_PUSH=0          build into the node's Docker only (the base image is still pushed:
#                                  the SDK pulls its base from a registry)
source "$(dirname "$0")/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REPO=${OPERATOR_IMAGE_REPO:-$REGISTRY_ADDR/image-builder/operator}
PUSH=${OPERATOR_IMAGE_PUSH:-1}
BASE_REPO=$REGISTRY_ADDR/image-builder/operator-base
PROJECT="$ROOT/ImageBuilder.Operator/ImageBuilder.Operator.csproj"
# One build directory per checkout: worktrees must not share obj/ (see the helper brief).
WORK="$IB_CACHE/operator-image/$(printf %s "$ROOT" | sha256sum | cut -c1-12)"
DOTNET_DIR=/usr/share/dotnet
LIBDIR=/lib/x86_64-linux-gnu
# Debian packages whose files go into the base image: their versions are part of its key.
BASE_PACKAGES=(busybox-static ca-certificates libssl3 git libc6 libstdc++6 libgcc-s1 zlib1g libcurl3-gnutls)
# dlopen'd at run time, so ldd on the binaries does not list them: TLS to the apiserver and
# registry needs OpenSSL 3.
DLOPENED=(libssl.so.3 libcrypto.so.3)
# The git connector runs `git ls-remote` in the operator's pod: git itself speaks git:// and
# file://, and execs git-remote-http (libcurl-gnutls) from its exec path for http(s)://. The
# image keeps Debian's paths, so git finds its helpers where it was built to look.
GIT_EXEC_DIR=/usr/lib/git-core
GIT_FILES=(/usr/bin/git "$GIT_EXEC_DIR/git-remote-http")
# Subcommands git runs as programs from its exec path; in Debian they are links to the two files.
GIT_LINKS=(git-remote-https:git-remote-http git-remote-ftp:git-remote-http git-remote-ftps:git-remote-http git-upload-pack:git)

# The runtime the SDK on this machine runs on (the newest, should there be several): the app is
# published framework-dependent against it, as it would be against mcr.microsoft.com/dotnet/aspnet.
runtime_version() {
  local v
  v=$(ls "$DOTNET_DIR/shared/Microsoft.AspNetCore.App" 2>/dev/null | sort -V | tail -1)
  [ -n "$v" ] && [ -d "$DOTNET_DIR/shared/Microsoft.NETCore.App/$v" ] && [ -d "$DOTNET_DIR/host/fxr/$v" ] \
    || die "no ASP.NET Core runtime with a matching .NET runtime and hostfxr under $DOTNET_DIR"
  echo "$v"
}

# ---------------------------------------------------------------- the base image
base_key() {
  { echo "runtime $RUNTIME"
    dpkg-query -W -f '${Package} ${Version}\n' "${BASE_PACKAGES[@]}"
    sed -n '/^# ---* the base image/,/^# ---* the operator image/p' "$HERE/operator-image.sh"; } | sha256sum | cut -c1-16
}

# Shared libraries of every native file of the runtime and of git, and of the dlopen'd ones.
needed_libs() {
  local f
  {
    for f in "$DOTNET_DIR/dotnet" "$DOTNET_DIR/host/fxr/$RUNTIME"/*.so "$DOTNET_DIR/shared"/*/"$RUNTIME"/*.so "${GIT_FILES[@]}"; do
      ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^\t\/.* \(0x/ {print $1}'
    done
    for f in "${DLOPENED[@]}"; do
      [ -e "$LIBDIR/$f" ] || die "$LIBDIR/$f is missing (apt-get install libssl3)"
      echo "$LIBDIR/$f"
      ldd "$LIBDIR/$f" | awk '/=> \// {print $3} /^\t\/.* \(0x/ {print $1}'
    done
  } | sort -u
}

make_base_rootfs() {
  local rootfs="$WORK/base-rootfs" lib link fw
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{app,bin,usr/bin,etc/ssl/certs,tmp,lib64,"${LIBDIR#/}",usr/lib/ssl,"${DOTNET_DIR#/}"/host/fxr,"${DOTNET_DIR#/}"/shared}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for c in $("$rootfs/bin/busybox" --list); do [ "$c" = busybox ] || ln -sf busybox "$rootfs/bin/$c"; done
  # The runtime where Microsoft's images have it, with the muxer on PATH: the apphost
  # (/app/ImageBuilder.Operator) finds it through DOTNET_ROOT.
  cp "$DOTNET_DIR/dotnet" "$DOTNET_DIR/LICENSE.txt" "$DOTNET_DIR/ThirdPartyNotices.txt" "$rootfs$DOTNET_DIR/"
  cp -a "$DOTNET_DIR/host/fxr/$RUNTIME" "$rootfs$DOTNET_DIR/host/fxr/"
  for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$rootfs$DOTNET_DIR/shared/$fw"
    cp -a "$DOTNET_DIR/shared/$fw/$RUNTIME" "$rootfs$DOTNET_DIR/shared/$fw/"
  done
  ln -s "$DOTNET_DIR/dotnet" "$rootfs/usr/bin/dotnet"
  for lib in $(needed_libs); do
    # Same path as on the host (the loader is /lib64/ld-linux-x86-64.so.2); -L copies the file, not the link.
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  printf '%s\n' "$LIBDIR" /usr/lib/x86_64-linux-gnu >"$rootfs/etc/ld.so.conf"
  ldconfig -r "$rootfs"
  mkdir -p "$rootfs$GIT_EXEC_DIR"
  cp /usr/bin/git "$rootfs/usr/bin/git"
  cp /usr/bin/git "$rootfs$GIT_EXEC_DIR/git"
  cp "$GIT_EXEC_DIR/git-remote-http" "$rootfs$GIT_EXEC_DIR/git-remote-http"
  for link in "${GIT_LINKS[@]}"; do ln -s "${link#*:}" "$rootfs$GIT_EXEC_DIR/${link%%:*}"; done
  cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  ln -s /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/lib/ssl/cert.pem"
  ln -s /etc/ssl/certs "$rootfs/usr/lib/ssl/certs"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:image-builder:/tmp:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$rootfs/etc/hosts"
}

import_base() {
  local image=$1
  log "docker import $image (.NET $RUNTIME runtime base)"
  # Fixed owner and mtime: the same rootfs gives the same layer. The environment is that of
  # Microsoft's aspnet images (APP_UID, DOTNET_RUNNING_IN_CONTAINER, port 8080), plus git's HOME.
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$WORK/base-rootfs" -cf - . \
    | docker import \
      -c 'WORKDIR /app' \
      -c 'USER 1000:1000' \
      -c "ENV PATH=/usr/bin:/bin HOME=/tmp APP_UID=1000 DOTNET_ROOT=$DOTNET_DIR DOTNET_VERSION=$RUNTIME ASPNET_VERSION=$RUNTIME DOTNET_RUNNING_IN_CONTAINER=true ASPNETCORE_HTTP_PORTS=8080 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt SSL_CERT_DIR=/etc/ssl/certs" \
      -c "LABEL imagebuilder.base-key=$BASE_KEY org.opencontainers.image.title=image-builder-operator-base org.opencontainers.image.version=$RUNTIME" \
      - "$image" >/dev/null
}

# Every native file must resolve all its libraries inside the image: the image's own loader lists them.
verify_libraries() {
  local image=$1 out
  out=$(docker run --rm --network none --entrypoint /bin/sh "$image" -c '
    for f in '"$DOTNET_DIR/dotnet $DOTNET_DIR/host/fxr/*/*.so $DOTNET_DIR/shared/*/*/*.so"' '"$(printf "$LIBDIR/%s " "${DLOPENED[@]}") ${GIT_FILES[*]}"'; do
      /lib64/ld-linux-x86-64.so.2 --list "$f" | sed "s|^|$f: |"
    done' 2>&1) || die "the image's loader failed: $out"
  if grep -q 'not found' <<<"$out"; then
    grep 'not found' <<<"$out" >&2
    die "libraries missing from $image"
  fi
}

# git and its http helper must run as the operator runs them: as user 1000, HOME=/tmp. With no
# network, ls-remote of an http URL fails to connect, which proves git found and ran
# git-remote-http (a missing helper says "remote-http is not a git command" instead).
verify_git() {
  local image=$1 out
  out=$(docker run --rm --network none --read-only --tmpfs /tmp --user 1000:1000 --entrypoint git "$image" version 2>&1) \
    || die "git does not run in $image: $out"
  out=$(docker run --rm --network none --read-only --tmpfs /tmp --user 1000:1000 --entrypoint git "$image" \
    ls-remote http://127.0.0.1:9/x.git 2>&1) && die "git ls-remote of an unreachable URL succeeded in $image: $out"
  grep -qiE "Failed to connect|Couldn't connect|Connection refused" <<<"$out" \
    || die "git's http helper does not run in $image: $out"
}

# The muxer must find both frameworks of the runtime copied in.
verify_frameworks() {
  local image=$1 out
  out=$(docker run --rm --network none --read-only --tmpfs /tmp --user 1000:1000 --entrypoint dotnet "$image" --list-runtimes 2>&1) \
    || die "dotnet does not run in $image: $out"
  grep -q "^Microsoft.AspNetCore.App $RUNTIME " <<<"$out" && grep -q "^Microsoft.NETCore.App $RUNTIME " <<<"$out" \
    || die "the runtimes in $image are not the expected $RUNTIME: $out"
}

# The registry's digest for a tag, or nothing (no such tag, or the registry does not answer).
registry_digest() {
  local repo=$1 tag=$2 host=${1%%/*} path=${1#*/}
  curl -s -I -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$host/v2/$path/manifests/$tag" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}'
}

docker_login() {
  echo "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" >/dev/null 2>&1 \
    || die "docker login $REGISTRY_ADDR failed"
}

ensure_base() {
  BASE_KEY=$(base_key)
  BASE_IMAGE="$BASE_REPO:$RUNTIME-${BASE_KEY:0:12}"
  if [ -n "$(registry_digest "$BASE_REPO" "${BASE_IMAGE##*:}")" ]; then
    log "$BASE_IMAGE is in the registry"
    return 0
  fi
  make_base_rootfs
  import_base "$BASE_IMAGE"
  verify_libraries "$BASE_IMAGE"
  verify_git "$BASE_IMAGE"
  verify_frameworks "$BASE_IMAGE"
  log "docker push $BASE_IMAGE"
  docker push "$BASE_IMAGE" >"$WORK/push-base.log" 2>&1 || { tail -5 "$WORK/push-base.log" >&2; die "docker push $BASE_IMAGE failed"; }
}

# ---------------------------------------------------------------- the operator image
# What goes into the operator image besides the commit: the base, the SDK, this recipe and any
# uncommitted change to the project's inputs (a dirty tree must not reuse the commit's tag with
# other content, or a Deployment pinned to that tag would never roll).
INPUTS=(ImageBuilder.Operator Directory.Build.props Directory.Packages.props global.json NuGet.config scripts/operator-image.sh)
image_tag() {
  local sha dirty key
  sha=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo nogit)
  dirty=$(git -C "$ROOT" status --porcelain --untracked-files=all -- "${INPUTS[@]}" 2>/dev/null || true)
  key=$({ echo "$BASE_IMAGE"; (cd "$ROOT" && dotnet --version); sha256sum <"$HERE/operator-image.sh"
    if [ -n "$dirty" ]; then
      git -C "$ROOT" diff HEAD -- "${INPUTS[@]}"
      git -C "$ROOT" ls-files --others --exclude-standard -z -- "${INPUTS[@]}" | (cd "$ROOT" && xargs -0r sha256sum)
    fi; } | sha256sum | cut -c1-8)
  echo "$sha${dirty:+-dirty}-$key"
}

# The SDK builds the image: publish (framework-dependent, linux-x64) and the container on top of
# the base. It pulls the base and pushes the result with the credentials of `docker login`
# (~/.docker/config.json); the loopback registry speaks plain http, hence the insecure list.
publish_container() {
  local tag=$1 registry=${REPO%%/*} local_registry="" revision source
  revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
  # org.opencontainers.image.source: the clone's origin without any user:token@ part, else the
  # checkout itself (a clone without a remote, as on the development machine).
  source=$(git -C "$ROOT" remote get-url origin 2>/dev/null | sed -E 's|^([a-z+]+://)[^/@]*@|\1|' || true)
  source=${source:-file://$ROOT}
  # Without a registry the SDK loads the image into the local Docker instead (named without the
  # registry host; main() tags it as $REPO).
  if [ "$PUSH" != 1 ]; then registry=""; local_registry=Docker; fi
  log "dotnet publish -t:PublishContainer $REPO:$tag (base $BASE_IMAGE)"
  # --artifacts-path keeps this RID-specific restore and build out of the checkout's obj/,
  # so a concurrent `dotnet build`/`dotnet test` in the same worktree is not disturbed.
  DOTNET_CONTAINER_INSECURE_REGISTRIES=$REGISTRY_ADDR dotnet publish "$PROJECT" -t:PublishContainer \
    -c Release -r linux-x64 --self-contained false --artifacts-path "$WORK/artifacts" --nologo -v q \
    -p:DebugType=none -p:PublishDocumentationFile=false -p:PublishReferencesDocumentationFiles=false \
    -p:ContainerBaseImage="$BASE_IMAGE" -p:ContainerRegistry="$registry" -p:LocalRegistry="$local_registry" \
    -p:ContainerRepository="${REPO#*/}" -p:ContainerImageTags="\"$tag;dev\"" \
    -p:PublishRepositoryUrl=true -p:RepositoryType=git -p:RepositoryUrl="$source" -p:SourceRevisionId="$revision" \
    --disable-build-servers 9>&- >"$WORK/publish.log" 2>&1 \
    || { tail -30 "$WORK/publish.log" >&2; die "dotnet publish -t:PublishContainer failed (full log: $WORK/publish.log)"; }
}

# The runtime must start and reach managed code. A deliberately invalid option makes the final
# operator stop at its options validation; an operator without that option just starts listening.
# Any of these proves that managed code ran: a console log line, the host's own messages, or an
# exception that escaped Main.
MANAGED='^(info|warn|fail|crit|dbug|trce): |^image-builder: cannot run: |Now listening on|Application started|OptionsValidationException|Hosting failed to start|Unhandled exception\.'
verify_runtime() {
  local image=$1 name="ib-operator-image-check-$$" logs="" i
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --network none --read-only --tmpfs /tmp \
    -e ASPNETCORE_URLS=http://unix:/tmp/check.sock -e Build__Strategy=not-a-strategy \
    "$image" >/dev/null
  for i in $(seq 1 60); do
    logs=$(docker logs "$name" 2>&1 || true)
    grep -qE "$MANAGED" <<<"$logs" && break
    [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
    sleep 0.5
  done
  docker rm -f "$name" >/dev/null 2>&1 || true
  if grep -qE 'error while loading shared libraries|Failed to create CoreCLR|Failed to load|hostfxr|You must install or update .NET|No usable version of libssl|ICU' <<<"$logs" \
    || ! grep -qE "$MANAGED" <<<"$logs"; then
    printf '%s\n' "$logs" | tail -20 >&2
    die "the .NET runtime did not start in $image"
  fi
  [ "$(docker image inspect -f '{{.Config.User}}' "$image")" = 1000 ] || die "$image does not run as user 1000"
}

main() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required"
  apt_ensure "${BASE_PACKAGES[@]}"
  mkdir -p "$WORK"
  # One run at a time per checkout (tests and make up may start it at once): they share $WORK's
  # build output. The descriptor is closed for dotnet (--disable-build-servers: nothing lingers).
  exec 9>"$WORK/lock"
  flock -w 900 9 || die "another scripts/operator-image.sh of this checkout held $WORK/lock for 15 min"
  bash "$HERE/services.sh" up docker registry >/dev/null 2>"$WORK/services.log" \
    || { tail -5 "$WORK/services.log" >&2; die "docker and the registry are not up (scripts/services.sh up)"; }
  docker_login
  RUNTIME=$(runtime_version)
  ensure_base
  local tag
  tag=$(image_tag)
  if [ "$PUSH" = 1 ] && [ -n "$(registry_digest "$REPO" "$tag")" ]; then
    log "$REPO:$tag is in the registry"
    # The kubelet runs it from the node's Docker (IfNotPresent).
    docker image inspect "$REPO:$tag" >/dev/null 2>&1 || docker pull -q "$REPO:$tag" >/dev/null
  elif [ "$PUSH" != 1 ] && docker image inspect "$REPO:$tag" >/dev/null 2>&1; then
    log "$REPO:$tag is in Docker"
  else
    publish_container "$tag"
    if [ "$PUSH" = 1 ]; then
      docker pull -q "$REPO:$tag" >/dev/null || die "docker pull $REPO:$tag failed after the SDK pushed it"
    else
      docker tag "${REPO#*/}:$tag" "$REPO:$tag" && docker rmi "${REPO#*/}:$tag" "${REPO#*/}:dev" >/dev/null
    fi
    verify_runtime "$REPO:$tag"
  fi
  docker tag "$REPO:$tag" "$REPO:dev"
  echo "IMAGE=$REPO:$tag"
}

main "$@"
