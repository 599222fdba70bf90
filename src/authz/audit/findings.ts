import { type Problem, problem } from '../../core/problem.js';

/** What verification (and opening) can find. The first group means the log was tampered with. */
export const TAMPER_KINDS = ['malformed', 'oversized', 'edited', 'sequence', 'link', 'chain-break', 'truncated', 'head', 'missing-file', 'unreadable'] as const;
/** Worth saying, but not tampering: a crash mid-write, retention, a loose key file. */
export const NOTICE_KINDS = ['torn-tail', 'retention', 'key-permissions'] as const;
export type FindingKind = (typeof TAMPER_KINDS)[number] | (typeof NOTICE_KINDS)[number];

export interface AuditFinding {
  readonly kind: FindingKind;
  readonly message: string;
  /** The log file's name inside the directory (audit-000003.jsonl, HEAD). */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
  readonly seq?: number;
}

export function isTamper(f: AuditFinding): boolean {
  return (TAMPER_KINDS as readonly string[]).includes(f.kind);
}

export function finding(kind: FindingKind, message: string, at: { file?: string | undefined; line?: number | undefined; seq?: number | undefined } = {}): AuditFinding {
  return {
    kind,
    message,
    ...(at.file !== undefined ? { file: at.file } : {}),
    ...(at.line !== undefined ? { line: at.line } : {}),
    ...(at.seq !== undefined ? { seq: at.seq } : {}),
  };
}

/** `audit-000002.jsonl line 17 (seq 517): message`. */
export function describeFinding(f: AuditFinding): string {
  const where = [f.file, f.line !== undefined ? `line ${f.line}` : undefined].filter(Boolean).join(' ');
  const seq = f.seq !== undefined ? ` (seq ${f.seq})` : '';
  return `${where}${seq}${where || seq ? ': ' : ''}${f.message}`;
}

/** Tampering as the shared Problem shape; notices are not problems. */
export function asProblem(f: AuditFinding): Problem {
  return problem('AUDIT_TAMPERED', describeFinding(f), f.file !== undefined ? { path: f.file, source: 'audit' } : { source: 'audit' });
}
