#!/usr/bin/env bash
# Builds buildkitd and buildctl (BuildKit v$BUILDKIT_VERSION) from Debian trixie's docker.io
# source package, with Debian's own Go 1.24 and golang-*-dev packages, into $BUILDKIT_BIN,
# once per machine (README, "The development platform"). Nothing comes
# from outside Debian, and nothing from trixie is installed system-wide: a private apt
# configuration downloads and `dpkg-deb -x` unpacks into the build folder.
source "$(dirname "$0")/common.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

FILES=(buildkitd buildctl buildctl-daemonless.sh)
if have_executables "$BUILDKIT_BIN" "${FILES[@]}"; then exit 0; fi

BUILD="$IB_CACHE/buildkit-$BUILDKIT_VERSION/build"
fresh_build_dir "$BUILD"
# A half-installed bin folder (one binary missing) is rebuilt whole.
rm -rf "$BUILDKIT_BIN"
cd "$BUILD"
start=$SECONDS

# Trixie's lists, in the build folder only: the machine's own apt state stays bookworm's.
mkdir -p apt/lists/partial apt/cache/archives/partial
cat >apt/sources.list <<'SRC'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
SRC
cat >apt/apt.conf <<CONF
Dir::State "$BUILD/apt";
Dir::State::Lists "$BUILD/apt/lists";
Dir::State::status "/var/lib/dpkg/status";
Dir::Cache "$BUILD/apt/cache";
Dir::Etc::SourceList "$BUILD/apt/sources.list";
Dir::Etc::SourceParts "/dev/null";
CONF
export APT_CONFIG="$BUILD/apt/apt.conf"
log "building BuildKit $BUILDKIT_VERSION from Debian trixie's docker.io source (about 2 min on 2 cores)"
apt-get update -qq >&2 || die "apt-get update for trixie failed (is deb.debian.org reachable?)"

# The mirror lacks this version's .dsc (404), so apt-get exits 100 after fetching and
# hash-checking the tarballs: check each tarball against the hashes apt itself publishes.
mkdir -p src && cd src
# (--print-uris first: it omits files already present.)
apt-get source -qq --print-uris docker.io 2>/dev/null | awk '$2 ~ /\.tar\./ { sub(/^SHA256:/, "", $4); print $4 "  " $2 }' >SHA256SUMS
apt-get source -qq --download-only docker.io >/dev/null 2>&1 || true
[ "$(grep -c . SHA256SUMS)" -ge 4 ] || die "apt-get source --print-uris docker.io lists fewer than 4 tarballs"
sha256sum --quiet -c SHA256SUMS >&2 || die "docker.io source tarballs missing or corrupt in $BUILD/src"
cd "$BUILD"

# Debian's layout: engine (the main tarball's */engine), buildkit, cli, debian; then every patch.
mkdir -p tree orig
tar -xJf src/docker.io_*.orig.tar.xz -C orig
mv orig/*/engine tree/engine
tar -xJf src/docker.io_*.orig-buildkit.tar.xz -C tree
tar -xJf src/docker.io_*.orig-cli.tar.xz -C tree
tar -xJf src/docker.io_*.debian.tar.xz -C tree
[ -d tree/buildkit/cmd/buildkitd ] || die "the orig-buildkit tarball has no cmd/buildkitd"
grep -v '^[[:space:]]*\(#\|$\)' tree/debian/patches/series | awk '{ print $1 }' | while read -r p; do
  patch -d tree -p1 -s -N <"tree/debian/patches/$p" >&2 || die "debian patch $p does not apply"
done

# Go 1.24 (a CVE patch uses os.OpenRoot) and the Go libraries BuildKit does not vendor.
# The list pins the versions tested; if the mirror moved on, take trixie's current ones.
mkdir -p debs unpacked
mapfile -t pkgs < <(grep -v '^[[:space:]]*\(#\|$\)' "$HERE/buildkit-golang-dev-packages.txt")
pkgs+=(golang-1.24-go golang-1.24-src)
if ! (cd debs && apt-get download -qq "${pkgs[@]}" >/dev/null 2>&1); then
  log "some pinned versions of buildkit-golang-dev-packages.txt are gone; taking trixie's current ones"
  (cd debs && apt-get download -qq "${pkgs[@]%%=*}" >&2) || die "apt-get download of BuildKit's Go packages failed"
fi
for d in debs/*.deb; do dpkg-deb -x "$d" unpacked; done
GOROOT="$BUILD/unpacked/usr/lib/go-1.24"
[ -x "$GOROOT/bin/go" ] || die "golang-1.24-go did not unpack to $GOROOT"

# GOPATH mode, as Debian's rules build it: BuildKit's partial vendor/ first, then Debian's gocode.
mkdir -p gopath/src/github.com/moby out
cp -a tree/buildkit gopath/src/github.com/moby/buildkit
log "compiling buildkitd and buildctl"
(
  cd gopath/src/github.com/moby/buildkit
  export GOROOT PATH="$GOROOT/bin:$PATH" GOPATH="$BUILD/gopath:$BUILD/unpacked/usr/share/gocode"
  export GO111MODULE=off GOPROXY=off GOTOOLCHAIN=local GOFLAGS='' CGO_ENABLED=0 GOCACHE="$BUILD/gocache"
  ldflags="-s -w -X github.com/moby/buildkit/version.Version=v$BUILDKIT_VERSION -X github.com/moby/buildkit/version.Revision=debian-docker.io"
  go build -trimpath -ldflags "$ldflags" -o "$BUILD/out/buildkitd" ./cmd/buildkitd >&2
  go build -trimpath -ldflags "$ldflags" -o "$BUILD/out/buildctl" ./cmd/buildctl >&2
) || die "go build of BuildKit failed (build folder kept: $BUILD)"
install -m 0755 tree/buildkit/examples/buildctl-daemonless/buildctl-daemonless.sh out/

# Install whole or not at all: the bin folder appears only once every file is in it.
rm -rf "$BUILDKIT_BIN.tmp" && mkdir -p "$BUILDKIT_BIN.tmp"
for f in "${FILES[@]}"; do install -m 0755 "out/$f" "$BUILDKIT_BIN.tmp/$f"; done
mv "$BUILDKIT_BIN.tmp" "$BUILDKIT_BIN"
cd / && rm -rf "$BUILD"
log "BuildKit $BUILDKIT_VERSION is in $BUILDKIT_BIN ($((SECONDS - start))s)"
