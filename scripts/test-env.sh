#!/usr/bin/env bash
# Makes sure the real components the test suite uses are installed and running:
# Debian packages (Docker Engine, registry, debootstrap, skopeo, rpm, ...) and dockerd
# (bridge disabled: containers never reach private address ranges). Idempotent.
set -uo pipefail

PKGS=(docker.io docker-registry debootstrap skopeo rpm zstd apache2-utils db5.3-util openssl time gnupg ruby unzip
  libcommons-lang3-java libcommons-io-java libcommons-logging-java
  python3-requests python3-jinja2 python3-cryptography python3-venv ruby-rack composer php-cli
  busybox-static openjdk-17-jre-headless slapd ldap-utils)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "test-env: installing ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    echo "test-env: could not install ${missing[*]} (need root); tests that need them will be skipped" >&2
fi

if command -v docker >/dev/null && ! docker info >/dev/null 2>&1; then
  if command -v dockerd >/dev/null; then
    echo "test-env: starting dockerd (--bridge=none --iptables=false)" >&2
    as_root setsid dockerd --bridge=none --iptables=false >/tmp/portcullis-dockerd.log 2>&1 < /dev/null &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || echo "test-env: dockerd did not start; see /tmp/portcullis-dockerd.log" >&2
  fi
fi
exit 0
