import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import type { ImageMetadata } from '../image/types.js';
import { PACKAGE_ROOT } from '../version.js';
import { imageFacts } from './facts/image.js';
import { FAMILIES } from './fields/types.js';
import { FIELDS } from './fields/registry.js';
import { parseExitCode, parseFailOn, quickGate } from './gates.js';
import { canonicalId, compileGlob } from './glob.js';
import { applyIgnoreFile, parseIgnoreFile } from './ignorefile.js';
import { parseTime } from './dates.js';

const finding = (id: string, severity: Finding['severity'], aliases: string[] = [id]): Finding => ({
  id,
  aliases,
  package: { id: `npm:x@1`, type: 'npm', name: 'x', version: '1', purl: 'pkg:npm/x@1', locations: [] },
  severity,
  severitySource: 'test',
  ratings: [],
  cvss: [],
  fixState: 'fixed',
  fixedVersions: ['2'],
  cwes: [],
  references: [],
  evidence: [{ advisory: 'GHSA-aaaa-bbbb-cccc', source: 'ghsa', ecosystem: 'npm', packageName: 'x', matchedBy: 'ecosystem', comparedVersion: '1' }],
});

describe('field registry', () => {
  it('is sorted, unique, documented, and every field declares its metadata', () => {
    const names = FIELDS.map((f) => f.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(new Set(names).size).toBe(names.length);
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs/policy.md'), 'utf8');
    for (const f of FIELDS) {
      expect(FAMILIES, f.name).toContain(f.family);
      expect(f.description.length, f.name).toBeGreaterThan(20);
      expect(f.example.startsWith(`${f.name}:`), f.name).toBe(true);
      expect(doc, `docs/policy.md documents ${f.name}`).toContain(`| \`${f.name}\` |`);
    }
  });
});

describe('globs', () => {
  it('matches segments, classes and canonical ids, and refuses bad patterns', () => {
    const seg = compileGlob('team/*', { segments: true });
    const deep = compileGlob('team/**', { segments: true });
    expect(seg.ok && seg.test('team/app')).toBe(true);
    expect(seg.ok && seg.test('team/a/b')).toBe(false);
    expect(deep.ok && deep.test('team/a/b')).toBe(true);
    const cls = compileGlob('v[0-9].?');
    expect(cls.ok && cls.test('v1.2') && !cls.test('vx.2')).toBe(true);
    const neg = compileGlob('[!a]*');
    expect(neg.ok && neg.test('b') && !neg.test('a')).toBe(true);
    const lit = compileGlob('a.b+c(d)');
    expect(lit.ok && lit.test('a.b+c(d)') && !lit.test('aXb+c(d)')).toBe(true);
    expect(canonicalId('cve-2021-44228')).toBe('CVE-2021-44228');
    expect(canonicalId('ghsa-JFH8-C2JP-5V3Q')).toBe('GHSA-jfh8-c2jp-5v3q');
    for (const bad of ['', 'a[', 'a[]', `${'x'.repeat(600)}`, 'a\u0001']) expect(compileGlob(bad).ok, JSON.stringify(bad)).toBe(false);
  });
});

describe('.portcullisignore', () => {
  it('parses Trivy\'s format and applies ids through aliases until their expiry', () => {
    const file = parseIgnoreFile('# comment\n\nCVE-1\n  ghsa-x exp:2026-03-01  \nCVE-3 exp:2026-13-01\nCVE-4 exp:2020-01-01 other:field\r\n', '.portcullisignore');
    expect(file.lines).toEqual([
      { id: 'CVE-1', line: 3 },
      { id: 'ghsa-x', line: 4, expires: '2026-03-01' },
      { id: 'CVE-4', line: 6, expires: '2020-01-01' },
    ]);
    expect(file.problems.map((p) => p.message)).toEqual(['.portcullisignore:5: "exp:2026-13-01" is not exp:YYYY-MM-DD; the line was skipped']);
    const fs = [finding('CVE-1', 'high'), finding('CVE-2', 'high', ['CVE-2', 'GHSA-X']), finding('CVE-4', 'low')];
    const before = applyIgnoreFile(fs, file, parseTime('2026-03-01T00:00:00Z'));
    expect(before.ignored.map((f) => f.id)).toEqual(['CVE-1', 'CVE-2']);
    expect(before.expired.map((l) => l.id)).toEqual(['CVE-4']);
    const after = applyIgnoreFile(fs, file, parseTime('2026-03-01T00:00:01Z'));
    expect(after.kept.map((f) => f.id)).toEqual(['CVE-2', 'CVE-4']);
    expect(after.expired.map((l) => l.id)).toEqual(['ghsa-x', 'CVE-4']);
    expect(parseIgnoreFile('x'.repeat(2 * 1024 * 1024), 'big').lines).toEqual([]);
  });
});

describe('quick gates', () => {
  it('follow Grype --fail-on and Trivy --exit-code semantics', () => {
    const fs = [finding('A', 'medium'), finding('B', 'unknown')];
    expect(quickGate(fs, {})).toBeUndefined();
    expect(quickGate(fs, { failOn: 'medium' })).toMatchObject({ triggered: true, exitCode: 1, findings: 1 });
    expect(quickGate(fs, { failOn: 'high' })).toMatchObject({ triggered: false, exitCode: 0 });
    expect(quickGate(fs, { failOn: 'unknown', exitCode: 4 })).toMatchObject({ triggered: true, exitCode: 4, findings: 2 });
    expect(quickGate(fs, { exitCode: 3 })).toMatchObject({ triggered: true, exitCode: 3 });
    expect(quickGate([], { exitCode: 3 })).toMatchObject({ triggered: false, exitCode: 0 });
    expect(parseFailOn('CRITICAL')).toBe('critical');
    expect(() => parseFailOn('severe')).toThrow(/--fail-on/);
    expect(parseExitCode('255')).toBe(255);
    for (const bad of ['256', '-1', '1.5', 'x', '']) expect(() => parseExitCode(bad)).toThrow(/--exit-code/);
  });
});

describe('facts', () => {
  const meta = (over: Partial<ImageMetadata>): ImageMetadata => ({
    source: 'registry',
    reference: 'registry:127.0.0.1:5000/team/app:1.2',
    tags: [],
    config: { os: 'linux', architecture: 'amd64', env: [], labels: { team: 'pay' }, history: [] },
    layers: [{ index: 0, diffId: 'sha256:aa' }, { index: 1, diffId: 'sha256:bb' }],
    manifestDigest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
    ...over,
  });

  it('reads registry, repository, tag and digest from references and tags', () => {
    expect(imageFacts(meta({}))).toEqual({
      reference: 'registry:127.0.0.1:5000/team/app:1.2',
      registry: '127.0.0.1:5000',
      repository: 'team/app',
      tag: '1.2',
      digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
      referencedByDigest: false,
      labels: { team: 'pay' },
      diffIds: ['sha256:aa', 'sha256:bb'],
    });
    const pinned = imageFacts(meta({ reference: `registry:reg.example/app@sha256:${'2'.repeat(64)}` }));
    expect(pinned).toMatchObject({ registry: 'reg.example', repository: 'app', referencedByDigest: true, digest: `sha256:${'2'.repeat(64)}` });
    expect(pinned.tag).toBeUndefined();
    expect(imageFacts(meta({ source: 'oci-archive', reference: 'oci-archive:/x/demo.tar', tags: ['demo:1'] }))).toMatchObject({ registry: 'docker.io', repository: 'library/demo', tag: '1', referencedByDigest: false });
    const bare = imageFacts(meta({ source: 'dir', reference: 'dir:/rootfs', tags: [] }));
    expect(bare.registry).toBeUndefined();
    expect(bare.repository).toBeUndefined();
  });
});

describe('parsePolicyInput (inputs that arrive as data)', () => {
  it('refuses wrong types with a coded error naming the path, and fills finding defaults', async () => {
    const { parsePolicyInput } = await import('./input.js');
    for (const bad of [null, 42, 'x', {}, { now: 'soon', image: { reference: 'x' } }, { now: '2026-01-01', image: { reference: 'x' }, findings: [{ id: 'CVE-1' }] }, { now: '2026-01-01', image: { reference: 'x', labels: { a: 1 } } }, { now: '2026-01-01', image: { reference: 'x' }, extra: true }]) {
      expect(() => parsePolicyInput(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
    const ok = parsePolicyInput({ now: '2026-01-01', image: { reference: 'x' }, findings: [{ id: 'CVE-1', package: { name: 'a' }, fixedVersions: ['2'] }] });
    expect(ok.findings[0]).toMatchObject({ id: 'CVE-1', aliases: ['CVE-1'], severity: 'unknown', fixState: 'fixed', package: { name: 'a', type: 'binary', purl: 'pkg:binary/a@' } });
    expect(ok.image).toEqual({ reference: 'x', referencedByDigest: false, labels: {}, diffIds: [] });
  });
});
