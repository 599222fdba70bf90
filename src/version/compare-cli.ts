import { StringDecoder } from 'node:string_decoder';
import { ERROR_CATALOGUE, formatError, PortcullisError } from '../core/errors.js';
import { compareChecked } from './checked.js';
import { SCHEMES, schemeById } from './registry.js';
import type { VersionScheme } from './types.js';

export interface VersionCompareIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly stdin?: AsyncIterable<string | Buffer>;
}

/** Longest stdin line we keep in memory; longer ones are reported and skipped. */
export const MAX_LINE_LENGTH = 64 * 1024;

const USAGE = `usage: portcullis version compare <scheme> <A> <B>
       portcullis version compare <scheme> --stdin    (one "A B" pair per line)
Prints -1, 0 or 1 (A older, equal, newer). Schemes: ${SCHEMES.map((s) => s.id).join(', ')}.
`;

function usage(io: VersionCompareIo, message: string): number {
  io.stderr.write(`${formatError(new PortcullisError('USAGE', message))}\n${USAGE}`);
  return ERROR_CATALOGUE.USAGE.exit;
}

/**
 * `portcullis version compare`: argv is what follows `version compare`. Invalid versions are
 * refused (exit 1), not silently ordered. With --stdin every line gets one output line: the
 * result, or `error` (with the line number and reason on stderr); the exit code is 1 when any
 * line failed.
 */
export async function versionCompareCommand(argv: readonly string[], io: VersionCompareIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  const stdin = argv.includes('--stdin');
  const args = argv.filter((a) => a !== '--stdin');
  const unknown = args.find((a) => a.startsWith('--'));
  if (unknown !== undefined) return usage(io, `unknown option ${unknown}`);
  const [id, ...versions] = args;
  if (id === undefined) return usage(io, 'missing <scheme>');
  const scheme = schemeById(id);
  if (scheme === undefined) return usage(io, `unknown version scheme "${id}"`);
  if (stdin) {
    if (versions.length > 0) return usage(io, '--stdin takes no versions on the command line');
    if (io.stdin === undefined) return usage(io, '--stdin given but no standard input is available');
    return compareLines(scheme, io.stdin, io);
  }
  if (versions.length !== 2) return usage(io, `expected two versions, got ${versions.length}`);
  const r = compareChecked(scheme, versions[0] as string, versions[1] as string);
  if (!r.ok) {
    io.stderr.write(`error: ${r.reason}\n`);
    return 1;
  }
  io.stdout.write(`${r.result}\n`);
  return 0;
}

async function compareLines(scheme: VersionScheme, input: AsyncIterable<string | Buffer>, io: VersionCompareIo): Promise<number> {
  let failed = false;
  let lineNo = 0;
  const answer = (line: string | undefined): void => {
    lineNo++;
    const fail = (reason: string): void => {
      failed = true;
      io.stdout.write('error\n');
      io.stderr.write(`line ${lineNo}: ${reason}\n`);
    };
    if (line === undefined) {
      fail(`longer than ${MAX_LINE_LENGTH} characters`);
      return;
    }
    const fields = line.trim().split(/\s+/).filter((f) => f !== '');
    if (fields.length === 0) return; // blank lines are skipped, but still counted
    if (fields.length !== 2) {
      fail(`expected "A B", got ${fields.length} field(s)`);
      return;
    }
    const r = compareChecked(scheme, fields[0] as string, fields[1] as string);
    if (r.ok) io.stdout.write(`${r.result}\n`);
    else fail(r.reason);
  };
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let tooLong = false; // the current line overflowed: drop it up to its newline
  const feed = (text: string): void => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      answer(tooLong || pending.length + piece.length > MAX_LINE_LENGTH ? undefined : pending + piece);
      pending = '';
      tooLong = false;
      start = nl + 1;
    }
    if (tooLong) return;
    pending += text.slice(start);
    if (pending.length > MAX_LINE_LENGTH) {
      pending = '';
      tooLong = true;
    }
  };
  for await (const chunk of input) feed(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  feed(decoder.end());
  if (tooLong || pending !== '') answer(tooLong ? undefined : pending);
  return failed ? 1 : 0;
}
