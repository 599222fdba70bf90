import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { isTamper } from './findings.js';
import { openAuditLog } from './log.js';
import { copyLog, lines, removeTmpDirs, tmpDir, writeLines, writeLog } from './testdata/fixtures.js';
import { verifyAuditLog } from './verify.js';

/** Hostile input to verify and open: coded errors or findings, never a crash, a hang or unbounded memory. */
const F1 = 'audit-000001.jsonl';
afterAll(removeTmpDirs);

async function logWith(extra: (ls: string[]) => string[]): Promise<string> {
  const base = await tmpDir();
  await writeLog(base, 4);
  const dir = await copyLog(base);
  await writeLines(join(dir, F1), extra(await lines(join(dir, F1))));
  return dir;
}

describe('verify on hostile input', () => {
  it('garbage, non-JSON, JSON of the wrong shape, binary and empty lines are findings at their line', async () => {
    const junk = ['garbage', '{"v":1', '[1,2,3]', '{"v":1,"seq":3,"kind":"decision"}', '\u0000\u0001\u00ff', '', '{"__proto__":{"x":1}}'];
    for (const j of junk) {
      const dir = await logWith((ls) => [...ls.slice(0, 2), j, ...ls.slice(2)]);
      const report = await verifyAuditLog(dir);
      expect(report.ok, JSON.stringify(j)).toBe(false);
      expect(report.findings.find(isTamper), JSON.stringify(j)).toMatchObject({ kind: 'malformed', file: F1, line: 3 });
    }
  });

  it('a huge line is reported by length without being held in memory', async () => {
    const dir = await logWith((ls) => ls);
    const ls = await lines(join(dir, F1));
    await writeFile(join(dir, F1), `${ls.slice(0, 2).join('\n')}\n`);
    // 64 MiB without a newline, then the rest.
    const chunk = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 64; i++) await appendFile(join(dir, F1), chunk);
    await appendFile(join(dir, F1), `\n${ls.slice(2).join('\n')}\n`);
    const before = process.memoryUsage().rss;
    const report = await verifyAuditLog(dir);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 << 20);
    expect(report.findings.find(isTamper)).toMatchObject({ kind: 'oversized', file: F1, line: 3, message: expect.stringContaining(`${64 << 20} bytes`) });
    // The records after it are still checked, and only the inserted line is reported.
    expect(report.findings.filter(isTamper)).toHaveLength(1);
    expect(report.records).toBe(4);
  });

  it('a directory with no log, a missing directory, a file instead of a directory: USAGE errors', async () => {
    const empty = await tmpDir();
    for (const path of [empty, join(empty, 'nope'), join(empty, 'file')]) {
      if (path.endsWith('file')) await writeFile(path, 'x');
      const err = await verifyAuditLog(path).catch((e: unknown) => e);
      expect(isPortcullisError(err, 'USAGE'), path).toBe(true);
    }
  });

  it('a HEAD with no log files is reported as all records removed', async () => {
    const base = await tmpDir();
    await writeLog(base, 3);
    const dir = await tmpDir();
    await writeFile(join(dir, 'HEAD'), await readFile(join(base, 'HEAD')));
    expect((await verifyAuditLog(dir)).findings.find(isTamper)).toMatchObject({ kind: 'truncated', message: expect.stringContaining('3 record(s) cut') });
  });

  it('a HEAD of the wrong size or full of garbage is a finding', async () => {
    for (const head of [Buffer.from('garbage'), Buffer.alloc(512, 0x7b), Buffer.alloc(10 << 20)]) {
      const dir = await logWith((ls) => ls);
      await writeFile(join(dir, 'HEAD'), head);
      expect((await verifyAuditLog(dir)).findings.find(isTamper)).toMatchObject({ kind: 'head', file: 'HEAD' });
    }
  });

  it('a directory named like a log file is not read as one; an unreadable log file is a finding', async () => {
    const dir = await logWith((ls) => ls);
    await mkdir(join(dir, 'audit-000002.jsonl'));
    expect((await verifyAuditLog(dir)).ok).toBe(true);
    if (process.getuid?.() !== 0) {
      const { chmod } = await import('node:fs/promises');
      await chmod(join(dir, F1), 0);
      expect((await verifyAuditLog(dir)).findings.find(isTamper)).toMatchObject({ kind: 'unreadable', file: F1 });
    }
  });

  it('open refuses nothing silently: garbage as the whole log starts a new chain with a break record', async () => {
    const dir = await tmpDir();
    await writeFile(join(dir, F1), 'not a log\n\u0000\u0000\n');
    const log = await openAuditLog(dir);
    expect(log.findings.map((f) => f.kind)).toEqual(['chain-break']);
    await log.close();
    const report = await verifyAuditLog(dir);
    expect(report.findings.filter(isTamper).map((f) => [f.kind, f.line])).toEqual([
      ['malformed', 1],
      ['malformed', 2],
      ['chain-break', 1],
    ]);
  });
});
