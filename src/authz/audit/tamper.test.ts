import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTamper } from './findings.js';
import { copyLog, lines, removeTmpDirs, tmpDir, writeLines, writeLog } from './testdata/fixtures.js';
import { type VerifyReport, verifyAuditLog } from './verify.js';

/** The first tampering finding of a report, which is what `audit verify` names. */
const firstBad = (r: VerifyReport) => r.findings.find(isTamper);
const F1 = 'audit-000001.jsonl';
let pristine: string;

beforeAll(async () => {
  pristine = await tmpDir();
  await writeLog(pristine, 8);
});
afterAll(removeTmpDirs);

describe('verify detects every single-byte change', () => {
  it('in several records at several positions, with several kinds of change', async () => {
    const original = await readFile(join(pristine, F1));
    const ls = await lines(join(pristine, F1));
    const starts: number[] = [];
    let off = 0;
    for (const l of ls) {
      starts.push(off);
      off += Buffer.byteLength(l) + 1;
    }
    let cases = 0;
    for (const rec of [0, 3, 7]) {
      const len = Buffer.byteLength(ls[rec] as string);
      // First and last byte, inside a key, a value, the hash, and the newline itself.
      for (const pos of [0, 1, 9, Math.floor(len / 3), Math.floor(len / 2), len - 10, len - 1, len]) {
        for (const change of [(b: number) => b ^ 0x01, (b: number) => b ^ 0x20, (b: number) => b ^ 0x80, () => 0x30]) {
          const bytes = Buffer.from(original);
          const at = (starts[rec] as number) + pos;
          const changed = change(bytes[at] as number);
          if (changed === bytes[at]) continue;
          bytes[at] = changed;
          const dir = await copyLog(pristine);
          await writeFile(join(dir, F1), bytes);
          const report = await verifyAuditLog(dir);
          cases++;
          const bad = firstBad(report);
          expect(report.ok, `record ${rec + 1} byte ${pos}`).toBe(false);
          // (A changed final newline makes the last record look torn: HEAD then shows it cut, at the same line.)
          expect(bad?.file, `record ${rec + 1} byte ${pos}`).toBe(F1);
          expect(bad?.line, `record ${rec + 1} byte ${pos}`).toBe(rec + 1);
        }
      }
    }
    expect(cases).toBeGreaterThan(80);
  });
});

describe('verify detects structural tampering with the right location', () => {
  it('a removed record: the next one is reported, with its seq', async () => {
    const dir = await copyLog(pristine);
    const ls = await lines(join(dir, F1));
    await writeLines(join(dir, F1), [...ls.slice(0, 4), ...ls.slice(5)]);
    const bad = firstBad(await verifyAuditLog(dir));
    expect(bad).toMatchObject({ kind: 'sequence', file: F1, line: 5, seq: 6 });
    expect(bad?.message).toContain('1 record(s) missing');
  });

  it('two swapped records', async () => {
    const dir = await copyLog(pristine);
    const ls = await lines(join(dir, F1));
    [ls[2], ls[3]] = [ls[3] as string, ls[2] as string];
    await writeLines(join(dir, F1), ls);
    const report = await verifyAuditLog(dir);
    expect(firstBad(report)).toMatchObject({ kind: 'sequence', file: F1, line: 3, seq: 4 });
    expect(report.findings.filter(isTamper).map((f) => f.line)).toEqual([3, 4, 5]);
  });

  it('a record replaced by a valid record (same seq) from another log', async () => {
    const other = await tmpDir();
    await writeLog(other, 8, {}, 50);
    const dir = await copyLog(pristine);
    const ls = await lines(join(dir, F1));
    ls[4] = (await lines(join(other, F1)))[4] as string;
    await writeLines(join(dir, F1), ls);
    const report = await verifyAuditLog(dir);
    expect(report.findings.filter(isTamper).map((f) => [f.kind, f.line, f.seq])).toEqual([
      ['link', 5, 5],
      ['link', 6, 6],
    ]);
  });

  it('records cut from the tail: HEAD still names the last seq', async () => {
    const dir = await copyLog(pristine);
    const ls = await lines(join(dir, F1));
    await writeLines(join(dir, F1), ls.slice(0, 5));
    const report = await verifyAuditLog(dir);
    expect(report.lastSeq).toBe(5);
    expect(firstBad(report)).toMatchObject({ kind: 'truncated', file: F1, line: 6, seq: 6 });
    expect(firstBad(report)?.message).toContain('3 record(s) cut from the tail');
  });

  it('a rotated file removed from the middle', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 30, { maxFileBytes: 1500 });
    const before = await verifyAuditLog(dir);
    expect(before.ok).toBe(true);
    const [, second, third] = before.files;
    await unlink(join(dir, second?.name as string));
    const bad = firstBad(await verifyAuditLog(dir));
    expect(bad).toMatchObject({ kind: 'missing-file', file: third?.name, line: 1 });
    const all = (await verifyAuditLog(dir)).findings.filter(isTamper);
    expect(all[1]).toMatchObject({ kind: 'sequence', file: third?.name, line: 1, seq: third?.firstSeq });
  });

  it('rotated files renamed to hide a removed one: the chain still breaks', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 30, { maxFileBytes: 1500 });
    const { files } = await verifyAuditLog(dir);
    await unlink(join(dir, files[1]?.name as string));
    for (let i = 2; i < files.length; i++) await rename(join(dir, files[i]?.name as string), join(dir, files[i - 1]?.name as string));
    const bad = firstBad(await verifyAuditLog(dir));
    expect(bad).toMatchObject({ kind: 'sequence', file: files[1]?.name, line: 1, seq: files[2]?.firstSeq });
  });

  it('an edited HEAD, a HEAD from an earlier state, a missing HEAD', async () => {
    const dir = await copyLog(pristine);
    const head = await readFile(join(dir, 'HEAD'));
    head[40] = (head[40] as number) ^ 1;
    head[256 + 40] = (head[256 + 40] as number) ^ 1;
    await writeFile(join(dir, 'HEAD'), head);
    expect(firstBad(await verifyAuditLog(dir))).toMatchObject({ kind: 'head', file: 'HEAD' });

    // HEAD of another log whose seq 8 has another hash.
    const other = await tmpDir();
    await writeLog(other, 8, {}, 100);
    await writeFile(join(dir, 'HEAD'), await readFile(join(other, 'HEAD')));
    expect(firstBad(await verifyAuditLog(dir))).toMatchObject({ kind: 'head', file: 'HEAD', seq: 8 });

    await unlink(join(dir, 'HEAD'));
    expect(firstBad(await verifyAuditLog(dir))).toMatchObject({ kind: 'head', file: 'HEAD', message: expect.stringContaining('missing') });
  });

  it('a torn last line (crash mid-write) is reported as such, not as tampering', async () => {
    const dir = await copyLog(pristine);
    const text = await readFile(join(dir, F1), 'utf8');
    await writeFile(join(dir, F1), `${text}{"action":"container.cre`);
    const report = await verifyAuditLog(dir);
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'torn-tail', file: F1, line: 9 })]);
  });

  it('a torn line that hides cut records is still caught by HEAD', async () => {
    const dir = await copyLog(pristine);
    const ls = await lines(join(dir, F1));
    await writeFile(join(dir, F1), `${ls.slice(0, 6).join('\n')}\n${(ls[6] as string).slice(0, 30)}`);
    const report = await verifyAuditLog(dir);
    expect(report.findings.map((f) => f.kind)).toEqual(['torn-tail', 'truncated']);
    expect(firstBad(report)).toMatchObject({ kind: 'truncated', file: F1, line: 7, seq: 7 });
  });
});
