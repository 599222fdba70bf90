import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortcullisError, type PortcullisError } from '../../core/errors.js';
import { detectVexFormat, MAX_VEX_BYTES, parseVexDocument, readVexDocument } from './parse.js';
import { fixturePath } from './testdata/findings.js';

const OPENVEX = readFileSync(fixturePath('openvex/purls.openvex.json'));
const CDX = readFileSync(fixturePath('cyclonedx/states-1.5.cdx.json'));

/** The VEX_PARSE error parse throws (fails the test if it returns or throws anything else). */
function parseError(input: Uint8Array | string, path = 'bad.json'): PortcullisError {
  try {
    parseVexDocument(input, { path });
  } catch (err) {
    expect(isPortcullisError(err, 'VEX_PARSE')).toBe(true);
    expect((err as PortcullisError).context.path).toBe(path);
    return err as PortcullisError;
  }
  throw new Error('parsed without error');
}

const openvex = (patch: Record<string, unknown>) =>
  JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'x',
    timestamp: '2024-01-01T00:00:00Z',
    statements: [{ vulnerability: { name: 'CVE-1' }, products: [{ '@id': 'pkg:npm/a@1' }], status: 'fixed' }],
    ...patch,
  });
const cdx = (patch: Record<string, unknown>) => JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, vulnerabilities: [], ...patch });

describe('detectVexFormat', () => {
  it('tells the formats apart', () => {
    expect(detectVexFormat(JSON.parse(OPENVEX.toString()))).toBe('openvex');
    expect(detectVexFormat(JSON.parse(CDX.toString()))).toBe('cyclonedx');
    expect(detectVexFormat({ '@context': 'https://openvex.dev/ns' })).toBe('openvex');
  });
});

describe('parseVexDocument: hostile input', () => {
  it('rejects every truncation of an OpenVEX and a CycloneDX document with a coded error', () => {
    for (const whole of [OPENVEX, CDX]) {
      for (let n = 0; n < whole.length; n += 7) expect(parseError(whole.subarray(0, n)).message).toMatch(/empty|not valid JSON/);
    }
    expect(parseError(OPENVEX.subarray(0, OPENVEX.length / 2)).message).toMatch(/^not valid JSON \(truncated or corrupt\?\)/);
  });

  it('rejects documents over the size limit before parsing them', () => {
    const huge = Buffer.alloc(MAX_VEX_BYTES + 1, 0x20);
    expect(parseError(huge).message).toBe(`the VEX document is ${MAX_VEX_BYTES + 1} bytes, larger than the ${MAX_VEX_BYTES}-byte limit`);
    expect(() => parseVexDocument(OPENVEX, { maxBytes: 100 })).toThrow(/larger than the 100-byte limit/);
  });

  it.each([
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/],
    ['empty', '  \n', /empty/],
    ['an array', '[]', /expected a JSON object, found an array/],
    ['a string', '"openvex"', /found string/],
    ['null', 'null', /found null/],
    ['an unknown @context', openvex({ '@context': 'https://example.com/ns' }), /unknown @context "https:\/\/example.com\/ns"/],
    ['a future OpenVEX version', openvex({ '@context': 'https://openvex.dev/ns/v1.0.0' }), /unsupported OpenVEX @context "https:\/\/openvex.dev\/ns\/v1.0.0"/],
    ['a non-string @context', openvex({ '@context': ['https://openvex.dev/ns'] }), /unknown @context/],
    ['CSAF', JSON.stringify({ document: { category: 'csaf_vex', csaf_version: '2.0' } }), /CSAF documents are not supported/],
    ['SPDX', JSON.stringify({ spdxVersion: 'SPDX-2.3' }), /neither OpenVEX .* nor CycloneDX/],
    ['statements not an array', openvex({ statements: {} }), /statements: /],
    ['a status outside the spec', openvex({ statements: [{ vulnerability: { name: 'CVE-1' }, status: 'ignored' }] }), /statements\.0\.status: /],
    ['a numeric vulnerability', openvex({ statements: [{ vulnerability: 44228, status: 'fixed' }] }), /statements\.0\.vulnerability: /],
    ['a vulnerability without name', openvex({ statements: [{ vulnerability: { '@id': 'x' }, status: 'fixed' }] }), /statements\.0\.vulnerability/],
    ['a bad timestamp', openvex({ timestamp: 'last tuesday' }), /timestamp: not an RFC 3339 date-time/],
    ['products of numbers', openvex({ statements: [{ vulnerability: 'CVE-1', status: 'fixed', products: [1, 2] }] }), /statements\.0\.products\.0/],
    ['CycloneDX 1.3', cdx({ specVersion: '1.3' }), /specVersion "1.3" is not supported for VEX: expected 1.4, 1.5, 1.6/],
    ['CycloneDX numeric specVersion', cdx({ specVersion: 1.5 }), /specVersion "1.5" is not supported/],
    ['a CycloneDX SBOM', cdx({ vulnerabilities: undefined }), /no vulnerabilities\[\]: it is an SBOM/],
    ['vulnerabilities not an array', cdx({ vulnerabilities: { id: 'CVE-1' } }), /vulnerabilities: /],
    ['an unknown analysis state', cdx({ vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'wontfix' } }] }), /vulnerabilities\.0\.analysis\.state/],
    ['an affects ref that is not a string', cdx({ vulnerabilities: [{ id: 'CVE-1', affects: [{ ref: 7 }] }] }), /vulnerabilities\.0\.affects\.0\.ref/],
    ['a nested component of the wrong type', cdx({ components: [{ 'bom-ref': 'a', components: [{ purl: 42 }] }] }), /components\.0\.components\.0: purl: /],
  ])('rejects %s', (_label, input, message) => {
    expect(parseError(input).message).toMatch(message);
  });

  it('never puts a huge value into the message', () => {
    const err = parseError(openvex({ '@context': `https://example.com/${'x'.repeat(1_000_000)}` }));
    expect(err.message.length).toBeLessThan(300);
  });

  it('survives deep nesting where the schema looks and where it does not', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(parseError(`{"@context":"https://openvex.dev/ns","statements":${deep(200_000)}}`).message).toMatch(/statements\.0/);
    const nestedComponents = `{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[],"components":${'[{"components":'.repeat(100_000)}[]${'}]'.repeat(100_000)}}`;
    expect(parseVexDocument(nestedComponents).statements).toEqual([]);
    const doc = parseVexDocument(openvex({}).replace(/^\{/, `{"extra":${deep(200_000)},`));
    expect(doc.statements).toHaveLength(1);
  });

  it('does not let __proto__ keys reach any prototype', () => {
    const text = openvex({}).replace(
      '"status":"fixed"',
      '"status":"fixed","__proto__":{"polluted":1},"subcomponents":[{"hashes":{"__proto__":"x","sha-256":"00"}}]',
    );
    const doc = parseVexDocument(`{"__proto__":{"polluted":1},${text.slice(1)}`);
    expect(doc.statements).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc.statements[0])).toBe(Object.prototype);
  });

  it('accepts a UTF-8 byte order mark and a string input', () => {
    expect(parseVexDocument(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), OPENVEX])).statements).toHaveLength(5);
    expect(parseVexDocument(OPENVEX.toString()).statements).toHaveLength(5);
  });

  it('bounds the warnings of one document', () => {
    const statements = Array.from({ length: 500 }, () => ({ vulnerability: 'CVE-1', status: 'fixed', products: ['pkg:bad purl'] }));
    const doc = parseVexDocument(openvex({ statements }));
    expect(doc.problems).toHaveLength(51);
    expect(doc.problems.at(-1)!.message).toMatch(/\d+ more warnings about this document were left out/);
  });

  it('warns about statements it can never apply', () => {
    const doc = parseVexDocument(
      openvex({
        timestamp: undefined,
        statements: [
          { vulnerability: 'CVE-1', status: 'fixed' },
          { vulnerability: 'CVE-2', status: 'not_affected', justification: 'because', products: [{ identifiers: { cpe23: 'cpe:2.3:a:x:y:1:*:*:*:*:*:*:*' } }] },
        ],
      }),
      { path: 'w.json' },
    );
    expect(doc.problems.map((p) => p.message)).toEqual([
      'the document has no timestamp (required by OpenVEX); its untimed statements lose to any dated one',
      'statements[0]: names no product it can be matched by; it applies to nothing',
      'statements[1]: a component is identified only by CPE, which Portcullis does not match',
      'statements[1]: names no product it can be matched by; it applies to nothing',
      'statements[1]: justification "because" is not one of the VEX labels',
    ]);
    expect(doc.problems.every((p) => p.code === 'VEX_PARSE' && p.path === 'w.json' && p.source === 'vex')).toBe(true);
  });
});

describe('readVexDocument', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-vex-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function readError(path: string, maxBytes?: number): Promise<PortcullisError> {
    const err = await readVexDocument(path, maxBytes === undefined ? {} : { maxBytes }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPortcullisError(err, 'VEX_PARSE')).toBe(true);
    expect((err as PortcullisError).context.path).toBe(path);
    return err as PortcullisError;
  }

  it('reads a file and names the document by its path', async () => {
    const doc = await readVexDocument(fixturePath('cyclonedx/versions-1.6.cdx.json'));
    expect(doc.name).toBe(fixturePath('cyclonedx/versions-1.6.cdx.json'));
    expect(doc.statements).toHaveLength(3);
  });

  it('rejects a missing file, a directory and a file over the limit', async () => {
    expect((await readError(join(dir, 'nope.json'))).message).toBe('cannot read the VEX document (ENOENT)');
    expect((await readError(dir)).message).toMatch(/not a regular file|EISDIR/);
    const sparse = join(dir, 'huge.json');
    writeFileSync(sparse, '');
    truncateSync(sparse, MAX_VEX_BYTES + 1); // sparse: no disk, no memory
    expect((await readError(sparse)).message).toMatch(/larger than the 33554432-byte limit/);
    const small = join(dir, 'small.json');
    writeFileSync(small, OPENVEX);
    expect((await readError(small, 100)).message).toMatch(/larger than the 100-byte limit/);
  });
});
