/**
 * `META-INF/MANIFEST.MF`, main section only: lines of at most 72 bytes, a continuation
 * line starts with one space, sections are split by a blank line.
 * https://docs.oracle.com/en/java/javase/17/docs/specs/jar/jar.html#jar-manifest
 */

/** Attributes we report or use for identity; the rest of a manifest is not kept. */
export const MANIFEST_FIELDS = [
  'Implementation-Title',
  'Implementation-Version',
  'Implementation-Vendor',
  'Implementation-Vendor-Id',
  'Specification-Title',
  'Specification-Version',
  'Specification-Vendor',
  'Bundle-SymbolicName',
  'Bundle-Version',
  'Bundle-Name',
  'Bundle-License',
  'Automatic-Module-Name',
  'Group-Id',
  'Short-Name',
  'Plugin-Version',
  'Plugin-License-Name',
] as const;

const WANTED = new Set<string>(MANIFEST_FIELDS);
/** Manifest values we keep are short; a longer one is hostile or irrelevant. */
const MAX_VALUE = 1024;

/** The wanted attributes of the main section; names compare case-insensitively per the spec. */
export function parseManifest(text: string): Record<string, string> {
  const canonical = new Map([...WANTED].map((n) => [n.toLowerCase(), n]));
  const out: Record<string, string> = {};
  let name: string | undefined;
  let value = '';
  const flush = () => {
    if (name && value.length <= MAX_VALUE && !(name in out)) out[name] = value.trim();
    name = undefined;
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break; // end of the main section
    if (line.startsWith(' ')) {
      if (name && value.length <= MAX_VALUE) value += line.slice(1);
      continue;
    }
    flush();
    const colon = line.indexOf(': ');
    if (colon <= 0) continue;
    const key = canonical.get(line.slice(0, colon).toLowerCase());
    if (!key) continue;
    name = key;
    value = line.slice(colon + 2);
  }
  flush();
  return out;
}
