import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli } from './cli.js';

/**
 * Runs the shell scripts of CI templates (deploy/ci) for real, with `portcullis` on PATH
 * being a shim that hands its argv, cwd and PORTCULLIS_* environment to this test process,
 * where the CLI runs in-process (runCli) on the sources under test. The script's quoting,
 * `${VAR:+…}` expansions, pipes and exit codes are therefore the shell's own.
 */

export interface ShimCall {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly code: number;
  readonly stderr: string;
  /** Flags the CLI does not know yet that were removed before running (see `unsupported`). */
  readonly stripped: readonly string[];
}

export interface CliShim {
  readonly binDir: string;
  readonly calls: ShimCall[];
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

/** Removes `--flag VALUE` / `--flag=VALUE` for each unsupported flag; returns what it removed. */
function strip(argv: readonly string[], unsupported: readonly string[]): { argv: string[]; stripped: string[] } {
  const out: string[] = [];
  const stripped: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const flag = unsupported.find((f) => a === f || a.startsWith(`${f}=`));
    if (!flag) out.push(a);
    else if (a === flag) stripped.push(a, argv[++i] ?? '');
    else stripped.push(a);
  }
  return { argv: out, stripped };
}

/**
 * Starts the in-process CLI behind a loopback HTTP endpoint and writes the `portcullis` shim.
 * `env` is what the CLI sees besides the PORTCULLIS_* variables the script exports.
 * Only `portcullis image …` is accepted: templates' install and database steps are not run.
 */
export async function startCliShim(dir: string, env: Readonly<Record<string, string>>, unsupported: readonly string[] = []): Promise<CliShim> {
  const calls: ShimCall[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', () => {
      void (async () => {
        const reply = (code: number, stdout: string, stderr: string) => res.end(JSON.stringify({ code, stdout, stderr }));
        try {
          const msg = JSON.parse(body) as { argv: string[]; cwd: string; env: Record<string, string> };
          if (msg.argv[0] !== 'image') return reply(99, '', `ci-shell: only "portcullis image" runs here, got ${JSON.stringify(msg.argv)}\n`);
          const { argv, stripped } = strip(msg.argv, unsupported);
          const r = await runCli(argv, { env: { ...msg.env, ...env }, cwd: msg.cwd });
          calls.push({ argv: msg.argv, cwd: msg.cwd, code: r.code, stderr: r.stderr, stripped });
          reply(r.code, r.stdout, r.stderr);
        } catch (err) {
          reply(98, '', `ci-shell: ${(err as Error).stack}\n`);
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const shim = join(binDir, 'portcullis');
  writeFileSync(
    shim,
    `#!${process.execPath}
(async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('PORTCULLIS_')));
  const res = await fetch('http://127.0.0.1:${port}/', { method: 'POST', body: JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env }) });
  const r = await res.json();
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
})().catch((e) => { process.stderr.write(String(e) + '\\n'); process.exitCode = 97; });
`,
  );
  chmodSync(shim, 0o755);
  return { binDir, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `script` with `shell` (e.g. `['bash', '-eo', 'pipefail']`) in `cwd`, with exactly `env`; killed after `timeoutMs`. */
export function runScript(shell: readonly string[], script: string, opts: { cwd: string; env: Readonly<Record<string, string>>; timeoutMs?: number }): Promise<ScriptResult> {
  const file = join(opts.cwd, `.ci-step-${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = shell;
    const child = spawn(cmd as string, [...args, file], { cwd: opts.cwd, env: { ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
