#!/usr/bin/env bash
# Builds the SBOM benchmark images once (cached by tag) and exports them to bench/.work/:
#   app1.docker.tar  docker save of portcullis-bench/app:1 (uncompressed layers)
#   app1.oci.tar     the same image as an oci-archive with gzip layers (what we benchmark)
#   app2.*           the same for portcullis-bench/app:2 = app:1 + one tiny layer
#   lang1.*          the same for portcullis-bench/lang:1 (Dockerfile.lang: >= 20,000 node_modules
#                    files, pip packages, a Spring Boot fat jar, Go binaries)
#   lang1.truth.json what lang:1 holds per ecosystem, read by the ecosystems' own tools
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
# One build at a time: several benchmark runs may share the checkout.
exec 9>"$work/.build.lock"
flock 9

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

# The application image for language packages (Dockerfile.lang). Its context is assembled in
# $work/lang-ctx from parts built on the host, each rebuilt only when its inputs change
# (a sha256 stamp per part): node-app by `npm ci` from the committed lockfile (npm registry),
# go-bin by `go build` (Go module proxy), java-app by `mvn package` (Maven Central; the local
# repository is cached in $cache/m2), py-app/wheels by `pip download` (PyPI; pip installs
# them inside docker build). run.mjs asks `npm ls` in $work/lang-ctx/node-app for the true
# npm package set.
lang_ctx="$work/lang-ctx"
mkdir -p "$lang_ctx"
stamp_of() { (cd "$here/image" && find "$@" -type f -not -path '*/target/*' -not -path '*/node_modules/*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1; }
fresh_part() { # name sha: true when the part must be rebuilt
  [[ ! -s "$lang_ctx/$1.sha256" || "$(cat "$lang_ctx/$1.sha256")" != "$2" ]]
}

node_sha="$(stamp_of node-app)"
if fresh_part node "$node_sha"; then
  need npm
  log "npm ci of image/node-app into $lang_ctx (once; the npm registry is reached from the host)"
  rm -rf "$lang_ctx/node-app" && mkdir -p "$lang_ctx/node-app"
  cp "$here/image/node-app/package.json" "$here/image/node-app/package-lock.json" "$here/image/node-app/index.js" "$lang_ctx/node-app/"
  (cd "$lang_ctx/node-app" && npm ci --no-audit --no-fund --ignore-scripts --no-update-notifier) >"$work/npm-ci.log" 2>&1 \
    || { log "npm ci failed, see $work/npm-ci.log"; exit 2; }
  echo "$node_sha" >"$lang_ctx/node.sha256"
fi

# The toolchain is part of the stamp: it is written into the binaries (the `stdlib` package).
go_sha="$( { stamp_of go-app; go version 2>/dev/null || true; } | sha256sum | cut -d' ' -f1)"
if fresh_part go "$go_sha"; then
  need go
  log "go build of image/go-app into $lang_ctx/go-bin (once; modules from the Go module proxy)"
  rm -rf "$lang_ctx/go-bin" && mkdir -p "$lang_ctx/go-bin"
  # Static, path-free binaries; the module build info (what catalogers read) stays in.
  (cd "$here/image/go-app" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go build -trimpath -o "$lang_ctx/go-bin/" ./cmd/...) \
    >"$work/go-build.log" 2>&1 || { log "go build failed, see $work/go-build.log"; exit 2; }
  echo "$go_sha" >"$lang_ctx/go.sha256"
fi

java_sha="$(stamp_of java-app)"
if fresh_part java "$java_sha"; then
  need mvn
  log "mvn package of image/java-app into $lang_ctx/java-app (once; Maven Central, local repository $cache/m2)"
  rm -rf "$lang_ctx/java-build" "$lang_ctx/java-app" && mkdir -p "$lang_ctx/java-build" "$lang_ctx/java-app"
  cp -r "$here/image/java-app/pom.xml" "$here/image/java-app/src" "$lang_ctx/java-build/"
  (cd "$lang_ctx/java-build" && mvn -B -q -Dmaven.repo.local="$cache/m2" -DskipTests package) >"$work/mvn-package.log" 2>&1 \
    || { log "mvn package failed, see $work/mvn-package.log"; exit 2; }
  mv "$lang_ctx/java-build/target/bench-service.jar" "$lang_ctx/java-app/"
  rm -rf "$lang_ctx/java-build"
  echo "$java_sha" >"$lang_ctx/java.sha256"
fi

py_sha="$(stamp_of py-app)"
if fresh_part py "$py_sha"; then
  need python3
  # pip inside docker build cannot verify PyPI's certificate here (the host's CA bundle is
  # not the image's), so the host downloads the wheels (for bookworm: CPython 3.11, glibc
  # 2.36, x86_64, most specific tag first, as pip there would choose) and pip in the image
  # installs them with --no-index.
  log "pip download of image/py-app's wheels into $lang_ctx/py-app/wheels (once; PyPI is reached from the host)"
  rm -rf "$lang_ctx/py-app" && mkdir -p "$lang_ctx/py-app/wheels"
  plat=(); for i in $(seq 36 -1 5); do plat+=(--platform "manylinux_2_${i}_x86_64"); done
  plat+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
  python3 -m pip download --disable-pip-version-check --only-binary=:all: --no-deps "${plat[@]}" \
    --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
    -d "$lang_ctx/py-app/wheels" -r "$here/image/py-app/requirements.txt" >"$work/pip-download.log" 2>&1 \
    || { log "pip download failed, see $work/pip-download.log"; exit 2; }
  cp "$here/image/py-app/requirements.txt" "$lang_ctx/py-app/"
  echo "$py_sha" >"$lang_ctx/py.sha256"
fi

cp "$here/image/Dockerfile.lang" "$lang_ctx/Dockerfile"
lang_sha="$(cat "$lang_ctx"/{node,go,java,py}.sha256 "$lang_ctx/Dockerfile" | sha256sum | cut -d' ' -f1)"
if fresh_part image "$lang_sha"; then docker image rm portcullis-bench/lang:1 >/dev/null 2>&1 || true; fi
if ! docker image inspect portcullis-bench/lang:1 >/dev/null 2>&1; then
  log "docker build portcullis-bench/lang:1 (first time only; pip installs the downloaded wheels)"
  docker build --network host --build-arg "BASE=$base_tag" -t portcullis-bench/lang:1 "$lang_ctx" \
    >"$work/build-Dockerfile.lang.log" 2>&1 || { log "docker build failed, see $work/build-Dockerfile.lang.log"; exit 2; }
  echo "$lang_sha" >"$lang_ctx/image.sha256"
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
export_image portcullis-bench/lang:1 lang1

# What the application image holds, read from its files by the ecosystems' own means
# (lang-truth.py: importlib.metadata, pom.properties inside every jar or else the jar's bytes
# in Debian's maven-repo or the Maven repository the fat jar was built from, `go version -m`),
# once per image id and script: the truth run.mjs compares each tool's packages with.
lang_id="$(docker image inspect -f '{{.Id}}' portcullis-bench/lang:1) $(sha256sum "$here/lang-truth.py" | cut -d' ' -f1)"
if [[ ! -s "$work/lang1.truth.json" || "$(cat "$work/lang1.truth.id" 2>/dev/null)" != "$lang_id" ]]; then
  need go; need python3
  log "reading the application image's packages with their own tools (once per image)"
  rootfs="$(mktemp -d /tmp/pc-bench-langfs.XXXXXX)"
  ctr="$(docker create portcullis-bench/lang:1)"
  docker export "$ctr" | tar -x -C "$rootfs" --exclude='./dev/*' \
    || { log "docker export of lang:1 failed"; docker rm "$ctr" >/dev/null; rm -rf "$rootfs"; exit 2; }
  docker rm "$ctr" >/dev/null
  python3 "$here/lang-truth.py" "$rootfs" "$cache/m2" >"$work/lang1.truth.json.part" 2>"$work/lang-truth.log" \
    || { log "lang-truth.py failed, see $work/lang-truth.log"; rm -rf "$rootfs"; exit 2; }
  rm -rf "$rootfs"
  mv "$work/lang1.truth.json.part" "$work/lang1.truth.json"
  echo "$lang_id" >"$work/lang1.truth.id"
fi
log "ready: app1.oci.tar $(du -h "$work/app1.oci.tar" | cut -f1), lang1.oci.tar $(du -h "$work/lang1.oci.tar" | cut -f1)"
