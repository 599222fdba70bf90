import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CapturedFile, CatalogView } from '../types.js';
import { readAuditable } from './auditable.js';
import { parseCargoLock } from './cargo-lock.js';
import { rustCataloger } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const LAYER = `sha256:${'2'.repeat(64)}`;
const BIN = join(TESTDATA, 'auditable-fixture');
const CRATES_IO = 'registry+https://github.com/rust-lang/crates.io-index';

function captured(path: string, content: Buffer): CapturedFile {
  const summary = rustCataloger.summarize?.({ path, content }) ?? null;
  return { path, content: Buffer.alloc(0), layerDiffId: LAYER, wantedBy: ['rust'], summaries: { rust: summary } };
}

function viewOf(files: CapturedFile[]): CatalogView {
  return { files: () => files, read: (p) => files.find((f) => f.path === p), exists: () => false, os: undefined };
}

/** The crates cargo locked for the fixture crate (scripts/fixtures/rust/regenerate.sh). */
const EXPECTED = [
  ['cc', '1.11.3'],
  ['find-msvc-tools', '0.1.15'],
  ['itoa', '1.0.19'],
  ['portcullis-fixture', '0.1.0'],
  ['shlex', '2.0.1'],
  ['smallvec', '1.16.6'],
];

describe('Cargo.lock written by cargo, v1 to v4', () => {
  it.each([1, 2, 3, 4])('v%i: every crate, checksums, local root and the dependency graph', (v) => {
    const path = `/src/v${v}/Cargo.lock`;
    const lock = readFileSync(join(TESTDATA, `Cargo.lock.v${v}`));
    const parsed = parseCargoLock(lock.toString('utf8'));
    expect(parsed.ok && parsed.lock.lockVersion).toBe(v);
    const r = rustCataloger.catalog(viewOf([captured(path, lock)]));
    expect(r.problems).toEqual([]);
    // v1 and v2 were resolved for rust-version 1.40/1.50, so versions may be older: compare names.
    expect(r.packages.map((p) => p.name).sort()).toEqual(EXPECTED.map(([n]) => n));
    const root = r.packages.find((p) => p.name === 'portcullis-fixture');
    expect(root?.metadata).toMatchObject({ local: true, lockfile: `cargo-lock-v${v}`, source: 'lockfile' });
    const itoa = r.packages.find((p) => p.name === 'itoa');
    expect(itoa?.purl).toBe(`pkg:cargo/itoa@${itoa?.version}`);
    expect(itoa?.metadata).toMatchObject({ registry: CRATES_IO, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(itoa?.locations).toEqual([{ path, layerDiffId: LAYER }]);
    const edges = r.relationships.map((e) => `${e.from.split('@')[0]} -> ${e.to.split('@')[0]}`).sort();
    expect(edges).toEqual(['cargo:cc -> cargo:find-msvc-tools', 'cargo:cc -> cargo:shlex', 'cargo:portcullis-fixture -> cargo:cc', 'cargo:portcullis-fixture -> cargo:itoa', 'cargo:portcullis-fixture -> cargo:smallvec']);
  });

  it('v4 matches cargo metadata of the fixture crate, versions included', () => {
    const r = rustCataloger.catalog(viewOf([captured('/Cargo.lock', readFileSync(join(TESTDATA, 'Cargo.lock.v4')))]));
    expect(r.packages.map((p) => [p.name, p.version]).sort()).toEqual(EXPECTED);
  });

  it('the same crate in two lockfiles is one package with two locations', () => {
    const v3 = readFileSync(join(TESTDATA, 'Cargo.lock.v3'));
    const r = rustCataloger.catalog(viewOf([captured('/a/Cargo.lock', v3), captured('/b/Cargo.lock', v3)]));
    expect(r.packages).toHaveLength(6);
    expect(r.packages[0]?.locations.map((l) => l.path)).toEqual(['/a/Cargo.lock', '/b/Cargo.lock']);
  });
});

const CARGO = join(homedir(), '.cargo/bin/cargo');
const CRATE = join(import.meta.dirname, '../../../scripts/fixtures/rust/crate');

/** `cargo metadata` over the fixture crate with a given lockfile: cargo's own reading of it. */
function cargoMetadata(lockVersion: number): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cargo-'));
  try {
    cpSync(CRATE, dir, { recursive: true });
    const toml = readFileSync(join(dir, 'Cargo.toml'), 'utf8');
    const rv = { 1: '1.40', 2: '1.50', 3: '1.77' }[lockVersion];
    if (rv) writeFileSync(join(dir, 'Cargo.toml'), toml.replace(/^edition = .*$/m, `edition = "2018"\nrust-version = "${rv}"`));
    cpSync(join(TESTDATA, `Cargo.lock.v${lockVersion}`), join(dir, 'Cargo.lock'));
    const args = ['metadata', '--locked', '--format-version', '1'];
    let out: string;
    try {
      out = execFileSync(CARGO, [...args, '--offline'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      out = execFileSync(CARGO, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    }
    const meta = JSON.parse(out) as { packages: { name: string; version: string; source: string | null }[] };
    return meta.packages.map((p) => [p.name, p.version, p.source ?? 'local']).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!existsSync(CARGO))('Cargo.lock compared with cargo metadata', () => {
  it.each([1, 2, 3, 4])('v%i: the same crates, versions and sources as cargo reads', (v) => {
    const r = rustCataloger.catalog(viewOf([captured('/Cargo.lock', readFileSync(join(TESTDATA, `Cargo.lock.v${v}`)))]));
    const ours = r.packages.map((p) => [p.name, p.version, p.metadata?.local ? 'local' : String(p.metadata?.registry)]).sort();
    expect(ours).toEqual(cargoMetadata(v));
  });
});

describe('cargo-auditable binary', () => {
  it('the committed binary is small and stripped', () => {
    expect(statSync(BIN).size).toBeLessThan(1024 * 1024);
    expect(rustCataloger.wants('/usr/local/bin/portcullis-fixture', { mode: statSync(BIN).mode, size: statSync(BIN).size })).toBe(true);
  });

  it('.dep-v0 equals what rust-audit-info printed when the fixture was made', () => {
    const r = readAuditable(readFileSync(BIN));
    const native = JSON.parse(readFileSync(join(TESTDATA, 'auditable-fixture.audit.json'), 'utf8')) as unknown;
    expect(r).toEqual({ kind: 'found', data: native });
  });

  const tool = join(homedir(), '.cargo/bin/rust-audit-info');
  it.skipIf(!existsSync(tool))('.dep-v0 equals what rust-audit-info prints now', () => {
    const native = JSON.parse(execFileSync(tool, [BIN], { encoding: 'utf8' })) as unknown;
    expect(readAuditable(readFileSync(BIN))).toEqual({ kind: 'found', data: native });
  });

  it('reports runtime crates only, marks the root, and equals the lockfile minus build deps', () => {
    const r = rustCataloger.catalog(viewOf([captured('/usr/local/bin/portcullis-fixture', readFileSync(BIN))]));
    expect(r.problems).toEqual([]);
    const lock = parseCargoLock(readFileSync(join(TESTDATA, 'auditable-fixture.Cargo.lock'), 'utf8'));
    if (!lock.ok) throw new Error(lock.error);
    const build = new Set(['cc', 'find-msvc-tools', 'shlex']); // cc is only in [build-dependencies]
    const runtime = lock.lock.packages.filter((p) => !build.has(p.name)).map((p) => [p.name, p.version]);
    expect(r.packages.map((p) => [p.name, p.version]).sort()).toEqual(runtime.sort());
    expect(r.packages.find((p) => p.name === 'portcullis-fixture')?.metadata).toMatchObject({ root: true, local: true, source: 'binary' });
    expect(r.relationships.map((e) => e.to).sort()).toEqual(['cargo:itoa@1.0.19', 'cargo:smallvec@1.16.6']);
  });

  it('is null for executables without .dep-v0', () => {
    expect(rustCataloger.summarize?.({ path: '/bin/ls', content: readFileSync('/bin/ls') })).toBeNull();
  });
});
