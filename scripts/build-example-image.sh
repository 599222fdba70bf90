#!/usr/bin/env bash
# Rebuilds examples/images/demo.oci.tar: a small, real, distroless-style Debian 12 image.
# Debian packages are unpacked with dpkg-deb and registered the way Google's distroless
# images do it (one control stanza per package in /var/lib/dpkg/status.d, plus md5sums),
# in two layers, so the SBOM shows per-layer attribution. A third layer holds an application
# with real, old dependencies from the npm registry (express 4.0.0, lodash 4.17.4,
# minimist 0.0.8) and a Go binary built with Go 1.21.0 and golang.org/x/text v0.3.5, so the
# README's scan finds real vulnerabilities in the bundled demo database. Needs dockerd,
# skopeo, npm, go (with the module proxy), and a Debian bookworm base image (default: the
# one the test suite makes with debootstrap).
set -euo pipefail
BASE=${1:-portcullis-test/bookworm:base}
OUT=$(cd "$(dirname "$0")/.." && pwd)/examples/images/demo.oci.tar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/hello"
cat >"$work/app/package.json" <<'JSON'
{ "name": "portcullis-demo-app", "version": "1.0.0", "private": true, "dependencies": { "express": "4.0.0", "lodash": "4.17.4", "minimist": "0.0.8" } }
JSON
(cd "$work/app" && npm install --ignore-scripts --no-audit --no-fund --silent)
cat >"$work/hello/main.go" <<'GO'
package main

import (
	"fmt"

	"golang.org/x/text/language"
)

func main() { fmt.Println(language.English.String()) }
GO
printf 'module example.com/portcullis-demo\n\ngo 1.21\n\nrequire golang.org/x/text v0.3.5\n' >"$work/hello/go.mod"
(cd "$work/hello" && GOFLAGS=-mod=mod GOTOOLCHAIN=go1.21.0 go build -trimpath -ldflags='-s -w' -o "$work/app/hello" .)
cat >"$work/Dockerfile" <<DOCKERFILE
FROM $BASE AS unpack
RUN apt-get update -qq && mkdir -p /debs && cd /debs && \
    apt-get download -qq base-files netbase tzdata zlib1g libssl3 openssl ca-certificates && \
    for layer in base app; do mkdir -p /out-\$layer/var/lib/dpkg/status.d; done && \
    for deb in *.deb; do \
      name=\$(dpkg-deb -f "\$deb" Package); \
      case "\$name" in openssl|ca-certificates) layer=app ;; *) layer=base ;; esac; \
      dpkg-deb -x "\$deb" /out-\$layer && \
      dpkg-deb -f "\$deb" > /out-\$layer/var/lib/dpkg/status.d/\$name && \
      dpkg-deb --ctrl-tarfile "\$deb" | tar -xO ./md5sums > /out-\$layer/var/lib/dpkg/status.d/\$name.md5sums || true; \
    done && \
    rm -rf /out-*/usr/share/doc /out-*/usr/share/man /out-*/usr/share/locale /out-*/usr/share/zoneinfo/right /out-*/usr/share/zoneinfo/posix
FROM scratch
COPY --from=unpack /out-base/ /
COPY --from=unpack /out-app/ /
COPY app/ /app/
USER 65532
CMD ["/usr/bin/openssl", "version"]
DOCKERFILE
docker build --network host -q -t portcullis-example/demo:1 "$work" >/dev/null
docker save portcullis-example/demo:1 -o "$work/demo.docker.tar"
rm -f "$OUT"
skopeo copy -q --dest-compress --dest-compress-format gzip "docker-archive:$work/demo.docker.tar" "oci-archive:$OUT:demo:1"
docker rmi portcullis-example/demo:1 >/dev/null
ls -l "$OUT"
