import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapturedFile, Cataloger, CatalogResult, CatalogView } from '../types.js';

/** A view over in-memory files, as the image layer would hand them to a cataloger. */
export function viewOf(files: Record<string, Buffer | string>, layerDiffId = 'sha256:test'): CatalogView {
  const captured: CapturedFile[] = Object.entries(files)
    .map(([path, c]) => ({
      path,
      content: Buffer.isBuffer(c) ? c : Buffer.from(c),
      layerDiffId,
      wantedBy: ['test'],
    }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    files: () => captured,
    read: (p) => captured.find((f) => f.path === p),
    exists: (p) => captured.some((f) => f.path === p),
    os: undefined,
  };
}

/**
 * The files of a real directory the cataloger wants, mounted at `mount`, read the way a
 * layer tar gives them: symlinks are not followed.
 */
export function wantedFilesOf(cataloger: Cataloger, dir: string, mount: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const a = join(abs, entry.name);
      const r = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(a, r);
      else if (entry.isFile() && cataloger.wants(r, { mode: lstatSync(a).mode, size: lstatSync(a).size })) out[r] = readFileSync(a);
    }
  };
  walk(dir, mount);
  return out;
}

export function runCataloger(cataloger: Cataloger, files: Record<string, Buffer | string>): CatalogResult & { ms: number } {
  const started = Date.now();
  const result = cataloger.catalog(viewOf(files));
  return { ...result, ms: Date.now() - started };
}
