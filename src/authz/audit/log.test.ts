import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { isTamper } from './findings.js';
import type { Forwarder } from './forward/forwarder.js';
import { loadAuditKey } from './key.js';
import { openAuditLog } from './log.js';
import { GENESIS } from './record.js';
import { entry, lines, removeTmpDirs, tmpDir, writeLog } from './testdata/fixtures.js';
import { verifyAuditLog } from './verify.js';

afterAll(removeTmpDirs);

describe('openAuditLog + append', () => {
  it('N appends give N records, seq 1..N, chained from GENESIS, that verify', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 25);
    const ls = (await lines(join(dir, 'audit-000001.jsonl'))).map((l) => JSON.parse(l));
    expect(ls.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(ls[0].prev).toBe(GENESIS);
    for (let i = 1; i < ls.length; i++) expect(ls[i].prev).toBe(ls[i - 1].hash);
    expect(ls[4]).toMatchObject({ kind: 'decision', user: 'bob', decision: 'deny', object: 'req-5', status: 201, alg: 'sha256', v: 1 });
    expect(ls[4].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: true, records: 25, firstSeq: 1, lastSeq: 25, tamperCount: 0, head: { seq: 25, file: 'audit-000001.jsonl' } });
    expect(report.findings).toEqual([]);
  });

  it('2,000 concurrent appends all land, in order, with unique seq, in few fsync batches', async () => {
    const dir = await tmpDir();
    const log = await openAuditLog(dir);
    await Promise.all(Array.from({ length: 2000 }, (_, i) => log.append(entry(i + 1))));
    const stats = log.stats();
    await log.close();
    const recs = (await lines(join(dir, 'audit-000001.jsonl'))).map((l) => JSON.parse(l));
    expect(recs).toHaveLength(2000);
    expect(new Set(recs.map((r) => r.seq)).size).toBe(2000);
    // Appends made in one tick are queued in call order, so seq order is call order.
    expect(recs.map((r) => r.object)).toEqual(Array.from({ length: 2000 }, (_, i) => `req-${i + 1}`));
    expect(stats.appended).toBe(2000);
    expect(stats.batches).toBeLessThan(20);
    expect((await verifyAuditLog(dir)).ok).toBe(true);
  });

  it('reopening continues the chain (seq and prev) instead of starting over', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 3);
    await writeLog(dir, 3, {}, 4);
    const recs = (await lines(join(dir, 'audit-000001.jsonl'))).map((l) => JSON.parse(l));
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(recs[3].prev).toBe(recs[2].hash);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 6 });
  });

  it('rotates by size; the next file chains from the previous file\'s last hash', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 40, { maxFileBytes: 2000 });
    const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
    expect(files.length).toBeGreaterThan(5);
    const a = (await lines(join(dir, files[0] as string))).map((l) => JSON.parse(l));
    const b = (await lines(join(dir, files[1] as string))).map((l) => JSON.parse(l));
    expect(b[0].prev).toBe(a[a.length - 1].hash);
    expect(b[0].seq).toBe(a[a.length - 1].seq + 1);
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: true, records: 40, lastSeq: 40 });
    expect(report.files.map((f) => f.name)).toEqual(files);
  });

  it('rotates by age', async () => {
    const dir = await tmpDir();
    const log = await openAuditLog(dir, { maxFileAgeMs: 30 });
    await log.append(entry(1));
    await new Promise((r) => setTimeout(r, 60));
    await log.append(entry(2));
    expect(log.stats().file).toBe('audit-000002.jsonl');
    await log.close();
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 2, files: [{ records: 1 }, { records: 1 }] });
  });

  it('retention deletes the oldest files; verify says where it starts, which is not tampering', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 40, { maxFileBytes: 2000, retainFiles: 3 });
    const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
    expect(files).toHaveLength(3);
    const report = await verifyAuditLog(dir);
    expect(report.ok).toBe(true);
    expect(report.startsAfterRetention).toBe(true);
    expect(report.firstSeq).toBeGreaterThan(1);
    expect(report.lastSeq).toBe(40);
    expect(report.findings.map((f) => f.kind)).toEqual(['retention']);
    expect(report.findings[0]?.message).toContain(`starts at seq ${report.firstSeq}`);
  });

  it('with a key: HMAC chain; verifying needs the same key; the key file is 0600', async () => {
    const dir = await tmpDir();
    const keyDir = await tmpDir('key');
    const { key, created } = await loadAuditKey(join(keyDir, 'audit.key'), { create: true });
    expect(created).toBe(true);
    expect((await import('node:fs')).statSync(join(keyDir, 'audit.key')).mode & 0o777).toBe(0o600);
    expect((await loadAuditKey(join(keyDir, 'audit.key'), { create: true })).key).toEqual(key);
    await writeLog(dir, 5, { key });
    const first = JSON.parse((await lines(join(dir, 'audit-000001.jsonl')))[0] as string);
    expect(first.alg).toBe('hmac-sha256');
    expect((await verifyAuditLog(dir, { key })).ok).toBe(true);
    const wrong = await verifyAuditLog(dir, { key: Buffer.alloc(32, 7) });
    expect(wrong.ok).toBe(false);
    expect(wrong.findings[0]).toMatchObject({ kind: 'edited', file: 'audit-000001.jsonl', line: 1, seq: 1 });
    await expect(verifyAuditLog(dir)).rejects.toMatchObject({ code: 'USAGE' });
    // Opening a keyed log without its key would fork the chain: refused.
    await expect(openAuditLog(dir)).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('one writer per directory', async () => {
    const dir = await tmpDir();
    const log = await openAuditLog(dir);
    const second = await openAuditLog(dir).catch((e: unknown) => e);
    expect(isPortcullisError(second, 'USAGE')).toBe(true);
    await log.close();
    const again = await openAuditLog(dir);
    await again.close();
  });

  it('a forwarder that throws never fails an append', async () => {
    const dir = await tmpDir();
    const bad: Forwarder = {
      id: 'bad',
      send() {
        throw new Error('boom');
      },
      stats: () => ({ id: 'bad', queued: 0, sent: 0, dropped: 0, failures: 0 }),
      close: async () => undefined,
    };
    const log = await openAuditLog(dir, { forwarders: [bad] });
    await log.append(entry(1));
    await log.append(entry(2));
    await log.close();
    expect((await verifyAuditLog(dir)).records).toBe(2);
  });

  it('shortens oversized fields so every record stays far below the verifier\'s line limit', async () => {
    const dir = await tmpDir();
    const huge = '\u0001'.repeat(200_000);
    await writeLog(dir, 0);
    const log = await openAuditLog(dir);
    await log.append(entry(1, { uri: huge, reason: huge, user: huge, method: huge, action: huge, object: huge, rule: huge, groups: Array.from({ length: 1000 }, () => huge) }));
    await log.close();
    const text = await readFile(join(dir, 'audit-000001.jsonl'), 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThan(512 * 1024);
    const rec = JSON.parse(text);
    expect(rec.uri).toMatch(/…\[\+195904 chars\]$/);
    expect(rec.groups).toHaveLength(257);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 1 });
  });

  it('append after close is refused with a coded error', async () => {
    const dir = await tmpDir();
    const log = await openAuditLog(dir);
    await log.close();
    await expect(log.append(entry(1))).rejects.toMatchObject({ code: 'OUTPUT_WRITE' });
    expect((await verifyAuditLog(dir)).findings.filter(isTamper)).toEqual([]);
  });
});
