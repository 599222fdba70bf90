import { resolve } from 'node:path';
import { loadAuditKey } from '../../authz/audit/key.js';
import { describeFinding, isTamper } from '../../authz/audit/findings.js';
import { type VerifyReport, verifyAuditLog } from '../../authz/audit/verify.js';
import { PortcullisError } from '../../core/errors.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, type OptionSpec, parseOptions } from '../options.js';

/** `portcullis audit verify <dir>`: checks the authorization plugin's audit log. */

const VERIFY_OPTIONS: readonly OptionSpec[] = [
  { name: 'key', type: 'string', arg: 'FILE', env: 'PORTCULLIS_AUDIT_KEY', help: 'the log\'s HMAC key file (32 bytes); needed for a keyed log' },
  { name: 'json', type: 'boolean', help: 'print the verification report as JSON' },
  ...COMMON_OPTIONS,
];

const VERIFY_USAGE = `Usage: portcullis audit verify <dir> [--key FILE] [--json]

Checks every record of the audit log in <dir>: its hash (HMAC with --key), the sequence
numbers and the chain across rotated files, and HEAD (records cut from the tail). Exits 0 and
prints a summary when the log verifies; otherwise AUDIT_TAMPERED names the file, line and
sequence number of the first bad record.`;

const USAGE = `Usage: portcullis audit <command> [options]

Commands:
  verify   check the audit log's hash chain (edited, removed, reordered or cut records)
`;

export async function auditCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'verify') return verifyCommand(rest, io);
  if (!sub || sub === '--help' || sub === '-h') {
    io.stdout.write(USAGE);
    return sub ? 0 : 2;
  }
  throw new PortcullisError('USAGE', `unknown audit command "${sub}"\n${USAGE}`);
}

async function verifyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, VERIFY_OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText(VERIFY_USAGE, VERIFY_OPTIONS));
    return 0;
  }
  if (positionals.length !== 1) throw new PortcullisError('USAGE', 'audit verify takes exactly one directory (see portcullis audit verify --help)');
  const dir = resolve(io.cwd, positionals[0] as string);
  const key = typeof values.key === 'string' ? (await loadAuditKey(resolve(io.cwd, values.key))).key : undefined;
  const report = await verifyAuditLog(dir, key ? { key } : {});
  if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printReport(report, io);
  const first = report.findings.find(isTamper);
  if (report.ok) return 0;
  throw new PortcullisError('AUDIT_TAMPERED', first ? describeFinding(first) : `${report.tamperCount} problem(s) in ${dir}`, {
    path: dir,
    ...(first?.file !== undefined ? { file: first.file } : {}),
    ...(first?.line !== undefined ? { line: first.line } : {}),
    ...(first?.seq !== undefined ? { seq: first.seq } : {}),
  });
}

function printReport(r: VerifyReport, io: CliIo): void {
  for (const f of r.findings) io.stderr.write(`${isTamper(f) ? 'tampered' : 'note'}: ${describeFinding(f)}\n`);
  if (r.tamperCount > r.findings.filter(isTamper).length) io.stderr.write(`… ${r.tamperCount - r.findings.filter(isTamper).length} more\n`);
  const range = r.firstSeq !== undefined ? `, seq ${r.firstSeq}–${r.lastSeq}` : '';
  const chain = r.alg === 'hmac-sha256' ? 'HMAC-SHA-256 chain' : 'SHA-256 chain (no key: anyone who can write the log can rewrite it)';
  const head = r.head ? `; HEAD at seq ${r.head.seq}` : '';
  const verdict = r.ok ? 'verified' : `does NOT verify (${r.tamperCount} problem(s))`;
  io.stdout.write(`audit log ${r.dir} ${verdict}: ${r.records} record(s) in ${r.files.length} file(s)${range}, ${chain}${head}\n`);
}
