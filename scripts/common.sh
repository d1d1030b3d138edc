#!/usr/bin/env bash
# Shared settings for the development-platform scripts. Sourced, never run.
set -euo pipefail

# Everything built or started lives outside the repo so that a fresh clone on a
# warm machine reuses it (the Kubernetes build alone costs ~14 min).
# CI runs with a reduced environment: give dotnet and git a home if none is set.
export HOME="${HOME:-/root}" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
: "${IB_CACHE:=/var/cache/imagebuilder}"
: "${IB_STATE:=/var/lib/imagebuilder}"
: "${IB_RUN:=$IB_STATE/run}"
: "${IB_LOGS:=$IB_STATE/logs}"
K8S_VERSION=1.20.2
K8S_BIN="$IB_CACHE/kubernetes-$K8S_VERSION/bin"
# BuildKit from Debian trixie's docker.io source package (scripts/build-buildkit.sh).
BUILDKIT_VERSION=0.13.2
BUILDKIT_BIN="$IB_CACHE/buildkit-$BUILDKIT_VERSION/bin"
TOOLS_BIN="$IB_CACHE/tools/bin"
IB_KUBECONFIG="$IB_STATE/kubeconfig"
REGISTRY_ADDR=127.0.0.1:5000
REGISTRY_USER=imagebuilder
# A development-only password for the loopback registry; never a real secret.
REGISTRY_PASSWORD=dev-registry-password
export PATH="$TOOLS_BIN:$K8S_BIN:$PATH"
mkdir -p "$IB_CACHE" "$IB_STATE" "$IB_RUN" "$IB_LOGS"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# apt-get install of the named packages, only when one is missing.
apt_ensure() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ ! -f "$IB_STATE/apt-updated" ] || [ -n "$(find "$IB_STATE/apt-updated" -mmin +1440)" ]; then
    apt-get update -qq >&2 && touch "$IB_STATE/apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Waits until the command succeeds, up to $1 seconds.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && die "$what not ready after ${timeout}s (logs: $IB_LOGS)"
    sleep 0.5
  done
}

# True when the pid in $IB_RUN/$1.pid is alive. A killed daemon whose parent is gone can stay a
# zombie for a while (nothing reaps it here), and kill -0 succeeds on zombies: so the state counts.
running() {
  local f="$IB_RUN/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  case "$(ps -o stat= -p "$pid" 2>/dev/null)" in Z*|"") return 1 ;; esac
}

# Starts a daemon in the background with its own log and pid file.
start_daemon() {
  local name=$1; shift
  log "starting $name"
  nohup setsid "$@" >>"$IB_LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$IB_RUN/$name.pid"
}

port_taken() { ss -ltnH "sport = :$1" | grep -q .; }
