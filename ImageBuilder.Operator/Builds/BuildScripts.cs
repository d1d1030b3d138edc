namespace ImageBuilder.Operator.Builds;

/// <summary>
/// The POSIX sh scripts the build containers run (busybox ash, dash or bash). Values reach them
/// only through environment variables and arguments, never by splicing text into a script, so a
/// repository path or build argument cannot inject shell. Every container reports through its
/// termination message because the operator cannot read pod logs on every cluster: a JSON object
/// with <c>stage</c> (fetch, plan, build, push, done), <c>reason</c>, <c>error</c>,
/// <c>httpStatus</c>, <c>digest</c> and <c>logTail</c>, under the kubelet's 4096-byte limit.
/// </summary>
public static class BuildScripts
{
    /// <summary>Shared functions; every script starts with it.</summary>
    public const string Common = """
        set -u
        # Overridable so the scripts' reporting can be tested outside a pod.
        IB_LOGS=${IB_LOGS:-/workspace/logs}
        ib_report=${IB_TERMINATION_LOG:-/dev/termination-log}
        mkdir -p "$IB_LOGS"
        ib_esc=$(printf '\033')
        # JSON string body: colour codes dropped, tabs to spaces, other control bytes dropped, backslash and quote escaped.
        ib_escape() {
          sed "s/${ib_esc}\[[0-9;]*[A-Za-z]//g" | tr '\t' ' ' | tr -d '\000-\010\013-\037\177' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
        }
        # Escaped lines joined with \n, keeping the end, at most $1 bytes.
        ib_join() {
          awk -v max="$1" '
            # The last n bytes of s, starting on an escape boundary so the JSON stays valid.
            function cut(s, n,   i) { i = 1; while (i <= length(s) - n) i += (substr(s, i, 1) == "\\") ? 2 : 1; return substr(s, i) }
            { l[NR] = $0 }
            END {
              out = ""
              for (i = NR; i >= 1; i--) {
                s = (i < NR) ? l[i] "\\n" : l[i]
                if (length(out) + length(s) > max) { out = cut(s, max - length(out)) out; break }
                out = s out
              }
              printf "%s", out
            }'
        }
        # The last 40 lines of a log file, at most 2800 bytes once escaped.
        ib_tail() { if [ -f "$1" ]; then tail -n 40 "$1" | ib_escape | ib_join 2800; fi; }
        ib_str() { printf '%s\n' "$1" | ib_escape | ib_join 400; }
        # ib_fail STAGE REASON MESSAGE LOGFILE [HTTP_STATUS]: report the failure and stop.
        ib_fail() {
          if [ -f "$4" ]; then cat "$4"; fi
          printf '%s: %s\n' "$1" "$3" >&2
          printf '{"stage":"%s","reason":"%s","error":"%s","httpStatus":%s,"logTail":"%s"}' \
            "$1" "$2" "$(ib_str "$3")" "${5:-0}" "$(ib_tail "$4")" >"$ib_report"
          exit 1
        }
        # ib_done DIGEST LOGFILE: report the pushed image.
        ib_done() {
          if [ -f "$2" ]; then cat "$2"; fi
          printf '{"stage":"done","digest":"%s","image":"%s","logTail":"%s"}' \
            "$1" "$(ib_str "$IB_IMAGE")" "$(ib_tail "$2")" >"$ib_report"
          exit 0
        }
        # A step's success, for init containers: the next container reports the outcome.
        ib_ok() {
          if [ -f "$2" ]; then cat "$2"; fi
          printf '{"stage":"%s"}' "$1" >"$ib_report"
          exit 0
        }
        # The last HTTP status in a wget -S or git log, 0 when none.
        ib_http_status() {
          code=$(sed -n -e 's/.*HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' -e 's/.*returned error: \([0-9][0-9][0-9]\).*/\1/p' "$1" | tail -n 1)
          if [ -z "$code" ]; then
            if grep -qiE 'authentication failed|could not read username|permission denied' "$1"; then code=401
            elif grep -qiE 'repository .*not found|does not appear to be a git repository|not our ref|not a tree|unadvertised object|did not match any|couldn.t find remote ref' "$1"; then code=404
            fi
          fi
          echo "${code:-0}"
        }

        """;

    /// <summary>Init container <c>fetch</c>: the source at <c>IB_COMMIT</c> into /workspace/src.</summary>
    public const string Fetch = Common + """
        log=$IB_LOGS/fetch.log
        src=${IB_SOURCE:-/workspace/src}
        rm -rf "$src" && mkdir -p "$src"
        token=""
        if [ -n "${IB_TOKEN_FILE:-}" ] && [ -s "$IB_TOKEN_FILE" ]; then token=$(cat "$IB_TOKEN_FILE"); fi
        if [ -n "${IB_ARCHIVE_URL:-}" ]; then
          archive="$src.tar.gz"
          if [ -n "$token" ]; then
            wget -S -O "$archive" --header "Authorization: token $token" "$IB_ARCHIVE_URL" >"$log" 2>&1
          else
            wget -S -O "$archive" "$IB_ARCHIVE_URL" >"$log" 2>&1
          fi || ib_fail fetch DownloadFailed "downloading the source archive failed" "$log" "$(ib_http_status "$log")"
          tar xzf "$archive" -C "$src" --strip-components=1 >>"$log" 2>&1 \
            || ib_fail fetch ArchiveInvalid "the source archive could not be unpacked" "$log"
          rm -f "$archive"
        else
          command -v git >/dev/null 2>&1 \
            || ib_fail fetch GitUnavailable "this fetch image has no git, which a clone URL needs" "$log"
          # The operator checked this URL (Sources/GitUrlPolicy): keep git to it. Only the URL's own scheme
          # (no ext::, fd:: or file transports), no protocols named by the remote, no system config, and
          # no redirect to another host.
          GIT_ALLOW_PROTOCOL=${IB_CLONE_URL%%://*}
          export GIT_TERMINAL_PROMPT=0 GIT_ALLOW_PROTOCOL GIT_PROTOCOL_FROM_USER=0 GIT_CONFIG_NOSYSTEM=1
          if [ -n "$token" ]; then
            # Through git's environment config, so the token is in no command line.
            GIT_CONFIG_VALUE_0="Authorization: Basic $(printf 'x-access-token:%s' "$token" | base64 | tr -d '\n')"
            export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0
          fi
          {
            git init -q "$src" && git -C "$src" remote add origin "$IB_CLONE_URL" &&
            git -C "$src" config http.followRedirects false &&
            { git -C "$src" fetch -q --depth 1 origin "$IB_COMMIT" || git -C "$src" fetch -q origin; } &&
            git -C "$src" -c advice.detachedHead=false checkout -q "$IB_COMMIT"
          } >"$log" 2>&1 || ib_fail fetch CloneFailed "cloning the repository failed" "$log" "$(ib_http_status "$log")"
          rm -rf "$src/.git"
        fi
        ib_ok fetch "$log"
        """;

    /// <summary>
    /// Init container <c>plan</c>: decides what the build container builds and writes it to <c>IB_PLAN</c>:
    /// <c>dockerfile</c> (its path) and <c>build-args</c> (buildctl flags, shell-quoted). Arguments are nixpacks flags.
    /// </summary>
    /// <remarks>
    /// nixpacks 1.39.0, read from its source: <c>build --out DIR</c> writes DIR/.nixpacks/Dockerfile, whose
    /// <c>ARG A B …</c> / <c>ENV A=$A …</c> lines take their values only from <c>--build-arg</c>
    /// (src/nixpacks/builder/docker/dockerfile_generation.rs), which nixpacks passes itself, one per plan variable,
    /// in the docker command it writes to .nixpacks/build.sh unquoted (docker_image_builder.rs,
    /// get_docker_build_cmd). So the values come from <c>nixpacks plan --format json</c> with the same flags:
    /// its <c>variables</c> object is exactly that set (provider defaults, nixpacks.toml, --env, NIXPACKS_METADATA),
    /// and jq quotes each for the shell. <c>--cache-key</c> is a flag of <c>build</c> only (src/main.rs).
    /// </remarks>
    public const string Plan = Common + """
        log=$IB_LOGS/plan.log
        plan=${IB_PLAN:-/workspace/plan}
        rm -rf "$plan" "$log" && mkdir -p "$plan"
        cd "$IB_CONTEXT" 2>/dev/null \
          || ib_fail plan RootDirectoryNotFound "the root directory '$IB_ROOT_DIRECTORY' does not exist in the repository" "$log"
        # A repository's own Dockerfile wins when the plan names no builder, as on Railway and Render;
        # builder: nixpacks still runs nixpacks.
        if [ "${IB_BUILDER:-}" != nixpacks ] && [ -f Dockerfile ]; then
          echo "building the repository's Dockerfile" >"$log"
          printf '%s\n' "$IB_CONTEXT/Dockerfile" >"$plan/dockerfile"
          ib_ok plan "$log"
        fi
        nixpacks=$(command -v nixpacks) \
          || ib_fail plan NixpacksUnavailable "the plan image has no nixpacks binary: set Build:Images:Nixpacks to an image with nixpacks 1.39.0 and jq (deploy/images/README.md); a repository with a Dockerfile builds without it" "$log"
        command -v jq >/dev/null 2>&1 \
          || ib_fail plan NixpacksUnavailable "the plan image has no jq: set Build:Images:Nixpacks to an image with nixpacks 1.39.0 and jq (deploy/images/README.md)" "$log"
        # --env=NAME (an empty value) makes nixpacks read NAME from its own environment: set it empty there.
        empty=""
        for name in ${IB_EMPTY_ENVS:-}; do empty="$empty $name="; done
        # shellcheck disable=SC2086 # one NAME= word each; names are [A-Za-z_][A-Za-z0-9_]*
        env $empty "$nixpacks" plan . --format json "$@" >"$plan/plan.json" 2>"$log" \
          || ib_fail plan PlanFailed "nixpacks could not plan a build for this repository" "$log"
        # shellcheck disable=SC2086
        env $empty "$nixpacks" build . --out . --cache-key "$IB_NIXPACKS_CACHE_KEY" "$@" >>"$log" 2>&1 \
          || ib_fail plan PlanFailed "nixpacks could not plan a build for this repository" "$log"
        [ -f .nixpacks/Dockerfile ] \
          || ib_fail plan PlanFailed "nixpacks wrote no .nixpacks/Dockerfile" "$log"
        jq -r '[(.variables // {}) | to_entries[] | "--opt", "build-arg:\(.key)=\(.value)"] | @sh' "$plan/plan.json" >"$plan/build-args" 2>>"$log" \
          || ib_fail plan PlanFailed "nixpacks printed a plan that is not JSON" "$log"
        printf '%s\n' "$IB_CONTEXT/.nixpacks/Dockerfile" >"$plan/dockerfile"
        ib_ok plan "$log"
        """;

    /// <summary>
    /// Main container: rootless BuildKit through buildctl-daemonless.sh, build and push in one command. Arguments
    /// are extra buildctl flags (the plan's envs as build args).
    /// </summary>
    /// <remarks>
    /// Failures are told apart by what buildctl's plain progress says, never by words a RUN step may print: the
    /// vertex whose <c>#N ERROR:</c> line came last, and its name on its first <c>#N NAME</c> line
    /// (util/progress/progressui/printer.go). "exporting to image" (exporter/containerimage, which also pushes)
    /// or "exporting cache to registry" are the registry's; a RUN step's output lines carry a timestamp
    /// (<c>#N 0.123 …</c>) and cannot look like either. buildctl-daemonless.sh's own "could not connect to ADDR
    /// after N trials" means buildkitd never answered.
    /// </remarks>
    public const string BuildKit = Common + """
        log=$IB_LOGS/build.log
        plan=${IB_PLAN:-/workspace/plan}
        src=${IB_SOURCE:-/workspace/src}
        [ -d "$IB_CONTEXT" ] \
          || ib_fail plan RootDirectoryNotFound "the root directory '$IB_ROOT_DIRECTORY' does not exist in the repository" "$log"
        dockerfile=${IB_DOCKERFILE:-}
        if [ -z "$dockerfile" ] && [ -s "$plan/dockerfile" ]; then dockerfile=$(cat "$plan/dockerfile"); fi
        [ -n "$dockerfile" ] || ib_fail plan PlanMissing "the plan container left no decision in '$plan'" "$log"
        [ -f "$dockerfile" ] \
          || ib_fail plan DockerfileNotFound "there is no Dockerfile at '${dockerfile#"$src"/}'" "$log"
        # This pod's own runtime folder: buildkitd's socket lives there, and two daemonless builds sharing one
        # collide silently (the second talks to the first one's daemon). The state (--root) is in BUILDKITD_FLAGS.
        export XDG_RUNTIME_DIR="$IB_BUILDKIT_RUNTIME"
        mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR" \
          || ib_fail build BuildKitUnavailable "BuildKit's runtime folder '$XDG_RUNTIME_DIR' cannot be made" "$log"
        # Rootless buildkitd reads ~/.config/buildkit/buildkitd.toml (docs/buildkitd.toml.md; XDG_CONFIG_HOME
        # first, util/appdefaults). http + insecure: https with any certificate, falling back to plain http
        # (util/resolver/resolver.go). The push and the cache need registry.insecure=true too.
        config=${XDG_CONFIG_HOME:-$HOME/.config}/buildkit
        mkdir -p "$config" && : >"$config/buildkitd.toml" \
          || ib_fail build BuildKitUnavailable "BuildKit's configuration '$config/buildkitd.toml' cannot be written" "$log"
        registry=${IB_IMAGE%%/*}
        insecure=""
        for host in ${IB_INSECURE_REGISTRIES:-}; do
          printf '[registry."%s"]\n  http = true\n  insecure = true\n\n' "$host" >>"$config/buildkitd.toml"
          if [ "$host" = "$registry" ]; then insecure=",registry.insecure=true"; fi
        done
        # nixpacks' variables last: buildctl keeps the last value of a key (cmd/buildctl/build/build.go, attrMap).
        if [ -s "$plan/build-args" ]; then eval "set -- \"\$@\" $(cat "$plan/build-args")"; fi
        # ignore-error: the image is pushed before the cache is exported, and a failed cache export must not
        # fail (and rebuild) a pushed image.
        if ! BUILDCTL_CONNECT_RETRIES_MAX=${BUILDCTL_CONNECT_RETRIES_MAX:-50} buildctl-daemonless.sh build --progress=plain --frontend dockerfile.v0 \
          --local context="$IB_CONTEXT" --local dockerfile="$(dirname "$dockerfile")" \
          --opt filename="$(basename "$dockerfile")" \
          --output "type=image,name=$IB_IMAGE,push=true$insecure" \
          --import-cache "type=registry,ref=$IB_CACHE_REF$insecure" \
          --export-cache "type=registry,ref=$IB_CACHE_REF,mode=max,ignore-error=true$insecure" \
          --metadata-file "$IB_LOGS/metadata.json" "$@" >"$log" 2>&1; then
          if grep -qE '^could not connect to .* after [0-9]+ trials' "$log"; then
            ib_fail build BuildKitUnavailable "BuildKit's daemon did not start: buildctl-daemonless.sh could not connect to it" "$log"
          fi
          vertex=$(sed -n 's/^#\([0-9][0-9]*\) ERROR: .*/\1/p' "$log" | tail -n 1)
          step=""
          if [ -n "$vertex" ]; then step=$(sed -n "s/^#$vertex \(.*\)$/\1/p" "$log" | head -n 1); fi
          case $step in
            "exporting to image"|"exporting cache to registry")
              ib_fail push PushFailed "pushing the image to the registry failed" "$log" ;;
          esac
          # The platform's own registry out of reach (a base image or the cache kept there, during an outage: make
          # chaos stops it) is the service's fault, not the application's: retried like a failed push. Another
          # registry a Dockerfile names stays the user's.
          if grep -F "//$registry/v2/" "$log" | grep -qE 'dial tcp|connection reset|i/o timeout|no route to host'; then
            ib_fail build RegistryUnavailable "the registry $registry could not be reached" "$log"
          fi
          ib_fail build BuildFailed "the image build failed" "$log"
        fi
        digest=$(sed -n 's/.*"containerimage.digest": *"\(sha256:[0-9a-f]*\)".*/\1/p' "$IB_LOGS/metadata.json" | head -n 1)
        [ -n "$digest" ] || ib_fail push DigestMissing "BuildKit did not report the pushed image's digest" "$log"
        ib_done "$digest" "$log"
        """;
}
