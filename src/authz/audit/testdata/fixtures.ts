import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '../../types.js';
import { type AuditLogOptions, openAuditLog } from '../log.js';

/** A decision as the plugin would log it; `i` makes each one recognisable. */
export function entry(i: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    phase: i % 2 === 0 ? 'request' : 'response',
    user: i % 3 === 0 ? 'alice' : 'bob',
    groups: ['developers', `team-${i % 4}`],
    method: 'POST',
    uri: `/v1.47/containers/create?name=c${i}`,
    action: 'container.create',
    object: `req-${i}`,
    decision: i % 5 === 0 ? 'deny' : 'allow',
    rule: i % 5 === 0 ? 'fail-closed: privileged' : 'role developer: container.create',
    reason: i % 5 === 0 ? 'privileged containers are not allowed for developers' : 'allowed',
    ...(i % 2 === 1 ? { status: 201 } : {}),
    ...over,
  };
}

const made: string[] = [];

export async function tmpDir(prefix = 'audit'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `portcullis-${prefix}-`));
  made.push(d);
  return d;
}

export async function removeTmpDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Writes `n` records (sequentially, one batch each unless `concurrent`) and closes the log. */
export async function writeLog(dir: string, n: number, opts: AuditLogOptions = {}, from = 1): Promise<void> {
  const log = await openAuditLog(dir, opts);
  for (let i = from; i < from + n; i++) await log.append(entry(i));
  await log.close();
}

export async function copyLog(dir: string): Promise<string> {
  const to = await tmpDir('audit-copy');
  await cp(dir, to, { recursive: true });
  return to;
}

/** The lines of a log file, without the final empty string after the last newline. */
export async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').slice(0, -1);
}

export async function writeLines(path: string, ls: readonly string[]): Promise<void> {
  await writeFile(path, ls.map((l) => `${l}\n`).join(''));
}
