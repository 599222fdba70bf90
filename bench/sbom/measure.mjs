// Runs one command under GNU time and returns wall time (process.hrtime), peak RSS
// ("Maximum resident set size" of `/usr/bin/time -v`, in KiB on Linux) and CPU time (user +
// system seconds, all threads: on a shared machine it moves less with the load than wall time).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TIME = '/usr/bin/time';

/** @returns {Promise<{ ms: number, rssMB: number, cpuMs: number, code: number, stdout: string, stderr: string }>} */
export async function measure(cmd, args, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pc-bench-time-'));
  const timeOut = join(dir, 'time.txt');
  try {
    const start = process.hrtime.bigint();
    const { code, stdout, stderr } = await run(TIME, ['-v', '-o', timeOut, cmd, ...args], opts);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const report = readFileSync(timeOut, 'utf8');
    const rss = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(report);
    const user = /User time \(seconds\):\s*([\d.]+)/.exec(report);
    const sys = /System time \(seconds\):\s*([\d.]+)/.exec(report);
    const cpuMs = user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : Number.NaN;
    // GNU time reports a failed command's status on the first line and still exits with it.
    return { ms, rssMB: rss ? Number(rss[1]) / 1024 : Number.NaN, cpuMs, code, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a command, keeping the last 64 KiB of stdout and stderr. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    const keep = (s, c) => (s + c).slice(-65536);
    child.stdout.on('data', (c) => (stdout = keep(stdout, c)));
    child.stderr.on('data', (c) => (stderr = keep(stderr, c)));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
