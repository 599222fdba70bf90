#!/usr/bin/env bash
# SBOM benchmark, one command: builds the images once (cached), then measures portcullis
# against the zlib floor, Syft and Trivy and prints ratios with PASS/FAIL last.
# Exit 0 even when a target fails; non-zero only when the benchmark itself cannot run.
#   bench/sbom/run.sh            # BENCH_RUNS=3 BENCH_PEER_RUNS=1 by default
#   BENCH_SKIP_PEERS=1 bench/sbom/run.sh
#   BENCH_ONLY=lang bench/sbom/run.sh   # the application image only (language packages)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if [[ ! -x /usr/bin/time ]]; then
  echo "[bench] installing GNU time (peak RSS)" >&2
  apt-get install -y time >/dev/null || { echo "[bench] cannot install time" >&2; exit 2; }
fi

# Peers are built from their public Go modules when missing; failure is reported, not fatal.
install_peer() { # name module version
  local name="$1" module="$2" version="$3"
  [[ -x "$HOME/go/bin/$name" ]] && return 0
  [[ "${BENCH_SKIP_PEERS:-0}" == 1 ]] && return 0
  command -v go >/dev/null || { echo "[bench] go missing: cannot install $name" >&2; return 0; }
  echo "[bench] installing $name $version (go build; several minutes)" >&2
  # A throw-away module + go build, not `go install pkg@version`: the latter also fetches
  # the module's version list for deprecation notices, which the proxy here may refuse.
  local dir; dir="$(mktemp -d /tmp/pc-bench-go.XXXXXX)"
  ( cd "$dir" && go mod init pcbench >/dev/null 2>&1 && go get "$module@$version" >"$dir/get.log" 2>&1 \
      && GOFLAGS=-buildvcs=false go build -o "$HOME/go/bin/$name" "$module" >"$dir/build.log" 2>&1 ) \
    || echo "[bench] could not install $name $version: see $dir/*.log" >&2
}
install_peer syft github.com/anchore/syft/cmd/syft "${BENCH_SYFT_VERSION:-v1.20.0}"
install_peer trivy github.com/aquasecurity/trivy/cmd/trivy "${BENCH_TRIVY_VERSION:-v0.57.1}"

"$here/build-image.sh"

if [[ ! -f "$repo/dist/src/cli/main.js" ]]; then
  echo "[bench] building portcullis (npm run build)" >&2
  (cd "$repo" && npm run build >/dev/null 2>&1) || echo "[bench] npm run build failed; ours will be reported NOT RUN" >&2
fi

exec node "$here/run.mjs"
