import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's version and root directory, found once from package.json (works from src/ and from dist/). */
function readPackage(): { version: string; root: string } {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const url = new URL(rel, import.meta.url);
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'portcullis' && pkg.version) return { version: pkg.version, root: dirname(fileURLToPath(url)) };
    } catch {
      // try the next candidate
    }
  }
  return { version: '0.0.0', root: dirname(fileURLToPath(new URL('..', import.meta.url))) };
}

const PKG = readPackage();

export const VERSION = PKG.version;
/** Directory holding package.json: bundled data (data/, examples/) is found from here. */
export const PACKAGE_ROOT = PKG.root;
