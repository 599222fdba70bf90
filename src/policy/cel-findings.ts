import type { ASTNode } from '@marcbachmann/cel-js';
import { FINDING_SEVERITIES } from '../core/finding.js';
import { FACTS, type FindingFacts, SEVERITY_OTHER } from './facts/findings.js';
import type { PolicyFinding } from './input.js';

/**
 * CEL loops over `findings` run as plain JavaScript loops over the evaluation's finding facts
 * (facts/findings.ts, read once for all criteria) when their predicate uses only facts every
 * finding has: `findings.exists(f, P)`, `findings.all(f, P)` and
 * `findings.filter(f, P).size() <op> n`, where P combines with &&, || and ! comparisons of
 * `f.id`, `f.severity`, `f.package.{name,type,version,purl}` with string literals, sizes of
 * `f.fixedVersions` / `f.aliases` with int literals, and `has(f.kev|epss|published|fixPublished)`.
 *
 * Such a predicate cannot fail in CEL on a well-formed finding, so CEL's error-absorbing
 * && / || (https://github.com/google/cel-spec/blob/master/doc/langdef.md#logical-operators)
 * reduce to JavaScript's and the answer is the same as cel-js's. When a finding is not
 * well-formed (a field missing or of the wrong type, where CEL would raise an error) the
 * fast path gives up and the caller runs cel-js, which explains the error as usual. Any other
 * expression is left to cel-js.
 */

/**
 * The loop of one expression: the finding facts it reads (FACTS flags, extracted once per
 * evaluation with those of the other criteria), and its answer: true / false, or undefined
 * when it gave up (run cel-js instead).
 */
export interface FindingsLoop {
  readonly facts: number;
  run(facts: FindingFacts): boolean | undefined;
}

/** A predicate over finding i, reading the facts' columns (or, for facts without one, the finding). */
type Pred = (i: number, c: FindingFacts) => boolean;

/** Thrown by a predicate when a finding lacks a fact CEL would fail on; caught in the loop. */
const GIVE_UP = new Error('not a well-formed finding');

/** A leaf's reader and the facts it needs. */
interface Get<T> {
  readonly facts: number;
  read(i: number, c: FindingFacts): T;
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw GIVE_UP;
  return v;
}

const pkg = (c: FindingFacts, i: number): Record<string, unknown> | undefined => {
  const p: unknown = (c.findings[i] as PolicyFinding).package;
  return typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : undefined;
};

const STRING_FIELDS: Readonly<Record<string, Get<string>>> = {
  id: { facts: FACTS.id, read: (i, c) => str(c.ids[i]) },
  // The severity code, or the text itself when it is none of the scale (a finding built by hand).
  severity: { facts: FACTS.severity, read: (i, c) => (c.severity[i] === SEVERITY_OTHER ? str((c.findings[i] as PolicyFinding).severity) : (FINDING_SEVERITIES[c.severity[i] as number] as string)) },
};
const PACKAGE_FIELDS: Readonly<Record<string, Get<string>>> = {
  name: { facts: FACTS.packageName, read: (i, c) => str(c.names[i]) },
  type: { facts: FACTS.packageType, read: (i, c) => str(c.types[i]) },
  purl: { facts: FACTS.purl, read: (i, c) => str(c.purls[i]) },
  version: { facts: 0, read: (i, c) => str(pkg(c, i)?.version) },
};
const LIST_SIZES: Readonly<Record<string, Get<number>>> = {
  fixedVersions: {
    facts: FACTS.fix,
    read: (i, c) => {
      const k = c.fixCount[i] as number;
      if (k < 0) throw GIVE_UP;
      return k;
    },
  },
  aliases: {
    facts: FACTS.aliases,
    read: (i, c) => {
      const l: unknown = c.aliases[i];
      if (!Array.isArray(l)) throw GIVE_UP;
      return l.length;
    },
  },
};
const OPTIONAL_FIELDS = new Set(['kev', 'epss', 'published', 'fixPublished']);
const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);

function isVar(n: ASTNode, v: string): boolean {
  return n.op === 'id' && n.args === v;
}

/** `f.name` or `f.package.name` giving a string, else undefined. */
function stringField(n: ASTNode, v: string): Get<string> | undefined {
  if (n.op !== '.') return undefined;
  const [target, name] = n.args;
  if (isVar(target, v)) return STRING_FIELDS[name];
  if (target.op === '.' && isVar(target.args[0], v) && target.args[1] === 'package') return PACKAGE_FIELDS[name];
  return undefined;
}

/** `f.list.size()` or `size(f.list)` giving a number, else undefined. */
function sizeOf(n: ASTNode, v: string): Get<number> | undefined {
  let list: ASTNode | undefined;
  if (n.op === 'rcall' && n.args[0] === 'size' && n.args[2].length === 0) list = n.args[1];
  else if (n.op === 'call' && n.args[0] === 'size' && n.args[1].length === 1) list = n.args[1][0];
  if (!list || list.op !== '.' || !isVar(list.args[0], v)) return undefined;
  return LIST_SIZES[list.args[1]];
}

function intLiteral(n: ASTNode): number | undefined {
  return n.op === 'value' && typeof n.args === 'bigint' ? Number(n.args) : undefined;
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

interface Compiled {
  readonly facts: number;
  readonly p: Pred;
}

/** has(f.kev) reads the kev column; the other optional facts are read from the finding. */
function has(key: 'kev' | 'epss' | 'published' | 'fixPublished'): Compiled {
  if (key === 'kev') return { facts: FACTS.kev, p: (i, c) => c.kev[i] === 1 };
  return { facts: 0, p: (i, c) => (c.findings[i] as PolicyFinding)[key] !== undefined };
}

function predicate(n: ASTNode, v: string): Compiled | undefined {
  switch (n.op) {
    case '&&':
    case '||': {
      const a = predicate(n.args[0], v);
      const b = predicate(n.args[1], v);
      if (!a || !b) return undefined;
      const [pa, pb] = [a.p, b.p];
      // Both sides are evaluated, as CEL may (it is commutative); neither can fail here.
      return { facts: a.facts | b.facts, p: n.op === '&&' ? (i, c) => pa(i, c) && pb(i, c) : (i, c) => pa(i, c) || pb(i, c) };
    }
    case '!_': {
      const a = predicate(n.args, v);
      if (!a) return undefined;
      const pa = a.p;
      return { facts: a.facts, p: (i, c) => !pa(i, c) };
    }
    case 'call': {
      const [fn, args] = n.args;
      const arg = args[0];
      if (fn !== 'has' || args.length !== 1 || !arg || arg.op !== '.' || !isVar(arg.args[0], v) || !OPTIONAL_FIELDS.has(arg.args[1])) return undefined;
      return has(arg.args[1] as 'kev' | 'epss' | 'published' | 'fixPublished');
    }
    default:
      break;
  }
  if (!COMPARE.has(n.op)) return undefined;
  const [l, r] = n.args as [ASTNode, ASTNode];
  if (n.op === '==' || n.op === '!=') {
    const eq = n.op === '==';
    for (const [field, lit] of [
      [l, r],
      [r, l],
    ] as const) {
      const get = stringField(field, v);
      if (get && lit.op === 'value' && typeof lit.args === 'string') {
        const want = lit.args;
        const read = get.read;
        return { facts: get.facts, p: eq ? (i, c) => read(i, c) === want : (i, c) => read(i, c) !== want };
      }
    }
  }
  const size = sizeOf(l, v);
  const k = intLiteral(r);
  if (size && k !== undefined) {
    const op = n.op;
    const read = size.read;
    return { facts: size.facts, p: (i, c) => compare(op, read(i, c), k) };
  }
  return undefined;
}

/** `findings.<macro>(v, P)` with a supported P, else undefined. */
function loopOver(n: ASTNode, macro: string): Compiled | undefined {
  if (n.op !== 'rcall' || n.args[0] !== macro || !isVar(n.args[1], 'findings')) return undefined;
  const [iter, body] = n.args[2];
  if (!iter || !body || iter.op !== 'id' || n.args[2].length !== 2) return undefined;
  return predicate(body, iter.args);
}

function guarded(facts: number, loop: (c: FindingFacts) => boolean): FindingsLoop {
  return {
    facts,
    run(c) {
      try {
        return loop(c);
      } catch (err) {
        if (err === GIVE_UP) return undefined;
        throw err;
      }
    },
  };
}

/** A JavaScript loop for the whole expression when it is one of the supported shapes. */
export function findingsLoop(ast: ASTNode): FindingsLoop | undefined {
  const exists = loopOver(ast, 'exists');
  if (exists) {
    const { p } = exists;
    return guarded(exists.facts, (c) => {
      // Every finding is checked (a later malformed one must still give up, as CEL would not
      // necessarily stop at the first true element when another raises an error).
      let any = false;
      for (let i = 0; i < c.n; i++) if (p(i, c)) any = true;
      return any;
    });
  }
  const all = loopOver(ast, 'all');
  if (all) {
    const { p } = all;
    return guarded(all.facts, (c) => {
      let every = true;
      for (let i = 0; i < c.n; i++) if (!p(i, c)) every = false;
      return every;
    });
  }
  if (COMPARE.has(ast.op)) {
    const [l, r] = ast.args as [ASTNode, ASTNode];
    const k = intLiteral(r);
    if (k !== undefined && l.op === 'rcall' && l.args[0] === 'size' && l.args[2].length === 0) {
      const filtered = loopOver(l.args[1], 'filter');
      if (filtered) {
        const { p } = filtered;
        const op = ast.op;
        return guarded(filtered.facts, (c) => {
          let count = 0;
          for (let i = 0; i < c.n; i++) if (p(i, c)) count++;
          return compare(op, count, k);
        });
      }
    }
  }
  return undefined;
}
