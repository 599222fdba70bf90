#!/usr/bin/env bash
# Authorization plugin benchmark, one command (issue 7, Performance): decision latency and
# throughput of `portcullis authz serve` pinned to one core with 1, 8 and 64 concurrent
# clients (audit log on the disk, then on tmpfs, beside the disk's fdatasync floor), and what
# the plugin adds to `docker ps` and `docker run` on bench dockerds of their own. Figures last.
# Exit 0 even when a target is missed; non-zero only when the benchmark cannot run.
#   bench/authz/run.sh                          # builds dist/ when it is missing
#   PORTCULLIS_CLI=path/to/main.js bench/authz/run.sh   # another build
#   bench/authz/run.sh --duration-ms 5000 --ps-runs 30 --skip-docker --profile 1   # run.mjs options
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[[ "$(id -u)" == 0 ]] || { echo "[bench] needs root (dockerd, /run/docker/plugins)" >&2; exit 2; }
for bin in taskset dockerd busybox tar getconf; do
  command -v "$bin" >/dev/null || { echo "[bench] $bin missing (util-linux, docker.io, busybox-static, tar)" >&2; exit 2; }
done
[[ "$(nproc)" -ge 2 ]] || { echo "[bench] needs 2 cores: the plugin on one, the load generator on the other" >&2; exit 2; }

cli="${PORTCULLIS_CLI:-$repo/dist/src/cli/main.js}"
if [[ ! -f "$(dirname "$cli")/commands/authz.js" ]]; then
  echo "[bench] building portcullis (npm run build)" >&2
  (cd "$repo" && npm run build >/dev/null 2>&1) || true
  [[ -f "$(dirname "$cli")/commands/authz.js" ]] || { echo "[bench] the build has no authz command ($cli)" >&2; exit 2; }
fi
exec node "$here/run.mjs" --cli "$cli" "$@"
