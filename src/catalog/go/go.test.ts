import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapturedFile, CatalogView } from '../types.js';
import { readBuildInfo } from './buildinfo.js';
import { goCataloger } from './index.js';
import type { GoSummary } from './modinfo.js';

const FIXTURE = join(import.meta.dirname, '../../../scripts/fixtures/go');
const LAYER = `sha256:${'1'.repeat(64)}`;
const GO = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
const tmp = mkdtempSync(join(tmpdir(), 'portcullis-go-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface GoVersionM {
  goVersion: string;
  path: string;
  mod?: string[];
  deps: string[][];
  build: Record<string, string>;
}

/** `go version -m BINARY`, the native tool's reading of the same build info. */
function goVersionM(bin: string): GoVersionM {
  const out = execFileSync(GO, ['version', '-m', bin], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const [head, ...lines] = out.split('\n');
  const res: GoVersionM = { goVersion: (head ?? '').slice(bin.length + 2), path: '', deps: [], build: {} };
  for (const line of lines) {
    const f = line.split('\t').slice(1);
    if (f[0] === 'path') res.path = f[1] ?? '';
    if (f[0] === 'mod') res.mod = f.slice(1);
    if (f[0] === 'dep') res.deps.push(f.slice(1));
    if (f[0] === '=>') res.deps[res.deps.length - 1]?.push(...f.slice(1));
    if (f[0] === 'build') {
      const kv = f.slice(1).join('\t');
      res.build[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
    }
  }
  return res;
}

function summaryOf(bin: string): GoSummary {
  const s = goCataloger.summarize?.({ path: bin, content: readFileSync(bin) });
  expect(s?.error).toBeUndefined();
  return s as unknown as GoSummary;
}

/** Asserts our summary equals what `go version -m` prints for the binary. */
function expectSameAsGo(bin: string): GoSummary {
  const ours = summaryOf(bin);
  const native = goVersionM(bin);
  expect(ours.goVersion).toBe(native.goVersion);
  expect(ours.path).toBe(native.path);
  if (native.mod) expect([ours.main?.path, ours.main?.version, ours.main?.sum].slice(0, native.mod.length)).toEqual(native.mod);
  else expect(ours.main).toBeUndefined();
  // go prints `path version [sum]`, then for a replacement `path version [sum]` again.
  const flat = ours.deps.map(([p, v, s, r]) => [p, v, ...(s ? [s] : []), ...(r ? [r[0], r[1], ...(r[2] ? [r[2]] : [])] : [])]);
  const nativeFlat = native.deps.map((d) => d.filter((x, i) => x !== '' || i < 2));
  expect(flat).toEqual(nativeFlat);
  expect(Object.keys(ours.settings).sort()).toEqual(Object.keys(native.build).sort());
  for (const [k, v] of Object.entries(native.build)) if (!v.startsWith('"')) expect(ours.settings[k]).toBe(v);
  return ours;
}

function viewOf(paths: string[]): CatalogView {
  const files: CapturedFile[] = paths.map((p) => {
    const content = readFileSync(p);
    const summary = goCataloger.summarize?.({ path: p, content }) ?? null;
    return { path: p, content: Buffer.alloc(0), layerDiffId: LAYER, wantedBy: ['go'], summaries: { go: summary } };
  });
  return { files: () => files, read: (p) => files.find((f) => f.path === p), exists: () => false, os: undefined };
}

describe('go buildinfo: a binary built here with replacements', () => {
  const work = join(tmp, 'src');
  cpSync(FIXTURE, work, { recursive: true });
  const env = { ...process.env, GOFLAGS: '-mod=vendor', GOPROXY: 'off', GOTOOLCHAIN: 'local' };
  const bin = join(tmp, 'app');
  const stripped = join(tmp, 'app-stripped');
  execFileSync(GO, ['build', '-o', bin, '.'], { cwd: join(work, 'app'), env });
  execFileSync(GO, ['build', '-ldflags=-s -w', '-o', stripped, '.'], { cwd: join(work, 'app'), env });

  it('reads what go version -m reads, stripped or not', () => {
    for (const b of [bin, stripped]) {
      const s = expectSameAsGo(b);
      expect(s.main).toMatchObject({ path: 'example.com/portcullis/app', version: '(devel)' });
      expect(s.deps).toContainEqual(['example.com/portcullis/wrap', 'v0.9.1', '', ['example.com/portcullis/wrap', 'v0.8.1', '']]);
    }
  });

  it('without section headers, finds the blob in the writable segment, as go version -m does', () => {
    const noSections = join(tmp, 'app-no-sections');
    const f = Buffer.from(readFileSync(bin));
    f.writeBigUInt64LE(0n, 0x28); // e_shoff
    f.writeUInt16LE(0, 0x3c); // e_shnum
    f.writeUInt16LE(0, 0x3e); // e_shstrndx
    writeFileSync(noSections, f);
    const s = expectSameAsGo(noSections);
    expect(s.deps).toHaveLength(2);
  });

  it('reads PE and Mach-O binaries (Go ≥ 1.18 inline layout) as go version -m does', { timeout: 240_000 }, () => {
    for (const [goos, goarch, name] of [['windows', 'amd64', 'app.exe'], ['darwin', 'arm64', 'app-macho']] as const) {
      const out = join(tmp, name);
      execFileSync(GO, ['build', '-o', out, '.'], { cwd: join(work, 'app'), env: { ...env, GOOS: goos, GOARCH: goarch, CGO_ENABLED: '0' } });
      const s = expectSameAsGo(out);
      expect(s.settings.GOOS).toBe(goos);
    }
  });

  it('reports the replacement, the main module at an empty version and stdlib', () => {
    const result = goCataloger.catalog(viewOf([bin]));
    const goVersion = goVersionM(bin).goVersion;
    const byName = new Map(result.packages.map((p) => [p.name, p]));
    expect(result.problems).toEqual([]);
    expect(byName.get('example.com/portcullis/app')).toMatchObject({ version: '', purl: 'pkg:golang/example.com/portcullis/app', metadata: { mainModule: true, moduleVersion: '(devel)' } });
    expect(byName.get('example.com/portcullis/wrap')).toMatchObject({ version: 'v0.8.1', purl: 'pkg:golang/example.com/portcullis/wrap@v0.8.1', metadata: { replaces: { path: 'example.com/portcullis/wrap', version: 'v0.9.1' } } });
    expect(byName.get('example.com/portcullis/lib')).toMatchObject({ version: '', metadata: { replacedByDirectory: '../lib', replaces: { version: 'v1.2.3' } } });
    expect(byName.get('stdlib')).toMatchObject({ version: `v${goVersion.slice(2).split(' ')[0]}`, foundBy: 'go@1' });
    expect(byName.get('stdlib')?.locations).toEqual([{ path: bin, layerDiffId: LAYER }]);
  });

  it('merges the same module from two binaries into one package with two locations', () => {
    const result = goCataloger.catalog(viewOf([bin, stripped]));
    const errs = result.packages.filter((p) => p.name === 'example.com/portcullis/wrap');
    expect(errs).toHaveLength(1);
    expect(errs[0]?.locations.map((l) => l.path)).toEqual([bin, stripped]);
  });

  it('reads the go.mod the go tool wrote: requires and replace directives', () => {
    const gomod = join(work, 'app/go.mod');
    const result = goCataloger.catalog(viewOf([gomod]));
    const names = result.packages.map((p) => `${p.name}@${p.version}`).sort();
    expect(names).toEqual(['example.com/portcullis/lib@', 'example.com/portcullis/wrap@v0.8.1']);
    expect(result.packages.every((p) => p.metadata?.source === 'go.mod')).toBe(true);
  });
});

describe('go buildinfo: real Go binaries on this machine', () => {
  const candidates = ['/usr/bin/skopeo', '/usr/bin/docker', '/usr/bin/containerd', '/usr/bin/docker-registry', '/usr/sbin/dockerd', '/root/go/bin/syft', '/root/go/bin/trivy'];
  const present = candidates.filter((p) => existsSync(p));

  it('finds at least skopeo', () => {
    expect(present).toContain('/usr/bin/skopeo');
  });

  it.each(present)('%s: equal to go version -m', (bin) => {
    const s = expectSameAsGo(bin);
    expect(s.goVersion).toMatch(/^go1\./);
    expect(goCataloger.wants(bin, { mode: statSync(bin).mode, size: statSync(bin).size })).toBe(true);
  });

  it('reports stdlib for a GOPATH-built Debian binary (no modules)', () => {
    const result = goCataloger.catalog(viewOf(['/usr/bin/skopeo']));
    const std = result.packages.find((p) => p.name === 'stdlib');
    expect(std?.version).toBe(`v${goVersionM('/usr/bin/skopeo').goVersion.slice(2)}`);
    expect(std?.metadata?.mainPackage).toBe('github.com/containers/skopeo/cmd/skopeo');
  });

  it('returns null for executables that are not Go', () => {
    for (const p of ['/bin/ls', '/usr/bin/rpm', '/bin/sh']) {
      if (existsSync(p)) expect(readBuildInfo(readFileSync(p)).kind).toBe('none');
    }
  });
});
