import { identify, type Descriptor, type JavaArtifact } from './identity.js';
import { parseManifest } from './manifest.js';
import { parsePomProperties, parsePomXml } from './pom.js';
import { listZip, readEntry, type ZipEntry } from './zip.js';

/**
 * Walks one top-level archive and the archives nested in it (WEB-INF/lib, BOOT-INF/lib,
 * EAR modules and lib/, jars inside jars), under one budget per top-level archive so that
 * a bomb, a deep nest or a huge entry count ends in a recorded problem, not in exhausted
 * memory or time.
 */

export const ARCHIVE_SUFFIXES = ['.jar', '.war', '.ear', '.jpi', '.hpi', '.par', '.sar', '.nar', '.kar', '.rar'] as const;

export const LIMITS = {
  /** The top-level archive is depth 0; archives at depth 5 and deeper are not opened. */
  maxDepth: 4,
  /** Central directory entries over the whole nest. */
  maxEntries: 100_000,
  /** Bytes inflated over the whole nest. */
  maxBytes: 1024 * 1024 * 1024,
  /** MANIFEST.MF, pom.properties and pom.xml are small; larger ones are skipped. */
  maxMetadataFile: 1024 * 1024,
  /** Packages and problems kept in one summary (it is cached, so it stays small). */
  maxArtifacts: 10_000,
  maxProblems: 50,
} as const;

export interface ArchiveSummary {
  readonly artifacts: JavaArtifact[];
  readonly problems: string[];
}

interface State {
  entriesLeft: number;
  bytesLeft: number;
  readonly artifacts: JavaArtifact[];
  readonly problems: string[];
  hiddenProblems: number;
}

const SUFFIX_SET = new Set<string>(ARCHIVE_SUFFIXES);

/** A suffix test only: called for every path of every layer. */
export function isArchiveName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && name.length - dot <= 4 && SUFFIX_SET.has(name.slice(dot).toLowerCase());
}

const POM_ENTRY = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.(properties|xml)$/;

/** `..` segments, absolute or drive-letter names, backslashes: not a name a jar tool writes. */
function unsafeName(name: string): boolean {
  return name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name) || name.split('/').includes('..') || name.includes('\0');
}

function note(state: State, message: string): void {
  if (state.problems.length < LIMITS.maxProblems) state.problems.push(message);
  else state.hiddenProblems++;
}

function read(buf: Buffer, entry: ZipEntry, cap: number, state: State, where: string): Buffer | undefined {
  const r = readEntry(buf, entry, Math.min(cap, state.bytesLeft));
  if (!r.ok) {
    note(state, `${where}:${entry.name}: ${r.error}`);
    return undefined;
  }
  state.bytesLeft -= r.data.length;
  return r.data;
}

/** Only names are counted, never read: the package prefix is evidence for a groupId (group.ts). */
function countClass(dirs: Map<string, number>, name: string): void {
  // META-INF/versions/N/… repeats packages; BOOT-INF/WEB-INF classes belong to the app.
  if (/^(?:META-INF|BOOT-INF|WEB-INF)\//.test(name)) return;
  const dir = name.slice(0, Math.max(0, name.lastIndexOf('/')));
  if (dirs.size < 10_000 || dirs.has(dir)) dirs.set(dir, (dirs.get(dir) ?? 0) + 1);
}

function walk(buf: Buffer, virtualPath: string, depth: number, state: State): void {
  const listing = listZip(buf, state.entriesLeft);
  if (!listing.ok) {
    note(state, `${virtualPath}: ${listing.error}`);
    return;
  }
  state.entriesLeft -= listing.entries.length;
  let unsafe = 0;
  let manifest: Record<string, string> | undefined;
  const descriptors = new Map<string, Descriptor>();
  const nested: ZipEntry[] = [];
  const classDirs = new Map<string, number>();
  for (const e of listing.entries) {
    if (unsafeName(e.name)) {
      if (unsafe++ === 0) note(state, `${virtualPath}: unsafe entry name ${JSON.stringify(e.name.slice(0, 200))} skipped`);
      continue;
    }
    if (e.name.endsWith('/')) continue;
    if (e.name === 'META-INF/MANIFEST.MF') {
      const data = read(buf, e, LIMITS.maxMetadataFile, state, virtualPath);
      if (data) manifest = parseManifest(data.toString('utf8'));
      continue;
    }
    const pom = POM_ENTRY.exec(e.name);
    if (pom) {
      const data = read(buf, e, LIMITS.maxMetadataFile, state, virtualPath);
      if (!data) continue;
      const key = `${pom[1]}/${pom[2]}`;
      const d = descriptors.get(key) ?? { group: pom[1]!, artifact: pom[2]! };
      if (pom[3] === 'properties') d.props = parsePomProperties(data.toString('utf8'));
      else d.xml = parsePomXml(data.toString('utf8'));
      descriptors.set(key, d);
      continue;
    }
    if (isArchiveName(e.name)) nested.push(e);
    else if (e.name.endsWith('.class')) countClass(classDirs, e.name);
  }
  if (unsafe > 1) note(state, `${virtualPath}: ${unsafe} unsafe entry names skipped`);
  const fileName = virtualPath.slice(Math.max(virtualPath.lastIndexOf('/'), virtualPath.lastIndexOf(':')) + 1);
  const found = identify({ fileName, virtualPath, nested: depth > 0, manifest, descriptors: [...descriptors.values()], classDirs });
  for (const a of found) {
    if (state.artifacts.length < LIMITS.maxArtifacts) state.artifacts.push(a);
  }
  for (const e of nested) {
    const child = `${virtualPath}:${e.name}`;
    if (depth + 1 > LIMITS.maxDepth) {
      note(state, `${child}: nested deeper than ${LIMITS.maxDepth} archives; not opened`);
      continue;
    }
    const data = read(buf, e, Number.MAX_SAFE_INTEGER, state, virtualPath);
    if (data) walk(data, child, depth + 1, state);
  }
}

/** The packages of one archive file and what went wrong reading it; never throws. */
export function summarizeArchive(path: string, content: Buffer): ArchiveSummary {
  const state: State = { entriesLeft: LIMITS.maxEntries, bytesLeft: LIMITS.maxBytes, artifacts: [], problems: [], hiddenProblems: 0 };
  try {
    walk(content, path, 0, state);
  } catch (e) {
    // Bounds are checked before every read; this is a last guard so a bug cannot end the scan.
    note(state, `${path}: unexpected error reading archive: ${(e as Error).message}`);
  }
  if (state.hiddenProblems > 0) state.problems.push(`${path}: ${state.hiddenProblems} more problems not shown`);
  return { artifacts: state.artifacts, problems: state.problems };
}
