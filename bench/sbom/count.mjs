// Counts packages in an SBOM of any of the three tools by walking the JSON for package URLs
// (purl spec: https://github.com/package-url/purl-spec). Our inventory, syft-json artifacts
// and CycloneDX components all carry a `purl`; counting the same field in each keeps the
// comparison format-neutral. Debian packages are keyed by name:arch (dpkg holds one version
// per name and arch; the tools spell epochs differently, so versions are left out); language
// packages by name@version, as each ecosystem's own tool lists them.
import { readFileSync } from 'node:fs';

export function debKeys(json) {
  const keys = new Set();
  const stack = [json];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (typeof v.purl === 'string' && v.purl.startsWith('pkg:deb/')) keys.add(debKey(v.purl));
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return keys;
}

/** `pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=...` → `libc6:amd64` (namespace and other qualifiers vary by tool). */
function debKey(purl) {
  const [path = '', query = ''] = purl.slice('pkg:deb/'.length).split('#')[0].split('?');
  const name = decodeURIComponent((path.split('/').pop() ?? '').split('@')[0] ?? '');
  const arch = new URLSearchParams(query).get('arch') ?? '';
  return `${name}:${arch}`;
}

/** The deb keys of an SBOM file, or undefined when it cannot be read. */
export function debKeysOfFile(file) {
  try {
    return debKeys(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * The image paths a package was found at, in an SBOM of any of the three tools: our
 * inventory and syft-json give `locations[].path`; Trivy's CycloneDX gives the property
 * `aquasecurity:trivy:FilePath` (relative to the image root).
 */
function pathsOf(node) {
  const out = [];
  for (const l of Array.isArray(node.locations) ? node.locations : []) if (typeof l?.path === 'string') out.push(l.path);
  for (const p of Array.isArray(node.properties) ? node.properties : []) {
    if (p?.name === 'aquasecurity:trivy:FilePath' && typeof p.value === 'string') out.push(p.value.startsWith('/') ? p.value : `/${p.value}`);
  }
  return out;
}

/** A purl's `[namespace/]name` segments, version and subpath segments, qualifiers dropped, decoded. */
function purlParts(purl) {
  const [rest, sub = ''] = purl.slice(purl.indexOf('/') + 1).split('#');
  const body = rest.split('?')[0];
  const at = body.lastIndexOf('@');
  const path = at < 0 ? body : body.slice(0, at);
  const segments = (s) => s.split('/').filter(Boolean).map(decodeURIComponent);
  return { path: segments(path), version: at < 0 ? '' : decodeURIComponent(body.slice(at + 1)), subpath: segments(sub) };
}

/**
 * Per purl type, the key npmLsKeys or lang-truth.py writes for the same package, so the
 * tools compare with the ecosystems' own answers: npm `[@scope/]name@version`; pypi
 * `name@version`, the name normalized (PEP 503); maven `groupId:artifactId@version`; golang
 * `module@version` without the `v` (or the toolchain's `go`), a main module built without a
 * version as `(devel)`. Subpaths are dropped except for golang.
 */
const LANG_KEY = {
  npm: (p) => {
    const { path, version } = purlParts(p);
    return `${path.join('/')}@${version}`;
  },
  pypi: (p) => {
    const { path, version } = purlParts(p);
    return `${path.join('/').replace(/[-_.]+/g, '-').toLowerCase()}@${version}`;
  },
  maven: (p) => {
    const { path, version } = purlParts(p);
    return `${path.slice(0, -1).join('.')}:${path.at(-1)}@${version}`;
  },
  // Syft writes a module's major-version suffix as the subpath (`…/xxhash@v2.3.0#v2`).
  golang: (p) => {
    const { path, version, subpath } = purlParts(p);
    return `${[...path, ...subpath].join('/')}@${version === '' ? '(devel)' : version.replace(/^(v|go)(?=\d)/, '')}`;
  },
};
export const LANG_TYPES = Object.keys(LANG_KEY);

/**
 * The packages of one purl type in an SBOM of any of the three tools, keyed as LANG_KEY
 * says: keyed without paths, so a package installed at several places (or depths, as
 * `npm ls` lists them) counts once; with `prefix` (an image path such as
 * `/srv/node-app/node_modules/`), only those with a location under it.
 */
export function langKeys(json, type, prefix) {
  const keys = new Set();
  const key = LANG_KEY[type];
  const stack = [json];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (typeof v.purl === 'string' && v.purl.startsWith(`pkg:${type}/`) && (!prefix || pathsOf(v).some((p) => p.startsWith(prefix)))) {
      keys.add(key(v.purl));
    }
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return keys;
}

/** langKeys for every type of LANG_TYPES (`prefixes` per type), or undefined when the file cannot be read. */
export function langKeysOfFile(file, prefixes = {}) {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    return Object.fromEntries(LANG_TYPES.map((t) => [t, langKeys(json, t, prefixes[t])]));
  } catch {
    return undefined;
  }
}

/** name@version of every node `npm ls --all --json` prints (deduped entries included once). */
export function npmLsKeys(tree) {
  const keys = new Set();
  const walk = (deps) => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      if (typeof node?.version === 'string') keys.add(`${name}@${node.version}`);
      walk(node?.dependencies);
    }
  };
  walk(tree?.dependencies);
  return keys;
}
