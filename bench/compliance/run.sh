#!/usr/bin/env bash
# Compliance benchmark, one command: a second dockerd (own data root and socket, no bridge)
# with 50 containers, then `portcullis compliance host`, `daemon` and `container --all`
# timed against the floor (the Engine API calls and /proc reads alone) and against
# docker-bench-security on the same daemon, with a per-check comparison. Figures are printed last.
# Exit 0 even when a target is missed; non-zero only when the benchmark cannot run.
#   bench/compliance/run.sh                   # BENCH_CONTAINERS=50 BENCH_RUNS=5 BENCH_PEER_RUNS=3
#   DOCKER_BENCH_SECURITY_DIR=/path/to/docker-bench-security bench/compliance/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
containers="${BENCH_CONTAINERS:-50}"
runs="${BENCH_RUNS:-5}"
work="$repo/bench/.work/compliance"
[[ "$(id -u)" == 0 ]] || { echo "[bench] needs root (starts dockerd)" >&2; exit 2; }
command -v dockerd >/dev/null || { echo "[bench] dockerd missing (apt-get install docker.io)" >&2; exit 2; }

# The peer: docker-bench-security, a shell script published only as a public repository, which
# this machine cannot clone. It is materialized by hand outside the repo (README.md says how) and
# never fetched from here. Its code is never committed.
peer_commit="31264f31ab557b8119776834df53a1c9dd5b7a8c"
peer_dir="${DOCKER_BENCH_SECURITY_DIR:-$HOME/.cache/portcullis-peers/docker-bench-security}"
peer_note=""
if [[ -f "$peer_dir/docker-bench-security.sh" ]]; then
  echo "[bench] peer: $peer_dir ($(grep -m1 -o "commit: *[0-9a-f]*" "$peer_dir/PORTCULLIS-ORIGIN.txt" 2>/dev/null || echo 'origin unrecorded'))" >&2
else
  peer_note="docker-bench-security is missing from $peer_dir: put the public repository docker/docker-bench-security at commit $peer_commit there (docker-bench-security.sh, functions/*.sh, tests/*.sh; see bench/compliance/README.md) or set DOCKER_BENCH_SECURITY_DIR"
  echo "[bench] $peer_note" >&2
  peer_dir=""
fi
command -v /usr/bin/time >/dev/null || echo "[bench] /usr/bin/time missing (apt-get install time): peak RSS is not measured" >&2

cli="${PORTCULLIS_CLI:-$repo/dist/src/cli/main.js}"
if [[ ! -f "$(dirname "$cli")/commands/compliance.js" ]]; then
  echo "[bench] building portcullis (npm run build)" >&2
  (cd "$repo" && npm run build >/dev/null 2>&1) || true
  [[ -f "$(dirname "$cli")/commands/compliance.js" ]] || { echo "[bench] the build has no compliance command ($cli)" >&2; exit 2; }
fi

rm -rf "$work" && mkdir -p "$work" && chmod 755 "$work"
sock="$work/bench.sock"
dockerd --data-root "$work/data" --exec-root "$work/exec" --pidfile "$work/bench.pid" -H "unix://$sock" \
  --bridge=none --iptables=false >"$work/dockerd.log" 2>&1 </dev/null &
dpid=$!
cleanup() {
  local ids
  ids="$(docker -H "unix://$sock" ps -aq 2>/dev/null || true)"
  [[ -n "$ids" ]] && docker -H "unix://$sock" rm -f $ids >/dev/null 2>&1 || true
  kill "$dpid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.5; done
  grep -F " $work" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 60); do docker -H "unix://$sock" version >/dev/null 2>&1 && break; sleep 0.5; done
docker -H "unix://$sock" version >/dev/null || { echo "[bench] dockerd did not start; see $work/dockerd.log" >&2; exit 2; }

base="portcullis-bench/bookworm:base"
tarball=""
for t in "$HOME/.cache/portcullis-test/bookworm-minbase.tar" "$HOME/.cache/portcullis-bench/bookworm-minbase.tar"; do [[ -f "$t" ]] && tarball="$t" && break; done
if [[ -z "$tarball" ]]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  mkdir -p "$HOME/.cache/portcullis-bench" && rootfs="$(mktemp -d "$HOME/.cache/portcullis-bench/rootfs.XXXXXX")"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  tarball="$HOME/.cache/portcullis-bench/bookworm-minbase.tar"
  tar --numeric-owner -C "$rootfs" -cf "$tarball" . && rm -rf "$rootfs"
fi
docker -H "unix://$sock" import "$tarball" "$base" >/dev/null

echo "[bench] starting $containers containers (--network none)" >&2
variants=("" "--cap-add SYS_ADMIN" "--pid=host" "--memory 64m --cpus 0.5 --pids-limit 64" "--read-only --security-opt no-new-privileges --cap-drop ALL" "-v $sock:/var/run/docker.sock")
for i in $(seq 1 "$containers"); do
  v="${variants[$((i % ${#variants[@]}))]}"
  # shellcheck disable=SC2086
  docker -H "unix://$sock" run -d --name "bench-$i" --network none $v "$base" sleep infinity >/dev/null
done

node "$here/run.mjs" --cli "$cli" --host "unix://$sock" --runs "$runs" --peer-runs "${BENCH_PEER_RUNS:-3}" --containers "$containers" \
  --image "$base" --work "$work" ${peer_dir:+--peer-dir "$peer_dir"} --peer-note "$peer_note"
