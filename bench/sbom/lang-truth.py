"""What an image's root filesystem holds per ecosystem, read by each ecosystem's own means.

Usage: python3 lang-truth.py ROOTFS [MAVEN_REPO...] > truth.json

- pypi: importlib.metadata pointed at every site-packages and dist-packages directory;
- maven: every archive (jar/war/ear, nested ones included: the Spring Boot fat jar's
  BOOT-INF/lib/*.jar) by the pom.properties it carries; one that carries none (Gradle-built
  Spring, Hibernate, Debian's commons-logging) by its bytes found in a Maven repository
  layout, which names groupId/artifactId/version: the image's own /usr/share/maven-repo
  (Debian's) and the repositories given after ROOTFS (the one the fat jar was built from);
- golang: `go version -m` over the tree (main module, dependencies, toolchain as stdlib).

Keys are normalized the way count.mjs normalizes the tools' purls, so the sets compare.
"""
import hashlib
import importlib.metadata
import io
import json
import os
import re
import subprocess
import sys
import zipfile

ARCHIVE = re.compile(r"\.(jar|war|ear|jpi|hpi)$", re.IGNORECASE)
POM = re.compile(r"^META-INF/maven/[^/]+/[^/]+/pom\.properties$")
MAX_DEPTH = 4  # nesting bound, as catalogers have one


def regular_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not os.path.islink(os.path.join(d, x))]
        for f in files:
            p = os.path.join(d, f)
            if os.path.isfile(p) and not os.path.islink(p):
                yield p


def pypi(root):
    dirs = []
    for d, subdirs, _ in os.walk(root):
        subdirs[:] = [x for x in subdirs if not os.path.islink(os.path.join(d, x))]
        if os.path.basename(d) in ("site-packages", "dist-packages"):
            dirs.append(d)
    keys = set()
    for dist in importlib.metadata.distributions(path=dirs):
        name = dist.metadata["Name"]
        if name:
            keys.add(f"{re.sub(r'[-_.]+', '-', name).lower()}@{dist.version}")
    return sorted(keys), [os.path.relpath(d, root) for d in dirs]


def properties(text):
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")) and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def resolve(root, p):
    """Follows symlinks the way they resolve inside the image: absolute targets from ROOTFS."""
    for _ in range(16):
        if not os.path.islink(p):
            return p
        target = os.readlink(p)
        p = os.path.join(root, target.lstrip("/")) if target.startswith("/") else os.path.join(os.path.dirname(p), target)
    return p


def repo_index(root, repos, sizes):
    """sha1 -> groupId:artifactId@version of every jar in Maven repository layouts
    (group/path/artifact/version/artifact-version[-classifier].jar), hashing only jars whose
    size one of the image's archives has."""
    index = {}
    for repo in repos:
        for d, _, files in os.walk(repo):
            for f in files:
                p = os.path.join(d, f)
                rel = os.path.relpath(p, repo).split(os.sep)
                if not f.endswith(".jar") or len(rel) < 4 or rel[-2] == "debian":
                    continue  # Debian's "debian" version directories are aliases
                artifact, version = rel[-3], rel[-2]
                if not f.startswith(f"{artifact}-{version}"):
                    continue
                target = resolve(root, p)
                if not os.path.isfile(target) or os.path.getsize(target) not in sizes:
                    continue
                with open(target, "rb") as fh:
                    index.setdefault(hashlib.sha1(fh.read()).hexdigest(), f"{'.'.join(rel[:-3])}:{artifact}@{version}")
    return index


def jar_walk(data, where, depth, archives):
    """Collects (path, bytes, pom.properties keys) of an archive and the archives nested in it."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    keys = set()
    for name in z.namelist():
        if POM.match(name):
            p = properties(z.read(name).decode("utf-8", "replace"))
            if p.get("groupId") and p.get("artifactId") and p.get("version"):
                keys.add(f"{p['groupId']}:{p['artifactId']}@{p['version']}")
        elif ARCHIVE.search(name) and depth < MAX_DEPTH:
            jar_walk(z.read(name), f"{where}!/{name}", depth + 1, archives)
    archives.append((where, data, keys))


def maven(root, repos):
    archives = []
    for p in regular_files(root):
        if ARCHIVE.search(p):
            with open(p, "rb") as f:
                jar_walk(f.read(), "/" + os.path.relpath(p, root), 0, archives)
    # Debian's maven-repo links point into the image; absolute links are rebased onto ROOTFS.
    debian_repo = os.path.join(root, "usr/share/maven-repo")
    index = repo_index(root, [debian_repo, *repos], {len(data) for _, data, keys in archives if not keys})
    keys, by_repo, unknown = set(), [], []
    for where, data, found in archives:
        if found:
            keys |= found
            continue
        key = index.get(hashlib.sha1(data).hexdigest())
        if key:
            keys.add(key)
            by_repo.append(f"{where} = {key}")
        else:
            unknown.append(where)
    return sorted(keys), len(archives), sorted(by_repo), sorted(unknown)


def golang(root):
    # `go version -m DIR` walks the tree and prints the build info of every Go binary in it.
    out = subprocess.run(["go", "version", "-m", root], capture_output=True, text=True, check=False).stdout
    keys, binaries, last = set(), [], None
    for line in out.splitlines():
        if not line.startswith("\t"):
            path, _, toolchain = line.partition(": ")
            binaries.append("/" + os.path.relpath(path, root))
            keys.add(f"stdlib@{toolchain.strip().removeprefix('go')}")
            continue
        parts = line.strip().split("\t")
        if parts[0] in ("mod", "dep") and len(parts) >= 3:
            last = f"{parts[1]}@{parts[2].removeprefix('v')}"
            keys.add(last)
        elif parts[0] == "=>" and len(parts) >= 3 and last:
            # A replacement: the module was built from this path and version instead.
            keys.discard(last)
            keys.add(f"{parts[1]}@{parts[2].removeprefix('v')}")
    return sorted(keys), binaries


def main():
    root = os.path.abspath(sys.argv[1])
    py, py_dirs = pypi(root)
    mvn, mvn_archives, mvn_by_repo, mvn_unknown = maven(root, sys.argv[2:])
    go, go_bins = golang(root)
    json.dump(
        {
            "pypi": py,
            "pypiDirs": py_dirs,
            "maven": mvn,
            "mavenArchives": mvn_archives,
            "mavenFromRepository": mvn_by_repo,
            "mavenUnidentified": mvn_unknown,
            "golang": go,
            "goBinaries": go_bins,
        },
        sys.stdout,
        indent=1,
    )


main()
