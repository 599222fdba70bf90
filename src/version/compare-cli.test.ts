import { describe, expect, it } from 'vitest';
import { MAX_LINE_LENGTH, versionCompareCommand } from './compare-cli.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

async function* chunks(...parts: (string | Buffer)[]): AsyncIterable<string | Buffer> {
  for (const p of parts) yield p;
}

describe('portcullis version compare', () => {
  it('prints -1, 0 or 1 for two versions', async () => {
    for (const [scheme, a, b, want] of [
      ['deb', '1.0~rc1-1', '1.0-1', '-1'],
      ['rpm', '1.0^git1', '1.0', '1'],
      ['pep440', '1.0-1', '1.0.post1', '0'],
      ['maven', '1.0-SNAPSHOT', '1.0', '-1'],
    ] as const) {
      const c = capture();
      expect(await versionCompareCommand([scheme, a, b], c.io)).toBe(0);
      expect(c.out()).toBe(`${want}\n`);
    }
  });

  it('refuses an invalid version with exit 1 and a reason', async () => {
    const c = capture();
    expect(await versionCompareCommand(['deb', 'abc', '1.0'], c.io)).toBe(1);
    expect(c.out()).toBe('');
    expect(c.err()).toContain('not a valid deb version: "abc"');
  });

  it('reports usage errors with the USAGE code and exit 2', async () => {
    for (const argv of [[], ['nope', '1', '2'], ['deb', '1'], ['deb', '1', '2', '3'], ['deb', '--frob', '1', '2'], ['deb', '--stdin', '1']]) {
      const c = capture();
      expect(await versionCompareCommand(argv, c.io), argv.join(' ')).toBe(2);
      expect(c.err()).toContain('[USAGE]');
    }
    const c = capture();
    expect(await versionCompareCommand(['deb', '--stdin'], c.io)).toBe(2); // no stdin at all
  });

  it('--stdin answers one line per pair, marks bad lines and exits 1 at the end', async () => {
    const c = capture();
    const input = chunks('1.0 1.1\n2:1.0   1:9.9\n', Buffer.from('junk\n1.0 1.0\n\nx y\n1.0~ 1.0'));
    expect(await versionCompareCommand(['deb', '--stdin'], { ...c.io, stdin: input })).toBe(1);
    expect(c.out()).toBe('-1\n1\nerror\n0\nerror\n-1\n');
    expect(c.err()).toContain('line 3: expected "A B", got 1 field(s)');
    expect(c.err()).toContain('line 6: not a valid deb version: "x" and "y"');
  });

  it('--stdin exits 0 when every line is good, and decodes UTF-8 split across chunks', async () => {
    const c = capture();
    const bytes = Buffer.from('1.0.0-ä 1.0.0\n', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1;
    const input = chunks(bytes.subarray(0, cut), bytes.subarray(cut), 'v1.0.0 v1.0.1\n');
    expect(await versionCompareCommand(['go', '--stdin'], { ...c.io, stdin: input })).toBe(1);
    expect(c.out()).toBe('error\n-1\n');
    expect(c.err()).toContain('"1.0.0-ä"');
    const ok = capture();
    expect(await versionCompareCommand(['--stdin', 'go'], { ...ok.io, stdin: chunks('v1 v1.0.0\n') })).toBe(0);
    expect(ok.out()).toBe('0\n');
  });

  it('--stdin keeps memory bounded on a huge line and carries on', async () => {
    const c = capture();
    const huge = 'x'.repeat(MAX_LINE_LENGTH);
    const input = chunks('1 2\n', huge, huge, huge, ' 1\n3 2\n', 'y'.repeat(MAX_LINE_LENGTH * 2));
    expect(await versionCompareCommand(['deb', '--stdin'], { ...c.io, stdin: input })).toBe(1);
    expect(c.out()).toBe('-1\nerror\n1\nerror\n');
    expect(c.err()).toContain(`line 2: longer than ${MAX_LINE_LENGTH} characters`);
    expect(c.err()).toContain('line 4: longer than');
  });

  it('prints help', async () => {
    const c = capture();
    expect(await versionCompareCommand(['--help'], c.io)).toBe(0);
    expect(c.out()).toContain('apk, cargo, composer, deb, gem, go, maven, nuget, pep440, rpm, semver');
  });
});
