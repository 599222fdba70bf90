import { execFile, spawn } from 'node:child_process';

/** Options shared by the process helpers. */
export interface ExecOptions {
  /** Bytes written to the child's stdin, then closed. */
  readonly input?: string | Buffer;
  readonly cwd?: string;
  /** Extra environment variables, merged over process.env. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the child after this many ms (default 10 minutes: debootstrap and docker build are slow). */
  readonly timeoutMs?: number;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Error thrown when a command exits non-zero; carries the child's stderr so test failures say why. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command} failed (exit ${String(exitCode)}): ${stderr.trim() || stdout.trim().slice(-2000)}`);
    this.name = 'CommandError';
  }
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
// `docker history`, `dpkg-query` and friends print a few hundred KiB at most; 256 MiB is a guard, not a budget.
const MAX_BUFFER = 256 * 1024 * 1024;

function describe(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].join(' ');
}

/** execFile without a shell; resolves with both streams, rejects with a CommandError carrying stderr. */
export function exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      [...args],
      {
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBuffer: MAX_BUFFER,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
        const why = err.killed ? `${stderr}\n(killed after timeout or signal ${String(err.signal)})` : stderr;
        reject(new CommandError(describe(cmd, args), code, stdout, why || err.message));
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/**
 * Runs `from | to` without a shell (e.g. `docker export C | tar -x`), so large streams never
 * pass through Node's memory. Rejects when either side fails, naming the failing side.
 */
export function pipe(from: readonly [string, ...string[]], to: readonly [string, ...string[]], opts: ExecOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...opts.env };
    const a = spawn(from[0], from.slice(1), { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const b = spawn(to[0], to.slice(1), { cwd: opts.cwd, env, stdio: ['pipe', 'ignore', 'pipe'] });
    const errs = { a: '', b: '' };
    a.stderr.on('data', (d: Buffer) => (errs.a += d.toString()));
    b.stderr.on('data', (d: Buffer) => (errs.b += d.toString()));
    a.stdout.pipe(b.stdin);
    // EPIPE on b.stdin when `to` dies early is reported through b's exit code instead.
    b.stdin.on('error', () => {});
    const timer = setTimeout(() => {
      a.kill('SIGKILL');
      b.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let pending = 2;
    let failure: Error | undefined;
    const finished = { a: false, b: false };
    // Node may emit 'error' and then 'close' for a child that failed to spawn: count each side once.
    const done = (side: 'a' | 'b', err: Error | undefined) => {
      if (finished[side]) return;
      finished[side] = true;
      failure ??= err;
      pending -= 1;
      if (pending > 0) return;
      clearTimeout(timer);
      if (failure) reject(failure);
      else resolve();
    };
    const exitError = (side: 'a' | 'b', argv: readonly string[], code: number | null, signal: NodeJS.Signals | null) =>
      code === 0 && !signal ? undefined : new CommandError(argv.join(' '), code ?? signal, '', errs[side]);
    a.on('error', (e) => {
      b.stdin.destroy();
      done('a', e);
    });
    b.on('error', (e) => {
      a.kill('SIGKILL');
      done('b', e);
    });
    a.on('close', (code, signal) => done('a', exitError('a', from, code, signal)));
    b.on('close', (code, signal) => done('b', exitError('b', to, code, signal)));
  });
}
