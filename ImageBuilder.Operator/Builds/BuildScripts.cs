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
          export GIT_TERMINAL_PROMPT=0
          if [ -n "$token" ]; then
            # Through git's environment config, so the token is in no command line.
            GIT_CONFIG_VALUE_0="Authorization: Basic $(printf 'x-access-token:%s' "$token" | base64 | tr -d '\n')"
            export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0
          fi
          {
            git init -q "$src" && git -C "$src" remote add origin "$IB_CLONE_URL" &&
            { git -C "$src" fetch -q --depth 1 origin "$IB_COMMIT" || git -C "$src" fetch -q origin; } &&
            git -C "$src" -c advice.detachedHead=false checkout -q "$IB_COMMIT"
          } >"$log" 2>&1 || ib_fail fetch CloneFailed "cloning the repository failed" "$log" "$(ib_http_status "$log")"
          rm -rf "$src/.git"
        fi
        ib_ok fetch "$log"
        """;

    /// <summary>Init container <c>plan</c>: <c>nixpacks build --out</c> writes .nixpacks/Dockerfile; arguments are nixpacks flags.</summary>
    public const string Plan = Common + """
        log=$IB_LOGS/plan.log
        cd "$IB_CONTEXT" 2>/dev/null \
          || ib_fail plan RootDirectoryNotFound "the root directory '$IB_ROOT_DIRECTORY' does not exist in the repository" "$log"
        nixpacks build . --out . "$@" >"$log" 2>&1 \
          || ib_fail plan PlanFailed "nixpacks could not plan a build for this repository" "$log"
        ib_ok plan "$log"
        """;

    /// <summary>Main container of the buildkit strategy; arguments are extra buildctl flags (build args).</summary>
    public const string BuildKit = Common + """
        log=$IB_LOGS/build.log
        [ -d "$IB_CONTEXT" ] \
          || ib_fail plan RootDirectoryNotFound "the root directory '$IB_ROOT_DIRECTORY' does not exist in the repository" "$log"
        [ -f "$IB_DOCKERFILE" ] \
          || ib_fail plan DockerfileNotFound "there is no Dockerfile at '$IB_DOCKERFILE_DISPLAY'" "$log"
        if ! buildctl-daemonless.sh build --progress=plain --frontend dockerfile.v0 \
          --local context="$IB_CONTEXT" --local dockerfile="$(dirname "$IB_DOCKERFILE")" \
          --opt filename="$(basename "$IB_DOCKERFILE")" \
          --output type=image,name="$IB_IMAGE",push=true \
          --import-cache type=registry,ref="$IB_CACHE_REF" \
          --export-cache type=registry,ref="$IB_CACHE_REF",mode=max \
          --metadata-file "$IB_LOGS/metadata.json" "$@" >"$log" 2>&1; then
          # buildctl builds and pushes in one command: its last error line tells which failed.
          err=$(grep -iE '^error:|failed to solve' "$log" | tail -n 1)
          if printf '%s' "$err" | grep -qiE 'push|export|unexpected status: 5|connection refused|i/o timeout|failed to do request'; then
            ib_fail push PushFailed "pushing the image to the registry failed" "$log"
          fi
          ib_fail build BuildFailed "the image build failed" "$log"
        fi
        digest=$(sed -n 's/.*"containerimage.digest": *"\(sha256:[0-9a-f]*\)".*/\1/p' "$IB_LOGS/metadata.json" | head -n 1)
        [ -n "$digest" ] || ib_fail push DigestMissing "BuildKit did not report the pushed image's digest" "$log"
        ib_done "$digest" "$log"
        """;

    /// <summary>Main container of the docker strategy; arguments are extra docker build flags (build args).</summary>
    public const string Docker = Common + """
        log=$IB_LOGS/build.log
        [ -d "$IB_CONTEXT" ] \
          || ib_fail plan RootDirectoryNotFound "the root directory '$IB_ROOT_DIRECTORY' does not exist in the repository" "$log"
        [ -f "$IB_DOCKERFILE" ] \
          || ib_fail plan NixpacksUnavailable "there is no Dockerfile at '$IB_DOCKERFILE_DISPLAY' and nixpacks is unavailable in the docker build strategy: add a Dockerfile or use the buildkit strategy" "$log"
        docker version >"$log" 2>&1 \
          || ib_fail build DockerUnavailable "the node's Docker engine is unreachable" "$log"
        cd "$IB_CONTEXT" || ib_fail plan RootDirectoryNotFound "the root directory '$IB_ROOT_DIRECTORY' cannot be entered" "$log"
        DOCKER_BUILDKIT=1 docker build --progress=plain -f "$IB_DOCKERFILE" -t "$IB_IMAGE" "$@" . >"$log" 2>&1 \
          || ib_fail build BuildFailed "the image build failed" "$log"
        push=$IB_LOGS/push.log
        docker push "$IB_IMAGE" >"$push" 2>&1 \
          || ib_fail push PushFailed "pushing the image to the registry failed" "$push"
        digest=$(sed -n 's/.*digest: \(sha256:[0-9a-f]\{64\}\).*/\1/p' "$push" | tail -n 1)
        [ -n "$digest" ] || ib_fail push DigestMissing "the registry did not report the pushed image's digest" "$push"
        cat "$push" >>"$log"
        ib_done "$digest" "$log"
        """;
}
