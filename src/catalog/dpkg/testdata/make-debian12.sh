#!/bin/sh
# Rebuilds testdata/debian12 from the dpkg database of the Debian 12 machine it runs on:
# whole stanzas of /var/lib/dpkg/status (a subset, to keep the fixture small) and the file
# lists of a few packages. Then edits four stanzas' Status so the installed filter is
# checked against dpkg-query's own reading. Run from this directory.
set -eu
out=debian12
rm -rf "$out" && mkdir -p "$out/info"
# Packages whose lists are copied (Multi-Arch: same ones are stored as name:arch.list).
listed='libssl3 bsdutils base-files zlib1g libgcc-s1 gcc-12-base login libc6'
# Whole stanzas: the listed packages, every stanza with `Source: name (version)`, every 8th.
awk -v listed=" $listed passwd " 'BEGIN { RS = ""; ORS = "\n\n" }
  { match($0, /(^|\n)Package: [^\n]+/); name = substr($0, RSTART, RLENGTH); sub(/.*Package: /, "", name) }
  index(listed, " " name " ") || /\nSource: [^\n]+\(/ || NR % 8 == 0 { print }' /var/lib/dpkg/status >"$out/status"
for p in $listed; do
  for f in /var/lib/dpkg/info/"$p".list /var/lib/dpkg/info/"$p":*.list; do
    [ -f "$f" ] && cp "$f" "${f%.list}.md5sums" "$out/info/"
  done
done
# info/format says the info directory uses the multiarch layout (`name:arch.list`).
cp /var/lib/dpkg/info/format "$out/info/"
# passwd: only its md5sums, to exercise the fallback when a .list is missing.
cp /var/lib/dpkg/info/passwd.md5sums "$out/info/"
# Status edits (see README.md): states dpkg-query reports as not installed, and a hold.
edit() { sed -i "/^Package: $1\$/,/^\$/ s/^Status: .*/Status: $2/" "$out/status"; }
edit bc 'deinstall ok config-files'
edit bzip2 'install reinstreq half-installed'
edit dmsetup 'install ok unpacked'
edit bash 'hold ok installed'
