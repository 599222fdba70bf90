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
