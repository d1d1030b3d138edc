#!/usr/bin/env bash
# Shared settings for the development-platform scripts. Sourced, never run.
set -euo pipefail

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- development settings
# config/.env holds the developer's settings for the development commands (make run, up, submit,
# down, ...); config/.env.example documents every one and is copied to config/.env on first use
# (gitignored). A variable already in the environment wins over the file, so `KEEP=1 make run`
# works whatever the file says. DEV_ENV_FILE names another file (the tests use a temporary copy).
# The file is data, not shell: NAME=value lines (an `export ` before NAME and quotes around the
# value are allowed), blank lines and # comments; nothing is expanded or run. A line of another
# form, or a NAME the example does not document (a typo would otherwise be ignored silently),
# stops the command with the file and line. Values are never printed: the file may hold secrets.
IB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEV_ENV_EXAMPLE="$IB_ROOT/config/.env.example"
DEV_ENV_FROM_FILE="" DEV_ENV_FROM_ENVIRONMENT=""
load_dev_env() {
  local file=${DEV_ENV_FILE:-$IB_ROOT/config/.env} shown n=0 line name value known
  shown=${file#"$IB_ROOT"/}
  if [ ! -e "$file" ] && [ -z "${DEV_ENV_FILE:-}" ] && [ -f "$DEV_ENV_EXAMPLE" ]; then
    # Written aside and renamed: commands started at once never read a half-copied file.
    cp "$DEV_ENV_EXAMPLE" "$file.$$.tmp" && mv -f "$file.$$.tmp" "$file"
    log "created config/.env from config/.env.example (your settings for make run, up, submit; gitignored)"
  fi
  [ -f "$file" ] || { [ -n "${DEV_ENV_FILE:-}" ] && die "DEV_ENV_FILE=$file: no such file"; return 0; }
  known=$(dev_env_names)
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ "$line" =~ ^[[:space:]]*(#.*)?$ ]] && continue
    if [[ "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      name=${BASH_REMATCH[2]} value=${BASH_REMATCH[3]}
    else
      die "$shown:$n: not a NAME=value line (no spaces around =; comments start with #)"
    fi
    grep -qxF "$name" <<<"$known" || die "$shown:$n: $name is not a setting of the development commands (config/.env.example lists them)"
    if [[ "$value" =~ ^\"(.*)\"$ ]] || [[ "$value" =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
    # The environment wins: a variable set there (even to empty) is left as it is.
    if [ -n "${!name+x}" ]; then DEV_ENV_FROM_ENVIRONMENT+="$name"$'\n'; continue; fi
    export "$name=$value"
    DEV_ENV_FROM_FILE+="$name"$'\n'
  done <"$file"
  # The other documented names the environment sets (make config says where each value came from).
  for name in $known; do
    [ -n "${!name+x}" ] && ! grep -qxF "$name" <<<"$DEV_ENV_FROM_FILE$DEV_ENV_FROM_ENVIRONMENT" && DEV_ENV_FROM_ENVIRONMENT+="$name"$'\n'
  done
  return 0
}
# The names config/.env.example documents: NAME= at the start of a line, commented out or not.
dev_env_names() { [ -f "$DEV_ENV_EXAMPLE" ] && sed -nE 's/^#? ?(export )?([A-Za-z_][A-Za-z0-9_]*)=.*/\2/p' "$DEV_ENV_EXAMPLE" | sort -u; }
load_dev_env

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

# True when DIR holds every named executable: a tool built once per machine is not built again.
have_executables() { local dir=$1 f; shift; for f in "$@"; do [ -x "$dir/$f" ] || return 1; done; }

# An empty build folder: one left by an interrupted build is removed first, so a build never resumes half-done.
fresh_build_dir() {
  if [ -d "$1" ]; then
    log "removing a half-finished build in $1"
    rm -rf "$1"
  fi
  mkdir -p "$1"
}

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

# ---------------------------------------------------------------- pid files
# $IB_RUN/NAME.pid holds the pid alone (what older copies of these scripts read), and
# $IB_RUN/NAME.start the boot it was written in and the process's start time (field 22 of
# /proc/PID/stat). A pid alone is not enough: the file survives a reboot or a crash, and the
# pid may since belong to an unrelated process that `down` would then kill. The pid is trusted
# only while the boot and the start time still match.
boot_id() { cat /proc/sys/kernel/random/boot_id; }
# Start time of a live process in clock ticks since boot; fails when it is gone. The command
# name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
proc_start() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; echo "${20}"; }

# Writes $IB_RUN/$1.pid and $1.start for pid $2.
record_pid() {
  local start; start=$(proc_start "$2") || start=gone
  echo "$(boot_id) $start" >"$IB_RUN/$1.start.tmp"
  echo "$2" >"$IB_RUN/$1.pid.tmp"
  mv "$IB_RUN/$1.start.tmp" "$IB_RUN/$1.start" && mv "$IB_RUN/$1.pid.tmp" "$IB_RUN/$1.pid"
}

# Prints the pid of daemon $1 when its pid file names a live process that is the one we
# started; fails otherwise. A zombie does not count (kill -0 succeeds on zombies, and a killed
# daemon whose parent is gone can stay one for a while).
daemon_pid() {
  local f="$IB_RUN/$1.pid" pid boot="" start="" now btime started written
  [ -f "$f" ] || return 1
  pid=$(head -c 32 "$f" | tr -d ' \n')
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  now=$(proc_start "$pid") || return 1
  if [ -f "$IB_RUN/$1.start" ]; then
    read -r boot start <"$IB_RUN/$1.start" || true
    [ "$boot" = "$(boot_id)" ] && [ "$start" = "$now" ] || return 1
  else
    # Written by an older copy of these scripts (no .start file): trusted when the process
    # started within a few seconds of the pid file being written, which a pid reused by
    # another process (after a reboot, say) does not.
    btime=$(awk '/^btime/ {print $2}' /proc/stat)
    started=$((btime + now / $(getconf CLK_TCK)))
    written=$(stat -c %Y "$f")
    [ $((started - written)) -le 5 ] && [ $((written - started)) -le 5 ] || return 1
  fi
  case "$(ps -o stat= -p "$pid" 2>/dev/null)" in Z*|"") return 1 ;; esac
  echo "$pid"
}

# True when daemon $1 is the live process we started (see daemon_pid).
running() { daemon_pid "$1" >/dev/null; }

# Stops daemon $1 when it is ours (SIGTERM, then SIGKILL after ${2:-10} s), and forgets its
# pid file either way: a pid file that does not name our process is stale.
stop_daemon() {
  local pid i
  if pid=$(daemon_pid "$1"); then
    log "stopping $1 (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < ${2:-10} * 4; i++)); do running "$1" || break; sleep 0.25; done
    if running "$1"; then log "$1 did not stop on SIGTERM; SIGKILL"; kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$IB_RUN/$1.pid" "$IB_RUN/$1.start"
}

# Starts a daemon in the background with its own log and pid file. Each start's lines are
# preceded by a marker, so a reader of the log can tell this run's lines from earlier ones.
start_daemon() {
  local name=$1; shift
  log "starting $name"
  printf '=== %s start: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$IB_LOGS/$name.log"
  # The daemon gets no descriptor of ours beyond stdin/out/err: one it inherited (a lock file
  # the caller holds, a pipe a test reads to its end) would stay open as long as the daemon runs.
  # Without job control setsid does not fork, and the subshell execs, so $! is the daemon itself.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] && [ "$fd" != 255 ] && eval "exec $fd>&-"
    done
    exec nohup setsid "$@" >>"$IB_LOGS/$name.log" 2>&1 </dev/null
  ) &
  record_pid "$name" $!
}

# ---------------------------------------------------------------- ports
port_taken() { ss -ltnH "sport = :$1" | grep -q .; }

# Pids listening on TCP port $1, one per line.
port_pids() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }

# "pid N (command line)" of each process listening on port $1, for messages.
port_holder() {
  local pid out=""
  for pid in $(port_pids "$1"); do
    out+="${out:+, }pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-120 | sed 's/ *$//'))"
  done
  echo "${out:-an unknown process}"
}

# True when daemon $1 (or a process of its own process group: dotnet and rabbitmq start
# children) is the one listening on port $2.
daemon_listens() {
  local pid own p
  own=$(daemon_pid "$1") || return 1
  for p in $(port_pids "$2"); do
    [ "$p" = "$own" ] && return 0
    # setsid made the daemon a group leader: its children share its process group id.
    [ "$(ps -o pgid= -p "$p" 2>/dev/null | tr -d ' ')" = "$own" ] && return 0
  done
  return 1
}

# Dies when port $2 is held by a process that is not daemon $1, naming it.
ensure_port_free_for() {
  port_taken "$2" || return 0
  daemon_listens "$1" "$2" && return 0
  die "port $2 (for $1) is taken by $(port_holder "$2"); stop that process or free the port"
}

# Waits up to $1 s until daemon $2 (started by start_daemon) is ready: its own process alive,
# listening on port $3 (0: no port of its own), and the check "$@" passing. Fails at once
# when the process exits (e.g. "address already in use"), with its last log lines and the
# holder of the port, instead of taking an earlier run's process or log line for this one.
wait_daemon() {
  local timeout=$1 name=$2 port=$3; shift 3
  local deadline=$((SECONDS + timeout))
  while :; do
    if ! running "$name"; then
      tail -n 5 "$IB_LOGS/$name.log" >&2 || true
      if [ "$port" != 0 ] && port_taken "$port"; then
        die "$name exited: port $port is taken by $(port_holder "$port")"
      fi
      die "$name exited during start-up (log: $IB_LOGS/$name.log)"
    fi
    if { [ "$port" = 0 ] || daemon_listens "$name" "$port"; } && "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 5 "$IB_LOGS/$name.log" >&2 || true
      if [ "$port" != 0 ] && port_taken "$port" && ! daemon_listens "$name" "$port"; then
        die "$name not ready after ${timeout}s: port $port is held by $(port_holder "$port")"
      fi
      [ "$port" != 0 ] && ! daemon_listens "$name" "$port" && die "$name not listening on port $port after ${timeout}s (log: $IB_LOGS/$name.log)"
      die "$name not ready after ${timeout}s (log: $IB_LOGS/$name.log)"
    fi
    sleep 0.5
  done
}
