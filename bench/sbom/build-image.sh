#!/usr/bin/env bash
# Builds the SBOM benchmark images once (cached by tag) and exports them to bench/.work/:
#   app1.docker.tar  docker save of portcullis-bench/app:1 (uncompressed layers)
#   app1.oci.tar     the same image as an oci-archive with gzip layers (what we benchmark)
#   app2.*           the same for portcullis-bench/app:2 = app:1 + one tiny layer
#   node1.*          the same for portcullis-bench/node:1 (Dockerfile.node: >= 20,000 node_modules files)
# The debootstrap rootfs is cached in ~/.cache/portcullis-bench/. No registry is contacted:
# the base comes from debootstrap + docker import, packages from Debian's archive.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
work="${BENCH_WORK:-$here/../.work}"
cache="${BENCH_CACHE:-$HOME/.cache/portcullis-bench}"
suite="${BENCH_SUITE:-bookworm}"
mirror="${BENCH_MIRROR:-http://deb.debian.org/debian}"
base_tag="portcullis-bench/$suite:base"
mkdir -p "$work" "$cache"

log() { echo "[build-image] $*" >&2; }
need() { command -v "$1" >/dev/null || { log "missing tool: $1"; exit 2; }; }
need docker; need skopeo; need debootstrap

rootfs_tar="$cache/$suite-minbase.tar"
if [[ ! -s "$rootfs_tar" ]]; then
  tmp="$(mktemp -d /tmp/pc-bench-rootfs.XXXXXX)"
  log "debootstrap --variant=minbase $suite (once; cached at $rootfs_tar)"
  debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { log "debootstrap failed, see $work/debootstrap.log"; rm -rf "$tmp"; exit 2; }
  # Like Debian's official base images: no downloaded .debs, no apt lists.
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  tar -C "$tmp" --numeric-owner -cf "$rootfs_tar.part" .
  mv "$rootfs_tar.part" "$rootfs_tar"
  rm -rf "$tmp"
fi

if ! docker image inspect "$base_tag" >/dev/null 2>&1; then
  log "docker import $rootfs_tar -> $base_tag"
  docker import "$rootfs_tar" "$base_tag" >/dev/null
fi

build() { # tag dockerfile build-arg
  local tag="$1" file="$2" base="$3"
  if docker image inspect "$tag" >/dev/null 2>&1; then return; fi
  log "docker build $tag (first time only; several minutes)"
  docker build --network host --build-arg "BASE=$base" -f "$here/image/$file" -t "$tag" "$here/image" \
    >"$work/build-${file}.log" 2>&1 || { log "docker build failed, see $work/build-${file}.log"; exit 2; }
}
build portcullis-bench/app:1 Dockerfile "$base_tag"
build portcullis-bench/app:2 Dockerfile.shared portcullis-bench/app:1

# The node_modules image: its application is installed on the host (`npm ci` from the
# committed lockfile; the build host reaches the npm registry, docker build need not). The
# tree stays in $work/node-ctx/node-app: run.mjs asks `npm ls` there for the true package set.
node_ctx="$work/node-ctx"
node_stamp="$node_ctx/lock.sha256"
node_lock_sha="$(sha256sum "$here/image/node-app/package-lock.json" | cut -d' ' -f1)"
if [[ ! -s "$node_stamp" || "$(cat "$node_stamp")" != "$node_lock_sha" ]]; then
  need npm
  log "npm ci of image/node-app into $node_ctx (once; the npm registry is reached from the host)"
  rm -rf "$node_ctx" && mkdir -p "$node_ctx/node-app"
  cp "$here/image/Dockerfile.node" "$node_ctx/Dockerfile"
  cp "$here/image/node-app/package.json" "$here/image/node-app/package-lock.json" "$here/image/node-app/index.js" "$node_ctx/node-app/"
  (cd "$node_ctx/node-app" && npm ci --no-audit --no-fund --ignore-scripts --no-update-notifier) >"$work/npm-ci.log" 2>&1 \
    || { log "npm ci failed, see $work/npm-ci.log"; exit 2; }
  echo "$node_lock_sha" >"$node_stamp"
  docker image rm portcullis-bench/node:1 >/dev/null 2>&1 || true
fi
if ! docker image inspect portcullis-bench/node:1 >/dev/null 2>&1; then
  log "docker build portcullis-bench/node:1 (first time only)"
  docker build --network host --build-arg "BASE=$base_tag" -t portcullis-bench/node:1 "$node_ctx" \
    >"$work/build-Dockerfile.node.log" 2>&1 || { log "docker build failed, see $work/build-Dockerfile.node.log"; exit 2; }
fi

export_image() { # tag name
  local tag="$1" name="$2" id stamp="$work/$2.id"
  id="$(docker image inspect -f '{{.Id}}' "$tag")"
  if [[ -s "$stamp" && "$(cat "$stamp")" == "$id" && -s "$work/$name.oci.tar" && -s "$work/$name.docker.tar" ]]; then
    return
  fi
  log "export $tag -> $work/$name.{docker,oci}.tar"
  rm -f "$work/$name.docker.tar" "$work/$name.oci.tar" "$stamp"
  docker save -o "$work/$name.docker.tar" "$tag"
  # The OCI destination compresses layers with gzip (docker save writes them uncompressed).
  skopeo copy --quiet "docker-archive:$work/$name.docker.tar" "oci-archive:$work/$name.oci.tar:$tag"
  echo "$id" >"$stamp"
}
export_image portcullis-bench/app:1 app1
export_image portcullis-bench/app:2 app2
export_image portcullis-bench/node:1 node1
log "ready: $(du -h "$work/app1.oci.tar" | cut -f1) app1.oci.tar"
