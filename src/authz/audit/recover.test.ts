import { appendFile, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTamper } from './findings.js';
import { openAuditLog } from './log.js';
import { entry, lines, removeTmpDirs, tmpDir, writeLines, writeLog } from './testdata/fixtures.js';
import { verifyAuditLog } from './verify.js';

/** Opening an existing log: continue the chain, cut a torn tail, never silently skip a bad tail. */
const F1 = 'audit-000001.jsonl';
const F2 = 'audit-000002.jsonl';
afterAll(removeTmpDirs);

async function reopenAndAppend(dir: string, i: number) {
  const log = await openAuditLog(dir);
  await log.append(entry(i));
  const { findings } = log;
  const stats = log.stats();
  await log.close();
  return { findings, stats };
}

describe('opening a log after a crash', () => {
  it('cuts a torn last line, keeps a copy of its bytes, and continues the chain', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 5);
    const torn = '{"action":"container.create","alg":"sha2';
    await appendFile(join(dir, F1), torn);
    const size = (await readFile(join(dir, F1))).length - torn.length;
    const { findings, stats } = await reopenAndAppend(dir, 6);
    expect(findings).toEqual([expect.objectContaining({ kind: 'torn-tail', file: F1 })]);
    expect(await readFile(join(dir, `${F1}.torn-${size}`), 'utf8')).toBe(torn);
    expect(stats).toMatchObject({ seq: 6, file: F1 });
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 6, findings: [] });
  });

  it('cuts a tail of zeros (blocks allocated but never written)', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 3);
    await appendFile(join(dir, F1), Buffer.alloc(3 * 1024 * 1024));
    const { findings } = await reopenAndAppend(dir, 4);
    expect(findings.map((f) => f.kind)).toEqual(['torn-tail']);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 4 });
  });

  it('continues in an empty file left by a crash right after rotation', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 4);
    await writeFile(join(dir, F2), '');
    const { findings, stats } = await reopenAndAppend(dir, 5);
    expect(findings).toEqual([]);
    expect(stats).toMatchObject({ file: F2, seq: 5 });
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 5 });
  });

  it('accepts a HEAD that lags the log (written after the answer, lost in a crash)', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 5);
    const oldHead = await readFile(join(dir, 'HEAD'));
    await writeLog(dir, 3, {}, 6);
    await writeFile(join(dir, 'HEAD'), oldHead);
    expect((await verifyAuditLog(dir)).ok).toBe(true);
    const { findings, stats } = await reopenAndAppend(dir, 9);
    expect(findings).toEqual([]);
    expect(stats.seq).toBe(9);
  });
});

describe('opening a log whose tail does not verify', () => {
  it('an edited last record: a new file starts with a chain-break record, and verify reports both', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 6);
    const ls = await lines(join(dir, F1));
    ls[5] = (ls[5] as string).replace('"user":"alice"', '"user":"mallory"');
    await writeLines(join(dir, F1), ls);
    const { findings, stats } = await reopenAndAppend(dir, 7);
    expect(findings).toEqual([expect.objectContaining({ kind: 'chain-break', file: F2, line: 1, seq: 7 })]);
    expect(stats).toMatchObject({ file: F2, seq: 8 });
    const first = JSON.parse((await lines(join(dir, F2)))[0] as string);
    expect(first).toMatchObject({ kind: 'chain-break', seq: 7 });
    expect(first.reason).toContain('seq 6');
    const report = await verifyAuditLog(dir);
    expect(report.ok).toBe(false);
    expect(report.findings.filter(isTamper).map((f) => [f.kind, f.file, f.line])).toEqual([
      ['edited', F1, 6],
      ['chain-break', F2, 1],
    ]);
    // The break is recorded once: opening again continues the new chain.
    const again = await reopenAndAppend(dir, 8);
    expect(again.findings).toEqual([]);
    expect(again.stats).toMatchObject({ file: F2, seq: 9 });
  });

  it('records cut from the tail (HEAD is ahead)', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 6);
    await writeLines(join(dir, F1), (await lines(join(dir, F1))).slice(0, 4));
    const { findings } = await reopenAndAppend(dir, 7);
    expect(findings[0]?.message).toContain('HEAD records seq 6');
    const report = await verifyAuditLog(dir);
    expect(report.findings.find(isTamper)).toMatchObject({ kind: 'chain-break', file: F2, line: 1, seq: 7 });
  });

  it('HEAD removed', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 3);
    await unlink(join(dir, 'HEAD'));
    const { findings } = await reopenAndAppend(dir, 4);
    expect(findings[0]).toMatchObject({ kind: 'chain-break', message: expect.stringContaining('HEAD is missing') });
  });

  it('every log file removed, HEAD kept: the new chain continues HEAD\'s numbering', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 30, { maxFileBytes: 1500 });
    const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
    for (const f of files) await unlink(join(dir, f));
    const { findings, stats } = await reopenAndAppend(dir, 31);
    expect(findings[0]?.message).toContain('HEAD records seq 30');
    expect(stats.seq).toBe(32);
    expect(Number(stats.file.slice(6, 12))).toBe(files.length + 1);
    expect((await verifyAuditLog(dir)).findings.find(isTamper)).toMatchObject({ kind: 'chain-break', seq: 31 });
  });
});
