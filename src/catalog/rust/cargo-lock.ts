import { parse } from 'smol-toml';
import { z } from 'zod';

/**
 * Cargo.lock, every format cargo has written (cargo's `core/resolver/encode.rs`,
 * https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html):
 * - v1: no `version`; checksums in `[metadata]` as `"checksum NAME VERSION (SOURCE)" = HASH`;
 *   dependencies written `NAME VERSION (SOURCE)`;
 * - v2: no `version`; `checksum` per package; dependencies `NAME` or `NAME VERSION` when ambiguous;
 * - v3 / v4: `version = 3|4`, as v2 (v4 changes only how git URLs are encoded).
 */

const PackageSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  source: z.string().optional(),
  checksum: z.string().optional(),
  dependencies: z.array(z.string()).optional(),
});

const LockSchema = z.object({
  version: z.number().int().optional(),
  package: z.array(PackageSchema).max(100_000).default([]),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export interface LockedCrate {
  readonly name: string;
  readonly version: string;
  readonly source?: string;
  readonly checksum?: string;
  readonly dependencies: readonly string[];
}

export interface CargoLock {
  /** 1 to 4; v1 and v2 are told apart by where the checksums are. */
  readonly lockVersion: number;
  readonly packages: readonly LockedCrate[];
}

export type CargoLockResult = { ok: true; lock: CargoLock } | { ok: false; error: string };

export function parseCargoLock(text: string): CargoLockResult {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    return { ok: false, error: `invalid TOML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
  const parsed = LockSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `not a Cargo.lock: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() };
  }
  const { version, package: pkgs, metadata } = parsed.data;
  const v1 = version === undefined && metadata !== undefined && Object.keys(metadata).some((k) => k.startsWith('checksum '));
  const lockVersion = version ?? (v1 ? 1 : 2);
  const packages = pkgs.map((p): LockedCrate => {
    const fromMeta = metadata?.[`checksum ${p.name} ${p.version} (${p.source ?? ''})`];
    const checksum = p.checksum ?? (typeof fromMeta === 'string' && fromMeta !== '<none>' ? fromMeta : undefined);
    return {
      name: p.name,
      version: p.version,
      ...(p.source ? { source: p.source } : {}),
      ...(checksum ? { checksum } : {}),
      dependencies: p.dependencies ?? [],
    };
  });
  return { ok: true, lock: { lockVersion, packages } };
}

/** `NAME`, `NAME VERSION` or `NAME VERSION (SOURCE)` → the crate it names, when unambiguous. */
export function resolveDependency(dep: string, byName: ReadonlyMap<string, readonly LockedCrate[]>): LockedCrate | undefined {
  const m = /^(\S+)(?: (\S+))?(?: \((.*)\))?$/.exec(dep.trim());
  if (!m) return undefined;
  const candidates = byName.get(m[1] as string) ?? [];
  const matching = candidates.filter((c) => (m[2] === undefined || c.version === m[2]) && (m[3] === undefined || c.source === m[3]));
  return matching.length === 1 ? matching[0] : undefined;
}
