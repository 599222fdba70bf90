#!/usr/bin/env bash
# Vulnerability database benchmark, one command: db build over the whole real corpus, matching
# 10,000 packages, and `portcullis image` beside osv-scanner (offline, same OSV records, same
# images). Figures are printed last. Exit 0 even when a target fails; non-zero only when the
# benchmark itself cannot run.
#   bench/vulndb/run.sh                       # BENCH_RUNS=3 BENCH_PEER_RUNS=3
#   BENCH_SKIP_PEERS=1 BENCH_PROFILE=1 bench/vulndb/run.sh
#   BENCH_ONLY=match bench/vulndb/run.sh      # matching only (part 2), on an earlier run's DB
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if [[ ! -x /usr/bin/time ]]; then
  echo "[bench] installing GNU time (peak RSS)" >&2
  apt-get install -y time >/dev/null || { echo "[bench] cannot install time" >&2; exit 2; }
fi
[[ "${BENCH_ONLY:-}" == "" || "${BENCH_ONLY:-}" == match ]] || { echo "[bench] BENCH_ONLY=$BENCH_ONLY: only 'match' is known" >&2; exit 2; }
for tool in xz skopeo docker; do
  command -v "$tool" >/dev/null || echo "[bench] $tool missing: the parts that need it are reported NOT RUN" >&2
done

# osv-scanner from its Go module (v2.2.2: newer v2 releases need Go ≥ 1.27 or are refused by
# the checksum database here). A throw-away module + go build, as bench/sbom does: `go install
# pkg@version` also asks the proxy for the version list, which may be refused.
osv_version="${BENCH_OSV_SCANNER_VERSION:-v2.2.2}"
if [[ ! -x "$HOME/go/bin/osv-scanner" && "${BENCH_SKIP_PEERS:-0}" != 1 && "${BENCH_ONLY:-}" != match ]]; then
  if command -v go >/dev/null; then
    echo "[bench] installing osv-scanner $osv_version (go build; ~10 minutes on 2 cores)" >&2
    dir="$(mktemp -d /tmp/pc-bench-go.XXXXXX)"
    mod=github.com/google/osv-scanner/v2/cmd/osv-scanner
    ( cd "$dir" && go mod init pcbench >/dev/null 2>&1 && go get "$mod@$osv_version" >"$dir/get.log" 2>&1 \
        && mkdir -p "$HOME/go/bin" && GOFLAGS=-buildvcs=false go build -o "$HOME/go/bin/osv-scanner" "$mod" >"$dir/build.log" 2>&1 ) \
      && rm -rf "$dir" \
      || echo "[bench] could not install osv-scanner $osv_version: see $dir/*.log; the comparison is reported NOT RUN" >&2
  else
    echo "[bench] go missing: cannot install osv-scanner; the comparison is reported NOT RUN" >&2
  fi
fi

if [[ ! -f "$repo/dist/src/cli/main.js" ]]; then
  echo "[bench] building portcullis (npm run build)" >&2
  (cd "$repo" && npm run build >/dev/null 2>&1) || { echo "[bench] npm run build failed" >&2; exit 2; }
fi

# Other people rebuild dist/ while they work: the benchmark runs a copy taken when it starts
# and loads (BENCH_CLI: another build instead).
if [[ -z "${BENCH_CLI:-}" ]]; then
  snap="$repo/bench/.work/vulndb/dist-snapshot"
  loaded=0
  for _ in 1 2 3 4 5 6; do
    rm -rf "$snap" && mkdir -p "$snap" && cp -r "$repo/dist/src" "$snap/src" && cp "$repo/package.json" "$snap/"
    if node "$snap/src/cli/main.js" image --help >/dev/null 2>&1 && node "$snap/src/cli/main.js" db build --help >/dev/null 2>&1; then
      loaded=1 && break
    fi
    echo "[bench] dist/ does not load (being rebuilt?); trying again in 20 s" >&2
    sleep 20
  done
  [[ "$loaded" == 1 ]] || { echo "[bench] dist/ does not load: npm run build" >&2; exit 2; }
  export BENCH_CLI="$snap/src/cli/main.js"
fi

exec node "$here/run.mjs"
