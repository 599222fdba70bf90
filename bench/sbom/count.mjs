// Counts Debian packages in an SBOM of any of the three tools by walking the JSON for
// package URLs of type deb (purl spec: https://github.com/package-url/purl-spec). Our
// inventory, syft-json artifacts and CycloneDX components all carry a `purl`; counting the
// same field in each keeps the comparison format-neutral. Keyed by name:arch (dpkg holds one
// version per name and arch; the tools spell epochs differently, so versions are left out).
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
 * npm packages (name@version, from pkg:npm purls) installed under `prefix` (an image path
 * such as `/srv/node-app/node_modules/`), in an SBOM of any of the three tools: our
 * inventory and syft-json give `locations[].path`; Trivy's CycloneDX gives the property
 * `aquasecurity:trivy:FilePath` (relative to the image root). Keyed without paths, so a
 * package installed at several depths counts once, as `npm ls` lists it.
 */
export function npmKeys(json, prefix) {
  const keys = new Set();
  const stack = [json];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (typeof v.purl === 'string' && v.purl.startsWith('pkg:npm/') && pathsOf(v).some((p) => p.startsWith(prefix))) keys.add(npmKey(v.purl));
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return keys;
}

function pathsOf(node) {
  const out = [];
  for (const l of Array.isArray(node.locations) ? node.locations : []) if (typeof l?.path === 'string') out.push(l.path);
  for (const p of Array.isArray(node.properties) ? node.properties : []) {
    if (p?.name === 'aquasecurity:trivy:FilePath' && typeof p.value === 'string') out.push(p.value.startsWith('/') ? p.value : `/${p.value}`);
  }
  return out;
}

/** `pkg:npm/%40babel/core@7.24.5` → `@babel/core@7.24.5`. */
function npmKey(purl) {
  const path = purl.slice('pkg:npm/'.length).split(/[?#]/)[0];
  const at = path.lastIndexOf('@');
  return `${decodeURIComponent(path.slice(0, at))}@${decodeURIComponent(path.slice(at + 1))}`;
}

/** The npm keys of an SBOM file under `prefix`, or undefined when it cannot be read. */
export function npmKeysOfFile(file, prefix) {
  try {
    return npmKeys(JSON.parse(readFileSync(file, 'utf8')), prefix);
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
