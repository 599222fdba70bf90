/**
 * Credentials baked into images (CIS Docker 4.10, NIST SP 800-190 §4.1.4): variable names and
 * file names that hold secrets by convention, and content markers that identify key material.
 * Only names and kinds are reported; a secret's value never leaves this module.
 */

const SECRET_NAME = /(^|_)(PASS|PASSWD|PASSWORD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|CREDENTIALS?|AUTH_?TOKEN|CLIENT_?SECRET)($|_)/i;
/** Variables that point at a secret instead of holding it (`POSTGRES_PASSWORD_FILE=/run/secrets/db`). */
const REFERENCE_NAME = /_(FILE|PATH|DIR|URL)$/i;

const VALUE_MARKERS: readonly { kind: string; re: RegExp }[] = [
  { kind: 'private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { kind: 'Slack token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
];

export interface NamedSecret {
  readonly name: string;
  readonly kind: string;
}

/** Kind of credential a value holds, if its content says so. */
export function secretValueKind(value: string): string | undefined {
  return VALUE_MARKERS.find((m) => m.re.test(value))?.kind;
}

function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !REFERENCE_NAME.test(name);
}

/** `NAME=value` pairs (ENV, build args) that carry a credential: by name with a value, or by content. */
export function secretAssignments(pairs: readonly string[]): NamedSecret[] {
  const out: NamedSecret[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq >= 0 ? pair.slice(0, eq) : pair;
    const value = eq >= 0 ? pair.slice(eq + 1) : '';
    const byContent = secretValueKind(value);
    if (byContent) out.push({ name, kind: byContent });
    else if (value.trim() !== '' && isSecretName(name)) out.push({ name, kind: 'secret-named variable' });
  }
  return out;
}

/**
 * Build arguments recorded by the classic builder: `|2 A=1 B=2 /bin/sh -c …`. Values with
 * spaces are not recoverable from that text; such pairs are cut at the space.
 */
export function buildArgsOf(createdBy: string): string[] {
  const m = /^\|(\d+) (.*)$/.exec(createdBy);
  if (!m) return [];
  return (m[2] as string).split(' ').slice(0, Number(m[1])).filter((p) => p.includes('='));
}

const FILE_RULES: readonly { kind: string; name: RegExp; content?: RegExp }[] = [
  { kind: 'SSH private key', name: /\/id_(rsa|dsa|ecdsa|ed25519)$/, content: /PRIVATE KEY-----/ },
  { kind: 'private key', name: /\.(pem|key|p8)$/, content: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { kind: 'dotenv file', name: /\/\.env(\.[A-Za-z0-9_-]+)?$/, content: /^\s*(?:export\s+)?[A-Za-z0-9_]*(PASS|SECRET|TOKEN|KEY)[A-Za-z0-9_]*\s*=\s*\S+/im },
  { kind: 'npm token', name: /\/\.npmrc$/, content: /_auth(Token)?\s*=\s*\S+/ },
  { kind: 'PyPI password', name: /\/\.pypirc$/, content: /^\s*password\s*[=:]\s*\S+/im },
  { kind: 'git credentials', name: /\/\.git-credentials$/, content: /:\/\/[^:\s]+:[^@\s]+@/ },
  { kind: 'netrc password', name: /\/\.netrc$/, content: /\bpassword\s+\S+/ },
  { kind: 'AWS credentials', name: /\/\.aws\/credentials$/, content: /aws_secret_access_key\s*=\s*\S+/i },
  { kind: 'Docker registry credentials', name: /\/\.docker\/config\.json$/, content: /"auth"\s*:\s*"[^"]+"/ },
];

/** Cheap, path-only: which files the image reader should capture (called for every path). */
export function wantsSecretFile(path: string): boolean {
  if (path.startsWith('/usr/share/') || path.startsWith('/proc/') || path.startsWith('/sys/')) return false;
  return FILE_RULES.some((r) => r.name.test(path));
}

/** The kind of credential a captured file holds, judged by its name and its content. */
export function findSecretInFile(path: string, content: Buffer): string | undefined {
  const text = content.toString('latin1');
  for (const r of FILE_RULES) if (r.name.test(path) && (!r.content || r.content.test(text))) return r.kind;
  return undefined;
}
