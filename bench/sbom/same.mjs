// Compares two of our native JSON SBOMs (portcullis-sbom/1) for the cache checks: a warm
// scan must give exactly what the cold scan gave, and an image that only adds a layer the
// same packages. `fields` names the top-level fields compared, in full, as JSON.
import { readFileSync } from 'node:fs';

/** @returns {{ same: boolean, diff?: string }} */
export function sameFields(a, b, fields) {
  for (const f of fields) {
    const [x, y] = [JSON.stringify(a?.[f]), JSON.stringify(b?.[f])];
    if (x === y) continue;
    let i = 0;
    while (i < x?.length && x[i] === y?.[i]) i++;
    return { same: false, diff: `${f} differs at char ${i}: …${x?.slice(Math.max(0, i - 40), i + 60)}… vs …${y?.slice(Math.max(0, i - 40), i + 60)}…` };
  }
  return { same: true };
}

/** Every field but `createdAt` (the scan time). */
export const ALL_BUT_TIME = ['schema', 'tool', 'image', 'os', 'layers', 'packages', 'relationships', 'problems', 'catalogers'];

export function sameFiles(fileA, fileB, fields) {
  try {
    return sameFields(JSON.parse(readFileSync(fileA, 'utf8')), JSON.parse(readFileSync(fileB, 'utf8')), fields);
  } catch (err) {
    return { same: false, diff: `cannot read: ${err.message}` };
  }
}
