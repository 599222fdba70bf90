import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAuditKey } from '../../authz/audit/key.js';
import { lines, removeTmpDirs, tmpDir, writeLines, writeLog } from '../../authz/audit/testdata/fixtures.js';
import { ERROR_CATALOGUE, formatError, toPortcullisError } from '../../core/errors.js';
import type { CliIo } from '../io.js';
import { auditCommand } from './audit.js';

afterAll(removeTmpDirs);

/** `portcullis audit …` in-process, errors translated the way run() translates them. */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env, cwd: process.cwd() };
  let code: number;
  try {
    code = await auditCommand(argv, io);
  } catch (err) {
    const e = toPortcullisError(err);
    stderr += `error: ${formatError(e)}\n`;
    code = e.exitCode;
  }
  return { code, stdout, stderr };
}

describe('portcullis audit verify', () => {
  it('exits 0 with a summary when the log verifies', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 12, { maxFileBytes: 2500 });
    const r = await cli(['verify', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`audit log ${dir} verified: 12 record\\(s\\) in \\d+ file\\(s\\), seq 1–12, SHA-256 chain`));
    expect(r.stdout).toContain('HEAD at seq 12');
    expect(r.stderr).toBe('');
  });

  it('exits with AUDIT_TAMPERED\'s code naming the file, line and seq of the first bad record', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 6);
    const f = join(dir, 'audit-000001.jsonl');
    const ls = await lines(f);
    ls[3] = (ls[3] as string).replace('"decision":"allow"', '"decision":"deny"');
    await writeLines(f, ls);
    const r = await cli(['verify', dir]);
    expect(r.code).toBe(ERROR_CATALOGUE.AUDIT_TAMPERED.exit);
    expect(r.stderr).toContain('tampered: audit-000001.jsonl line 4 (seq 4): the hash does not match the record (edited)');
    expect(r.stderr).toMatch(/error: \[AUDIT_TAMPERED\] audit-000001\.jsonl line 4 \(seq 4\).*\(path .*, file audit-000001\.jsonl, line 4, seq 4\)/);
    expect(r.stdout).toContain('does NOT verify (1 problem(s))');
  });

  it('verifies a keyed log with --key or PORTCULLIS_AUDIT_KEY; without the key it is a usage error', async () => {
    const dir = await tmpDir();
    const keyFile = join(await tmpDir('key'), 'audit.key');
    const { key } = await loadAuditKey(keyFile, { create: true });
    await writeLog(dir, 3, { key });
    expect((await cli(['verify', dir, '--key', keyFile])).stdout).toContain('HMAC-SHA-256 chain');
    expect((await cli(['verify', dir], { PORTCULLIS_AUDIT_KEY: keyFile })).code).toBe(0);
    const r = await cli(['verify', dir]);
    expect(r.code).toBe(ERROR_CATALOGUE.USAGE.exit);
    expect(r.stderr).toContain('--key');
  });

  it('--json prints the report; a torn tail is a note, not a failure', async () => {
    const dir = await tmpDir();
    await writeLog(dir, 2);
    await writeFile(join(dir, 'audit-000001.jsonl'), `${(await lines(join(dir, 'audit-000001.jsonl'))).join('\n')}\n{"torn`);
    const r = await cli(['verify', dir, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, records: 2, findings: [{ kind: 'torn-tail', line: 3 }] });
  });

  it('hostile or wrong arguments give coded errors', async () => {
    const empty = await tmpDir();
    expect((await cli(['verify', empty])).stderr).toContain('[USAGE]');
    expect((await cli(['verify'])).code).toBe(ERROR_CATALOGUE.USAGE.exit);
    expect((await cli(['verify', empty, '--bogus'])).code).toBe(ERROR_CATALOGUE.USAGE.exit);
    expect((await cli(['frobnicate'])).code).toBe(ERROR_CATALOGUE.USAGE.exit);
    const help = await cli(['verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--key FILE');
  });
});
