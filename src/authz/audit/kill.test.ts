import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuditLog } from './log.js';
import { entry, lines, removeTmpDirs, tmpDir } from './testdata/fixtures.js';
import { verifyAuditLog } from './verify.js';

/**
 * A real process appends with many appends in flight and prints each one the moment its
 * promise resolves; it is SIGKILLed while doing so. Every record it acknowledged must be in
 * the log, and the log must verify and open again.
 */
const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
afterAll(removeTmpDirs);

function runAndKill(dir: string, inFlight: number, prefix: string, killAfterAcks: number): Promise<{ acked: number[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', join(testdata, 'ts-register.mjs'), join(testdata, 'append-child.ts'), dir, String(inFlight), prefix], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not reach ${killAfterAcks} acks in time: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) if (p.startsWith('acked ')) acked.push(Number(p.slice(6)));
      if (!killed && acked.length >= killAfterAcks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      // Lines the child wrote before it died may still arrive on the pipe: they count as acknowledged.
      for (const p of buffered.split('\n')) if (p.startsWith('acked ')) acked.push(Number(p.slice(6)));
      resolve({ acked, signal });
    });
  });
}

describe('SIGKILL after answering', () => {
  it('loses no acknowledged record; the log verifies and opens again', async () => {
    const dir = await tmpDir('audit-kill');
    // [appends in flight, acks before the kill]
    const rounds: [number, number][] = [[16, 300], [1, 60], [64, 300]];
    for (const [round, [inFlight, acks]] of rounds.entries()) {
      const prefix = `round${round}`;
      const { acked, signal } = await runAndKill(dir, inFlight, prefix, acks);
      expect(signal).toBe('SIGKILL');
      expect(acked.length).toBeGreaterThanOrEqual(acks);
      const report = await verifyAuditLog(dir);
      expect(report.ok, JSON.stringify(report.findings)).toBe(true);
      const objects = new Set<string>();
      for (const f of (await readdir(dir)).filter((n) => n.endsWith('.jsonl'))) for (const l of await lines(join(dir, f))) objects.add(JSON.parse(l).object);
      expect(acked.filter((i) => !objects.has(`${prefix}-${i}`))).toEqual([]);
      // Opening again continues the chain: no break (a torn tail, if the kill cut a write, is cut off).
      const log = await openAuditLog(dir);
      expect(log.findings.filter((f) => f.kind !== 'torn-tail')).toEqual([]);
      await log.append(entry(0, { object: `after-kill-${round}` }));
      await log.close();
    }
    expect((await verifyAuditLog(dir)).ok).toBe(true);
  });
});
