import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CatalogResult } from '../catalog/types.js';
import { ERROR_CATALOGUE } from '../core/errors.js';
import type { OsInfo } from '../core/os.js';
import { type Location, type Package, PACKAGE_TYPES, type Relationship } from '../core/package.js';
import { problem, type Problem } from '../core/problem.js';
import { LAYER_READER_VERSION } from '../image/layers/cache.js';
import type { CatalogerState, FinalStage, FoldSnapshot } from './layer-fold.js';

/** Bumped whenever what a cached scan state holds, or how layers are folded, changes. */
export const SCAN_STATE_VERSION = '1';

/** A cached scan of layers 0..k: the fold's snapshot and the final stage on top of it. */
export interface ScanState {
  readonly snapshot: FoldSnapshot;
  readonly final: FinalStage;
  /** Id of the stored payload (everything but the per-layer problems), once stored or loaded. */
  readonly payloadId?: string;
}

// The stored form. Everything is our own output, but the cache directory is outside the
// process: the payload is addressed by its sha256 (checked on read) and its shape checked
// by these schemas before use. The parsed JSON itself is used, not zod's copy, so that key
// order, and with it every encoder's output, is exactly what a scan without the cache gives.
const ProblemSchema = z.object({
  code: z.string().refine((c) => c in ERROR_CATALOGUE, 'unknown error code'),
  message: z.string(),
  layer: z.string().optional(),
  path: z.string().optional(),
  source: z.string().optional(),
});
const LocationSchema = z.object({ path: z.string(), layerDiffId: z.string().optional() });
const PackageSchema = z.object({
  id: z.string(),
  type: z.enum(PACKAGE_TYPES),
  name: z.string(),
  version: z.string(),
  purl: z.string(),
  foundBy: z.string(),
  licenses: z.array(z.string()),
  locations: z.array(LocationSchema),
});
const RelationshipSchema = z.object({ from: z.string(), to: z.string(), type: z.enum(['built-from', 'owned-by', 'depends-on', 'contains']) });
const OsSchema = z.object({ id: z.string(), versionId: z.string(), source: z.string() });
const PayloadSchema = z.object({
  os: OsSchema.nullable(),
  osProblems: z.array(ProblemSchema),
  catalogers: z.array(
    z.object({
      id: z.string(),
      packages: z.array(PackageSchema),
      /** Per package (same order): first layer of its unbroken presence. */
      first: z.array(z.number().int().nonnegative()),
      relationships: z.array(RelationshipSchema),
      problems: z.array(ProblemSchema),
    }),
  ),
  ownership: z.object({
    relationships: z.array(RelationshipSchema),
    upstream: z.array(z.string()),
    ownedBinaries: z.array(z.tuple([z.string(), z.array(LocationSchema)])),
  }),
  seen: z.array(z.tuple([z.string(), z.string()])),
  captured: z.array(z.string()),
});
const EntrySchema = z.object({
  version: z.literal(SCAN_STATE_VERSION),
  layers: z.number().int().positive(),
  payload: z.string().regex(/^[0-9a-f]{64}$/),
  layerProblems: z.array(z.array(ProblemSchema)),
});

type Payload = z.infer<typeof PayloadSchema>;

/** Larger files are not what this cache writes (an entry holds per-layer problems, a payload packages). */
const MAX_ENTRY_BYTES = 16 * 2 ** 20;
const MAX_PAYLOAD_BYTES = 1024 * 2 ** 20;

function readBounded(path: string, max: number): Buffer {
  const size = statSync(path).size;
  if (size > max) throw new Error(`${size} bytes, over the ${max}-byte limit`);
  return readFileSync(path);
}

/**
 * Cached scans by layer prefix: the key of prefix k names the digests of layers 0..k and the
 * versions of the reader, the fold and every cataloger, so an image that starts with the
 * same layers (the same image again, or one built FROM it) resumes from there. Corrupt
 * entries are a CACHE_CORRUPT problem and a miss, never a failed scan; writes are atomic.
 */
export class ScanCache {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'scans');
  }

  /** Keys of every prefix: element k names layers 0..k (by the digests given). */
  static prefixKeys(layerDigests: readonly string[], plugins: readonly { id: string; version: string }[]): string[] {
    const base = JSON.stringify({ scan: SCAN_STATE_VERSION, reader: LAYER_READER_VERSION, plugins: plugins.map((c) => `${c.id}@${c.version}`).sort() });
    let key = createHash('sha256').update(base).digest('hex');
    return layerDigests.map((d) => (key = createHash('sha256').update(`${key}\n${d}`).digest('hex')));
  }

  has(key: string): boolean {
    try {
      return statSync(join(this.dir, `${key}.json`)).isFile();
    } catch {
      return false;
    }
  }

  get(key: string, problems: Problem[]): ScanState | undefined {
    const file = join(this.dir, `${key}.json`);
    if (!this.has(key)) return undefined;
    try {
      const entry = EntrySchema.parse(JSON.parse(readBounded(file, MAX_ENTRY_BYTES).toString('utf8')));
      if (entry.layerProblems.length !== entry.layers) throw new Error('layer problems do not match the layer count');
      const bytes = readBounded(join(this.dir, `payload-${entry.payload}.json`), MAX_PAYLOAD_BYTES);
      if (createHash('sha256').update(bytes).digest('hex') !== entry.payload) throw new Error('payload does not match its digest');
      const raw: unknown = JSON.parse(bytes.toString('utf8'));
      PayloadSchema.parse(raw);
      return fromPayload(raw as Payload, entry.layers, entry.layerProblems as Problem[][], entry.payload);
    } catch (err) {
      problems.push(problem('CACHE_CORRUPT', `ignored corrupt scan cache entry ${key}: ${(err as Error).message.slice(0, 300)}`));
      rmSync(file, { force: true });
      return undefined;
    }
  }

  /** Stores `state` as prefix `key`; a state loaded from this cache reuses its payload. */
  put(key: string, state: ScanState): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const id = state.payloadId ?? writePayload(this.dir, state);
      const entry = { version: SCAN_STATE_VERSION, layers: state.snapshot.layers, payload: id, layerProblems: state.snapshot.layerProblems };
      atomicWrite(join(this.dir, `${key}.json`), Buffer.from(JSON.stringify(entry)));
    } catch {
      // A read-only or full cache dir only costs speed.
    }
  }
}

function atomicWrite(path: string, bytes: Buffer): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, bytes, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes the payload as it is serialized, a package at a time, hashing on the way: the
 * document (megabytes for a large image) never exists as one string or one buffer.
 */
function writePayload(dir: string, state: ScanState): string {
  const hash = createHash('sha256');
  const tmp = join(dir, `payload.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    let pending: string[] = [];
    let size = 0;
    const flush = (): void => {
      const bytes = Buffer.from(pending.join(''));
      hash.update(bytes);
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      pending = [];
      size = 0;
    };
    for (const part of payloadParts(toPayload(state))) {
      pending.push(part);
      size += part.length;
      if (size >= 1 << 18) flush();
    }
    flush();
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  const id = hash.digest('hex');
  renameSync(tmp, join(dir, `payload-${id}.json`));
  return id;
}

/** The payload's JSON in pieces; joined, it is exactly `JSON.stringify(payload)`. */
function* payloadParts(p: Payload): Generator<string> {
  const json = JSON.stringify;
  yield `{"os":${json(p.os)},"osProblems":${json(p.osProblems)},"catalogers":[`;
  for (const [i, c] of p.catalogers.entries()) {
    yield `${i > 0 ? ',' : ''}{"id":${json(c.id)},"packages":[`;
    for (const [j, pkg] of c.packages.entries()) yield `${j > 0 ? ',' : ''}${json(pkg)}`;
    yield `],"first":${json(c.first)},"relationships":${json(c.relationships)},"problems":${json(c.problems)}}`;
  }
  yield `],"ownership":${json(p.ownership)},"seen":${json(p.seen)},"captured":${json(p.captured)}}`;
}

function toPayload(state: ScanState): Payload {
  const { snapshot: snap, final } = state;
  return {
    os: (snap.os ?? null) as Payload['os'],
    osProblems: snap.osProblems as Payload['osProblems'],
    catalogers: [...snap.catalogers].map(([id, s]) => ({
      id,
      packages: s.result.packages as Payload['catalogers'][number]['packages'],
      first: s.result.packages.map((p) => s.first.get(p.id) ?? 0),
      relationships: s.result.relationships as Relationship[],
      problems: s.result.problems as Payload['osProblems'],
    })),
    ownership: {
      relationships: final.ownership.relationships,
      upstream: [...final.ownership.upstreamLockfilePackages],
      ownedBinaries: [...final.ownership.ownedBinaries].map(([id, locs]) => [id, [...locs]]),
    },
    seen: [...final.seen],
    captured: [...final.captured],
  };
}

function fromPayload(p: Payload, layers: number, layerProblems: Problem[][], payloadId: string): ScanState {
  const catalogers = new Map<string, CatalogerState>();
  for (const c of p.catalogers) {
    if (c.first.length !== c.packages.length) throw new Error(`cataloger ${c.id}: first layers do not match its packages`);
    if (c.first.some((l) => l >= layers)) throw new Error(`cataloger ${c.id}: a first layer is above the prefix`);
    const packages = c.packages as unknown as Package[];
    const first = new Map<string, number>();
    packages.forEach((pkg, i) => first.set(pkg.id, c.first[i] as number));
    const result: CatalogResult = { packages, relationships: c.relationships, problems: c.problems as Problem[] };
    catalogers.set(c.id, { result, first });
  }
  const snapshot: FoldSnapshot = {
    layers,
    os: (p.os ?? undefined) as OsInfo | undefined,
    osProblems: p.osProblems as Problem[],
    layerProblems,
    catalogers,
  };
  const final: FinalStage = {
    ownership: {
      relationships: p.ownership.relationships,
      upstreamLockfilePackages: new Set(p.ownership.upstream),
      ownedBinaries: new Map(p.ownership.ownedBinaries.map(([id, locs]) => [id, locs as Location[]])),
    },
    seen: new Map(p.seen),
    captured: p.captured,
  };
  return { snapshot, final, payloadId };
}

