import type { CatalogView } from '../types.js';

/**
 * Files a dpkg package owns. dpkg keeps them in `info/<pkg>.list`, or `<pkg>:<arch>.list`
 * for Multi-Arch: same packages (dpkg(1) FILES, dpkg's "pkg-db" layout); each line is an
 * absolute path, `/.` for the root. `.md5sums` lines are `<md5>  <path>` without the
 * leading `/` and omit directories and conffiles; distroless images put them in status.d
 * and often have nothing else.
 */

export const INFO_DIR = '/var/lib/dpkg/info/';
export const STATUS_D_DIR = '/var/lib/dpkg/status.d/';

export interface OwnedFiles {
  readonly files: string[];
  /** The file the list came from. */
  readonly from: string;
  /** Lines that were not `<md5>  <path>` (md5sums only). */
  readonly badLines: number;
}

/**
 * Candidate list files in preference order: full `.list` files first, then md5sums.
 * `stanzaFile` is the status.d file the package came from, when it came from one.
 */
export function listCandidates(name: string, arch: string | undefined, stanzaFile?: string): string[] {
  const bases = arch ? [`${INFO_DIR}${name}:${arch}`, `${INFO_DIR}${name}`] : [`${INFO_DIR}${name}`];
  const md5 = bases.map((b) => `${b}.md5sums`);
  const statusD = stanzaFile ? [`${stanzaFile}.md5sums`, `${STATUS_D_DIR}${name}.md5sums`] : [];
  return [...bases.map((b) => `${b}.list`), ...statusD, ...md5];
}

export function ownedFiles(view: CatalogView, candidates: readonly string[]): OwnedFiles | undefined {
  for (const path of candidates) {
    const file = view.read(path);
    if (!file) continue;
    const text = file.content.toString('utf8');
    return path.endsWith('.list') ? { ...parseList(text), from: path } : { ...parseMd5sums(text), from: path };
  }
  return undefined;
}

/** `.list`: one absolute path per line. `/.` (the root every package lists) is dropped. */
export function parseList(text: string): { files: string[]; badLines: number } {
  const files: string[] = [];
  let badLines = 0;
  for (const line of lines(text)) {
    if (line === '' || line === '/.') continue;
    if (line.startsWith('/') && !line.includes('\0')) files.push(line);
    else badLines++;
  }
  return { files, badLines };
}

/** `.md5sums`: `<32 hex>  <relative path>` (md5sum(1) output, text or `*` binary mode). */
export function parseMd5sums(text: string): { files: string[]; badLines: number } {
  const files: string[] = [];
  let badLines = 0;
  for (const line of lines(text)) {
    if (line === '') continue;
    const m = /^[0-9a-fA-F]{32} [ *](.+)$/.exec(line);
    const path = m?.[1];
    if (path === undefined || path.includes('\0')) {
      badLines++;
      continue;
    }
    files.push(path.startsWith('/') ? path : `/${path}`);
  }
  return { files, badLines };
}

/** Lines without building one array of them all. */
function* lines(text: string): Generator<string> {
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    yield text.slice(pos, end);
    pos = end + 1;
  }
}
