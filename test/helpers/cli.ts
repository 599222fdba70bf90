import { ERROR_CATALOGUE, type ErrorCode } from '../../src/core/errors.js';
import { type CliIo, run } from '../../src/cli/run.js';

/** What one in-process `portcullis …` invocation produced. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCliOptions {
  /** Variables the CLI sees; nothing else leaks in from the test runner's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

/**
 * Runs the CLI core `run(argv, io)` in-process with captured streams (the hono/fastify habit:
 * apps tested in-process). The environment is explicit so a developer's
 * PORTCULLIS_REGISTRY_* or DOCKER_HOST never changes a test's outcome.
 */
export async function runCli(argv: readonly string[], opts: RunCliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { HOME: process.env.HOME, PATH: process.env.PATH, ...opts.env },
    cwd: opts.cwd ?? process.cwd(),
  };
  const code = await run([...argv], io);
  return { code, stdout, stderr };
}

/** Error codes printed as `[CODE]` on stderr that exist in the catalogue, in order. */
export function codedErrors(stderr: string): ErrorCode[] {
  const codes: ErrorCode[] = [];
  for (const m of stderr.matchAll(/\[([A-Z_]+)\]/g)) {
    const code = m[1] as string;
    if (Object.hasOwn(ERROR_CATALOGUE, code)) codes.push(code as ErrorCode);
  }
  return codes;
}

/** The catalogue's exit code for `code`. */
export function exitCodeOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].exit;
}
