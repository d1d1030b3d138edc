#!/usr/bin/env bash
# The operator's container image, made without pulling anything (no hub is reachable here):
# a self-contained `dotnet publish` on a rootfs of busybox-static, the host's shared libraries
# the .NET runtime needs (found with the loader, plus the dlopen'd OpenSSL), CA certificates,
# Debian's git for the `git` connector (it runs `git ls-remote`) and a non-root user 1000;
# `docker import`, tag, push to the loopback registry.
#
# Idempotent and fast when nothing changed: the image carries the hash of the publish output
# (and of this recipe) as a label, and nothing is imported or pushed again while it matches.
# The image also stays in the node's Docker, so the kubelet runs it with IfNotPresent.
#
#   scripts/operator-image.sh      prints IMAGE=<repository>:<tag> as its last line
#   OPERATOR_IMAGE_REPO=...        repository (default 127.0.0.1:5000/image-builder/operator)
#   OPERATOR_IMAGE_PUSH=0          build and verify only
source "$(dirname "$0")/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REPO=${OPERATOR_IMAGE_REPO:-$REGISTRY_ADDR/image-builder/operator}
PUSH=${OPERATOR_IMAGE_PUSH:-1}
# One build directory per checkout: worktrees must not share obj/ (see the helper brief).
WORK="$IB_CACHE/operator-image/$(printf %s "$ROOT" | sha256sum | cut -c1-12)"
LIBDIR=/lib/x86_64-linux-gnu
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

publish() {
  log "dotnet publish ImageBuilder.Operator (Release, linux-x64, self-contained)"
  rm -rf "$WORK/publish"
  # --artifacts-path keeps this RID-specific restore and build out of the checkout's obj/,
  # so a concurrent `dotnet build`/`dotnet test` in the same worktree is not disturbed.
  dotnet publish "$ROOT/ImageBuilder.Operator/ImageBuilder.Operator.csproj" -c Release -r linux-x64 \
    --self-contained -p:PublishSingleFile=false -p:DebugType=none -p:PublishDocumentationFile=false -p:PublishReferencesDocumentationFiles=false \
    --artifacts-path "$WORK/artifacts" -o "$WORK/publish" --nologo -v q >"$WORK/publish.log" 2>&1 \
    || { tail -30 "$WORK/publish.log" >&2; die "dotnet publish failed (full log: $WORK/publish.log)"; }
  [ -x "$WORK/publish/ImageBuilder.Operator" ] || die "publish produced no ImageBuilder.Operator binary"
}

# Hash of every published file (path and content) and of this script, which is the image recipe.
content_hash() {
  { (cd "$WORK/publish" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    sha256sum <"$HERE/operator-image.sh"; } | sha256sum | cut -c1-64
}

image_tag() {
  local hash=$1 sha
  sha=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo nogit)
  # A dirty tree must not reuse the commit's tag with other content, or a Deployment pinned
  # to that tag would never roll.
  if [ -n "$(git -C "$ROOT" status --porcelain -- ImageBuilder.Operator Directory.Build.props Directory.Packages.props global.json scripts/operator-image.sh 2>/dev/null)" ]; then
    echo "$sha-dirty.${hash:0:8}"
  elif [ -n "$(local_hash "$REPO:$sha")" ] && [ "$(local_hash "$REPO:$sha")" != "$hash" ]; then
    # Same commit, other output (e.g. another SDK): a tag of its own, for the same reason.
    echo "$sha-${hash:0:8}"
  else
    echo "$sha"
  fi
}

# Shared libraries of every native file of the publish output and of the dlopen'd ones.
needed_libs() {
  local f
  {
    for f in "$WORK/publish/ImageBuilder.Operator" "$WORK/publish"/*.so "${GIT_FILES[@]}"; do
      ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^\t\/.* \(0x/ {print $1}'
    done
    for f in "${DLOPENED[@]}"; do
      [ -e "$LIBDIR/$f" ] || die "$LIBDIR/$f is missing (apt-get install libssl3)"
      echo "$LIBDIR/$f"
      ldd "$LIBDIR/$f" | awk '/=> \// {print $3} /^\t\/.* \(0x/ {print $1}'
    done
  } | sort -u
}

make_rootfs() {
  local rootfs="$WORK/rootfs" lib
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{app,bin,etc/ssl/certs,tmp,lib64,"${LIBDIR#/}",usr/lib/ssl}
  chmod 1777 "$rootfs/tmp"
  cp -a "$WORK/publish/." "$rootfs/app/"
  cp /bin/busybox "$rootfs/bin/busybox"
  for c in $("$rootfs/bin/busybox" --list); do [ "$c" = busybox ] || ln -sf busybox "$rootfs/bin/$c"; done
  for lib in $(needed_libs); do
    # Same path as on the host (the loader is /lib64/ld-linux-x86-64.so.2); -L copies the file, not the link.
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  printf '%s\n' "$LIBDIR" /usr/lib/x86_64-linux-gnu >"$rootfs/etc/ld.so.conf"
  ldconfig -r "$rootfs"
  mkdir -p "$rootfs/usr/bin" "$rootfs$GIT_EXEC_DIR"
  cp /usr/bin/git "$rootfs/usr/bin/git"
  cp /usr/bin/git "$rootfs$GIT_EXEC_DIR/git"
  cp "$GIT_EXEC_DIR/git-remote-http" "$rootfs$GIT_EXEC_DIR/git-remote-http"
  local link
  for link in "${GIT_LINKS[@]}"; do ln -s "${link#*:}" "$rootfs$GIT_EXEC_DIR/${link%%:*}"; done
  cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  ln -s /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/lib/ssl/cert.pem"
  ln -s /etc/ssl/certs "$rootfs/usr/lib/ssl/certs"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:image-builder:/tmp:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$rootfs/etc/hosts"
}

import_image() {
  local hash=$1 tag=$2 revision
  revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
  log "docker import $REPO:$tag"
  # Fixed owner and mtime: the same rootfs gives the same layer.
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$WORK/rootfs" -cf - . \
    | docker import \
      -c 'ENTRYPOINT ["/app/ImageBuilder.Operator"]' \
      -c 'WORKDIR /app' \
      -c 'USER 1000:1000' \
      -c 'ENV PATH=/app:/usr/bin:/bin HOME=/tmp DOTNET_RUNNING_IN_CONTAINER=true ASPNETCORE_URLS=http://0.0.0.0:8080 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt SSL_CERT_DIR=/etc/ssl/certs' \
      -c 'EXPOSE 8080' \
      -c "LABEL imagebuilder.content-hash=$hash org.opencontainers.image.revision=$revision org.opencontainers.image.title=image-builder-operator" \
      - "$REPO:$tag" >/dev/null
}

local_hash() { docker image inspect "$1" --format '{{index .Config.Labels "imagebuilder.content-hash"}}' 2>/dev/null || true; }

# The digest the registry holds for a tag, or nothing.
registry_digest() {
  local host=${REPO%%/*} path=${REPO#*/}
  curl -s -I -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$host/v2/$path/manifests/$1" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}'
}

push_tag() {
  local tag=$1 local_digest
  local_digest=$(docker image inspect "$REPO:$tag" --format '{{range .RepoDigests}}{{println .}}{{end}}' | sed -n "s|^$REPO@||p")
  if [ -n "$local_digest" ] && grep -qxF "$(registry_digest "$tag")" <<<"$local_digest"; then
    return 0
  fi
  log "docker push $REPO:$tag"
  docker push "$REPO:$tag" >"$WORK/push.log" 2>&1 || { tail -5 "$WORK/push.log" >&2; die "docker push $REPO:$tag failed"; }
}

# Every native file must resolve all its libraries inside the image: the image's own loader lists them.
verify_libraries() {
  local image=$1 out
  out=$(docker run --rm --network none --entrypoint /bin/sh "$image" -c '
    for f in /app/ImageBuilder.Operator /app/*.so '"$(printf "$LIBDIR/%s " "${DLOPENED[@]}") ${GIT_FILES[*]}"'; do
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

# The runtime must start and reach managed code. A deliberately invalid option makes the final
# operator stop at its options validation; an operator without that option just starts listening.
# Any of these proves that managed code ran: a console log line, the host's own messages, or an
# exception that escaped Main.
MANAGED='^(info|warn|fail|crit|dbug|trce): |^image-builder: cannot run: |Now listening on|Application started|OptionsValidationException|Hosting failed to start|Unhandled exception\.'
verify_runtime() {
  local image=$1 name="ib-operator-image-check-$$" logs="" i
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --network none --read-only --tmpfs /tmp --user 1000:1000 \
    -e ASPNETCORE_URLS=http://unix:/tmp/check.sock -e Build__Strategy=not-a-strategy \
    "$image" >/dev/null
  for i in $(seq 1 60); do
    logs=$(docker logs "$name" 2>&1 || true)
    grep -qE "$MANAGED" <<<"$logs" && break
    [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
    sleep 0.5
  done
  docker rm -f "$name" >/dev/null 2>&1 || true
  if grep -qE 'error while loading shared libraries|Failed to create CoreCLR|Failed to load|hostfxr|No usable version of libssl|ICU' <<<"$logs" \
    || ! grep -qE "$MANAGED" <<<"$logs"; then
    printf '%s\n' "$logs" | tail -20 >&2
    die "the .NET runtime did not start in $image"
  fi
}

main() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required"
  apt_ensure busybox-static ca-certificates libssl3 git
  mkdir -p "$WORK"
  bash "$HERE/services.sh" up docker registry >/dev/null 2>"$WORK/services.log" \
    || { tail -5 "$WORK/services.log" >&2; die "docker and the registry are not up (scripts/services.sh up)"; }
  publish
  local hash tag
  hash=$(content_hash)
  tag=$(image_tag "$hash")
  if [ "$(local_hash "$REPO:$tag")" = "$hash" ]; then
    log "$REPO:$tag is up to date (content ${hash:0:12})"
  else
    make_rootfs
    import_image "$hash" "$tag"
    verify_libraries "$REPO:$tag"
    verify_git "$REPO:$tag"
    verify_runtime "$REPO:$tag"
  fi
  docker tag "$REPO:$tag" "$REPO:dev"
  if [ "$PUSH" = 1 ]; then
    echo "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin "${REPO%%/*}" >/dev/null 2>&1 \
      || die "docker login ${REPO%%/*} failed"
    push_tag "$tag"
    push_tag dev
  fi
  echo "IMAGE=$REPO:$tag"
}

main "$@"
