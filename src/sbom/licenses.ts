import { SPDX_EXCEPTION_IDS, SPDX_LICENSE_IDS } from './spdx-license-ids.js';

/**
 * What one license string from a package database is, for SBOM encoders:
 * - `id`: a single SPDX License List identifier (canonical case), e.g. `MIT`;
 * - `expression`: a compound SPDX license expression (canonical form), e.g. `Apache-2.0 OR MIT`;
 * - `name`: anything else, kept as written (`public-domain`, free text).
 * Expression syntax: SPDX 2.3 Annex D, https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/
 */
export type LicenseInfo =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'expression'; readonly expression: string }
  | { readonly kind: 'name'; readonly name: string };

const LICENSES = new Map(SPDX_LICENSE_IDS.map((id) => [id.toLowerCase(), id]));
const EXCEPTIONS = new Map(SPDX_EXCEPTION_IDS.map((id) => [id.toLowerCase(), id]));

/** Fedora / Debian short names that are unambiguous SPDX ids under another spelling. */
const ALIASES: Readonly<Record<string, string>> = {
  'apache-2': 'Apache-2.0',
  'apache 2.0': 'Apache-2.0',
  'asl 2.0': 'Apache-2.0',
  expat: 'MIT',
};

/** Bounds so that hostile strings stay cheap: longer or deeper input is treated as free text. */
const MAX_TOKENS = 256;
const MAX_DEPTH = 32;

/** `GPL-2+`, `LGPL-2.1`, `GPLv3+` (Debian copyright / Fedora short names) → SPDX ids. */
function gnuAlias(token: string): string | undefined {
  const m = /^(AGPL|LGPL|GPL)-?v?(\d)(?:\.(\d))?(\+)?$/i.exec(token);
  if (!m) return undefined;
  const id = `${m[1]!.toUpperCase()}-${m[2]}.${m[3] ?? '0'}-${m[4] ? 'or-later' : 'only'}`;
  return LICENSES.get(id.toLowerCase());
}

/** Resolves one license token to its canonical form, or undefined when it is not SPDX. */
function resolveLicenseToken(token: string): string | undefined {
  const lower = token.toLowerCase();
  // GNU family first, so deprecated ids (`GPL-2.0+`, `LGPL-2.1`) become their current form.
  const direct = gnuAlias(token) ?? LICENSES.get(lower) ?? ALIASES[lower];
  if (direct) return direct;
  // `+` is the SPDX "or later" operator on any listed id (`MPL-1.1+`).
  if (token.endsWith('+')) {
    const base = LICENSES.get(lower.slice(0, -1));
    if (base) return `${base}+`;
  }
  if (/^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(token)) return token;
  return undefined;
}

type Node = { readonly op: 'AND' | 'OR'; readonly args: readonly Node[] } | { readonly leaf: string };

class ExpressionParser {
  private pos = 0;
  constructor(private readonly tokens: readonly string[]) {}

  parse(): Node | undefined {
    const node = this.orExpr(0);
    return node && this.pos === this.tokens.length ? node : undefined;
  }

  private peekOp(op: string): boolean {
    const t = this.tokens[this.pos];
    return t === op || t === op.toLowerCase();
  }

  private orExpr(depth: number): Node | undefined {
    return this.chain('OR', () => this.andExpr(depth));
  }

  private andExpr(depth: number): Node | undefined {
    return this.chain('AND', () => this.primary(depth));
  }

  private chain(op: 'AND' | 'OR', next: () => Node | undefined): Node | undefined {
    const first = next();
    if (!first) return undefined;
    const args = [first];
    while (this.peekOp(op)) {
      this.pos++;
      const more = next();
      if (!more) return undefined;
      args.push(more);
    }
    return args.length === 1 ? first : { op, args };
  }

  private primary(depth: number): Node | undefined {
    const t = this.tokens[this.pos];
    if (t === undefined || depth > MAX_DEPTH) return undefined;
    if (t === '(') {
      this.pos++;
      const inner = this.orExpr(depth + 1);
      if (!inner || this.tokens[this.pos] !== ')') return undefined;
      this.pos++;
      return inner;
    }
    const license = resolveLicenseToken(t);
    if (!license) return undefined;
    this.pos++;
    if (!this.peekOp('WITH')) return { leaf: license };
    this.pos++;
    const exception = EXCEPTIONS.get((this.tokens[this.pos] ?? '').toLowerCase());
    if (!exception) return undefined;
    this.pos++;
    return { leaf: `${license} WITH ${exception}` };
  }
}

function render(node: Node, parent?: 'AND' | 'OR'): string {
  if ('leaf' in node) return node.leaf;
  const text = node.args.map((a) => render(a, node.op)).join(` ${node.op} `);
  // AND binds tighter than OR, so only an OR inside an AND needs parentheses.
  return parent === 'AND' && node.op === 'OR' ? `(${text})` : text;
}

/** Canonical SPDX expression for `text`, or undefined when it is not a valid one. */
export function parseSpdxExpression(text: string): string | undefined {
  const tokens = text.match(/[()]|[^\s()]+/g);
  if (!tokens || tokens.length > MAX_TOKENS) return undefined;
  const node = new ExpressionParser(tokens).parse();
  return node ? render(node) : undefined;
}

/** Classifies one raw license string; undefined for empty or blank input. */
export function classifyLicense(raw: string): LicenseInfo | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  // Aliases may contain spaces (`ASL 2.0`), so they are looked up before tokenising.
  const alias = ALIASES[text.toLowerCase()];
  if (alias) return { kind: 'id', id: alias };
  const expression = parseSpdxExpression(text);
  if (!expression) return { kind: 'name', name: text };
  // A lone listed id (no operators, no `+`, no LicenseRef) is an id; the rest expressions.
  if (LICENSES.get(expression.toLowerCase()) === expression) return { kind: 'id', id: expression };
  return { kind: 'expression', expression };
}

/** Classifies a package's licenses, dropping blanks and duplicates, keeping order. */
export function classifyLicenses(raw: readonly string[]): LicenseInfo[] {
  const seen = new Set<string>();
  const out: LicenseInfo[] = [];
  for (const r of raw) {
    const info = classifyLicense(r);
    if (!info) continue;
    const key = `${info.kind}:${'id' in info ? info.id : 'expression' in info ? info.expression : info.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(info);
  }
  return out;
}

/** True when an expression has a top-level operator, so it needs parentheses to be combined. */
export function isCompound(expression: string): boolean {
  return /\s(AND|OR)\s/.test(expression);
}
