import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, checkLine, entryFields, GENESIS, sealRecord, type UnsealedRecord } from './record.js';
import { entry } from './testdata/fixtures.js';

const unsealed = (i: number, over: Partial<UnsealedRecord> = {}): UnsealedRecord =>
  ({ v: 1, seq: i, time: '2026-01-02T03:04:05.678Z', prev: GENESIS, alg: 'sha256', ...entryFields(entry(i)), ...over }) as UnsealedRecord;

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: undefined, b: true }], c: null })).toBe('{"a":[{"b":true,"d":"x"}],"b":1,"c":null}');
  });

  it('escapes as JSON.stringify does (control characters, quotes, lone surrogates)', () => {
    expect(canonicalJson({ s: 'a"\\\n\u0001\ud800é' })).toBe('{"s":"a\\"\\\\\\n\\u0001\\ud800é"}');
  });

  it('refuses index-like keys, which V8 would not keep in sorted order', () => {
    expect(() => canonicalJson({ b: 1, 10: 2 })).toThrow(/index-like/);
  });
});

describe('sealRecord / checkLine', () => {
  it('the line is the canonical JSON of the sealed record, and the hash is SHA-256 over it without `hash`', () => {
    const { record, line } = sealRecord(unsealed(3), undefined);
    expect(line).toBe(`${canonicalJson(record)}\n`);
    const { hash, ...rest } = record;
    // Recomputed here with node:crypto directly, independent of the module's digest helper.
    expect(hash).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'));
    expect(checkLine(Buffer.from(line.slice(0, -1)), undefined)).toEqual({ ok: true, record });
  });

  it('with a key the hash is HMAC-SHA-256 and checking needs that key', () => {
    const key = Buffer.alloc(32, 1);
    const { record, line } = sealRecord(unsealed(4, { alg: 'hmac-sha256' }), key);
    const { hash, ...rest } = record;
    expect(hash).toBe(createHmac('sha256', key).update(canonicalJson(rest)).digest('hex'));
    const bytes = Buffer.from(line.slice(0, -1));
    expect(checkLine(bytes, key).ok).toBe(true);
    expect(checkLine(bytes, undefined)).toMatchObject({ ok: false, kind: 'key-required' });
    expect(checkLine(bytes, Buffer.alloc(32, 2))).toMatchObject({ ok: false, kind: 'edited', seq: 4 });
  });

  it('a re-encoding that parses to the same record is still an edit (escapes, spacing, key order)', () => {
    const { record, line } = sealRecord(unsealed(5, { reason: 'é' }), undefined);
    const { hash, ...rest } = record;
    const variants = [
      line.slice(0, -1).replace('é', '\\u00e9'),
      JSON.stringify(record, null, 1),
      JSON.stringify({ hash, ...rest }),
      `${line.slice(0, -1)} `,
    ];
    for (const v of variants) {
      expect(JSON.parse(v)).toEqual(JSON.parse(line));
      expect(checkLine(Buffer.from(v), undefined)).toMatchObject({ ok: false, kind: 'edited', seq: 5 });
    }
  });

  it('rejects records with unknown or missing members, bad types, or a keyless record in a keyed log', () => {
    const { line } = sealRecord(unsealed(6), undefined);
    const rec = JSON.parse(line);
    expect(checkLine(Buffer.from(JSON.stringify({ ...rec, extra: 1 })), undefined)).toMatchObject({ ok: false, kind: 'malformed', seq: 6 });
    const { user: _u, ...noUser } = rec;
    expect(checkLine(Buffer.from(canonicalJson(noUser)), undefined)).toMatchObject({ ok: false, kind: 'malformed' });
    expect(checkLine(Buffer.from(canonicalJson({ ...rec, seq: '6' })), undefined)).toMatchObject({ ok: false, kind: 'malformed' });
    expect(checkLine(Buffer.from(line.slice(0, -1)), Buffer.alloc(32))).toMatchObject({ ok: false, kind: 'edited', message: expect.stringContaining('not keyed') });
    expect(checkLine(Buffer.from('{"v":1'), undefined)).toMatchObject({ ok: false, kind: 'malformed', message: 'not a JSON record' });
    expect(checkLine(Buffer.from('null'), undefined)).toMatchObject({ ok: false, kind: 'malformed' });
  });
});
