#!/usr/bin/env bash
# make devc: the development environment in a dev container (.devcontainer/devcontainer.json), through
# the Dev Containers CLI (npm @devcontainers/cli, installed under $IB_CACHE/tools, not globally).
# For a developer whose machine has a Docker engine that can pull images (Docker Desktop, a Linux
# host with a bridge network): it starts the container and opens a shell in it, where `make
# services`, `make run` and `make test` work as on a bare Debian machine.
# It cannot run on a machine without such an engine, which includes this project's development
# machines and CI: their only engine is the platform's own dockerd (scripts/services.sh: no bridge
# network, nothing reachable beyond 127.0.0.1), which can neither pull the dev container's image
# (mcr.microsoft.com) and features (ghcr.io) nor give the container a network. There it stops at
# once with one line saying so, after checking that the CLI installs and reads the configuration.
#   make devc                  container up, then a shell in it
#   make devc ARGS='make test' container up, then that command in it
source "$(dirname "$0")/common.sh"
cd "$IB_ROOT"
DEVC_VERSION=0.89.0
DEVC_DIR="$IB_CACHE/tools/devcontainers-cli-$DEVC_VERSION"
DEVC="$DEVC_DIR/node_modules/.bin/devcontainer"

if [ ! -x "$DEVC" ]; then
  command -v npm >/dev/null || apt_ensure nodejs npm
  log "installing @devcontainers/cli $DEVC_VERSION into $DEVC_DIR"
  mkdir -p "$DEVC_DIR"
  npm install --prefix "$DEVC_DIR" --no-audit --no-fund --loglevel=error "@devcontainers/cli@$DEVC_VERSION" >&2 \
    || die "npm install @devcontainers/cli@$DEVC_VERSION failed"
fi
image=$("$DEVC" read-configuration --workspace-folder "$IB_ROOT" 2>/dev/null | jq -r '.configuration.image // empty') \
  || die "devcontainer read-configuration failed on .devcontainer/devcontainer.json"
[ -n "$image" ] || die ".devcontainer/devcontainer.json names no image"

# The engine must answer, and its containers need a network to pull and install the features.
docker info >/dev/null 2>&1 \
  || die "make devc needs a Docker engine and none answers here (docker info failed); on this machine use make services / make run instead"
if ! docker network inspect bridge >/dev/null 2>&1 && ! docker image inspect "$image" >/dev/null 2>&1; then
  die "make devc cannot run on this machine: its Docker engine (the development platform's, no bridge network, no registry beyond 127.0.0.1) cannot pull $image or give the container a network; run it where Docker can pull, or use make services / make run here"
fi

log "devcontainer up ($image)"
"$DEVC" up --workspace-folder "$IB_ROOT" >&2 || die "devcontainer up failed (see above)"
if [ $# -gt 0 ]; then
  exec "$DEVC" exec --workspace-folder "$IB_ROOT" bash -lc "$*"
fi
exec "$DEVC" exec --workspace-folder "$IB_ROOT" bash -l
