import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePurl, purlCovers } from './purl.js';
import { fixturePath } from './testdata/findings.js';

// Rows: statement purl, package purl, go-vex v0.2.7 PurlMatches (scripts/fixtures/vex/generate.sh).
const rows = readFileSync(fixturePath('purl-matches.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split('\t') as [string, string, string]);

/** Where we answer differently from go-vex on purpose, and why. */
const DIFFERENT: Readonly<Record<string, string>> = {
  'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0':
    'purl-spec maven: `type` defaults to jar, so a package purl without it is a jar',
};

function covers(general: string, specific: string): boolean {
  const g = parsePurl(general);
  const s = parsePurl(specific);
  return g !== undefined && s !== undefined && purlCovers(g, s);
}

describe('purlCovers', () => {
  it('has the go-vex table', () => expect(rows.length).toBeGreaterThanOrEqual(30));

  it.each(rows)('%s covers %s: go-vex says %s', (general, specific, goVex) => {
    const differs = DIFFERENT[`${general} ${specific}`];
    expect(covers(general, specific)).toBe(differs ? goVex !== 'true' : goVex === 'true');
  });

  it('needs the subpath when the statement gives one', () => {
    expect(covers('pkg:golang/example.com/mono@v1.0.0#tools/cli', 'pkg:golang/example.com/mono@v1.0.0#tools/cli')).toBe(true);
    expect(covers('pkg:golang/example.com/mono@v1.0.0#tools/cli', 'pkg:golang/example.com/mono@v1.0.0#server')).toBe(false);
    expect(covers('pkg:golang/example.com/mono@v1.0.0', 'pkg:golang/example.com/mono@v1.0.0#server')).toBe(true);
  });

  it('compares OCI digests case-insensitively', () => {
    expect(covers(`pkg:oci/app@sha256:${'AB'.repeat(32)}`, `pkg:oci/app@sha256:${'ab'.repeat(32)}`)).toBe(true);
  });
});

describe('parsePurl', () => {
  it.each(['', 'lodash', 'pkg:', 'pkg:npm', 'pkg:/lodash', 'npm/lodash@1', 'pkg:npm/%E0%A4%A@1', `pkg:npm/${'a'.repeat(100_000)}@1`.slice(0, 20) + '%'])(
    'rejects %j without throwing',
    (text) => expect(parsePurl(text)).toBeUndefined(),
  );

  it('normalises what the purl spec normalises', () => {
    expect(parsePurl('PKG:PyPI/Django_Rest@1.0?Arch=x86_64')).toEqual({
      type: 'pypi',
      namespace: '',
      name: 'django-rest',
      version: '1.0',
      qualifiers: { arch: 'x86_64' },
      subpath: '',
    });
    expect(parsePurl('pkg:deb/debian/openssl@1%3A3.0.11-1')?.version).toBe('1:3.0.11-1');
  });
});
