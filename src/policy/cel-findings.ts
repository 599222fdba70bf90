import type { ASTNode } from '@marcbachmann/cel-js';
import type { PolicyFinding } from './input.js';

/**
 * CEL loops over `findings` run as plain JavaScript loops when their predicate uses only
 * facts every finding has: `findings.exists(f, P)`, `findings.all(f, P)` and
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

/** true / false, or undefined when the fast path gave up (run cel-js instead). */
export type FindingsLoop = (findings: readonly PolicyFinding[]) => boolean | undefined;

type Pred = (f: PolicyFinding) => boolean;

/** Thrown by a predicate when a finding lacks a fact CEL would fail on; caught in the loop. */
const GIVE_UP = new Error('not a well-formed finding');

const STRING_FIELDS: Readonly<Record<string, (f: PolicyFinding) => unknown>> = {
  id: (f) => f.id,
  severity: (f) => f.severity,
};
const PACKAGE_FIELDS: Readonly<Record<string, (p: PolicyFinding['package']) => unknown>> = {
  name: (p) => p.name,
  type: (p) => p.type,
  version: (p) => p.version,
  purl: (p) => p.purl,
};
const LIST_FIELDS: Readonly<Record<string, (f: PolicyFinding) => unknown>> = {
  fixedVersions: (f) => f.fixedVersions,
  aliases: (f) => f.aliases,
};
const OPTIONAL_FIELDS = new Set(['kev', 'epss', 'published', 'fixPublished']);
const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);

function isVar(n: ASTNode, v: string): boolean {
  return n.op === 'id' && n.args === v;
}

/** `f.name` or `f.package.name` giving a string, else undefined. */
function stringField(n: ASTNode, v: string): ((f: PolicyFinding) => string) | undefined {
  if (n.op !== '.') return undefined;
  const [target, name] = n.args;
  let get: ((f: PolicyFinding) => unknown) | undefined;
  if (isVar(target, v)) get = STRING_FIELDS[name];
  else if (target.op === '.' && isVar(target.args[0], v) && target.args[1] === 'package') {
    const pick = PACKAGE_FIELDS[name];
    if (pick) get = (f) => (typeof f.package === 'object' && f.package !== null ? pick(f.package) : undefined);
  }
  if (!get) return undefined;
  const g = get;
  return (f) => {
    const s = g(f);
    if (typeof s !== 'string') throw GIVE_UP;
    return s;
  };
}

/** `f.list.size()` or `size(f.list)` giving a number, else undefined. */
function sizeOf(n: ASTNode, v: string): ((f: PolicyFinding) => number) | undefined {
  let list: ASTNode | undefined;
  if (n.op === 'rcall' && n.args[0] === 'size' && n.args[2].length === 0) list = n.args[1];
  else if (n.op === 'call' && n.args[0] === 'size' && n.args[1].length === 1) list = n.args[1][0];
  if (!list || list.op !== '.' || !isVar(list.args[0], v)) return undefined;
  const get = LIST_FIELDS[list.args[1]];
  if (!get) return undefined;
  return (f) => {
    const l = get(f);
    if (!Array.isArray(l)) throw GIVE_UP;
    return l.length;
  };
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

function predicate(n: ASTNode, v: string): Pred | undefined {
  switch (n.op) {
    case '&&':
    case '||': {
      const a = predicate(n.args[0], v);
      const b = predicate(n.args[1], v);
      if (!a || !b) return undefined;
      // Both sides are evaluated, as CEL may (it is commutative); neither can fail here.
      return n.op === '&&' ? (f) => a(f) && b(f) : (f) => a(f) || b(f);
    }
    case '!_': {
      const a = predicate(n.args, v);
      return a && ((f) => !a(f));
    }
    case 'call': {
      const [fn, args] = n.args;
      const arg = args[0];
      if (fn !== 'has' || args.length !== 1 || !arg || arg.op !== '.' || !isVar(arg.args[0], v) || !OPTIONAL_FIELDS.has(arg.args[1])) return undefined;
      const key = arg.args[1] as 'kev' | 'epss' | 'published' | 'fixPublished';
      return (f) => f[key] !== undefined;
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
        return eq ? (f) => get(f) === want : (f) => get(f) !== want;
      }
    }
  }
  const size = sizeOf(l, v);
  const k = intLiteral(r);
  if (size && k !== undefined) {
    const op = n.op;
    return (f) => compare(op, size(f), k);
  }
  return undefined;
}

/** `findings.<macro>(v, P)` with a supported P, else undefined. */
function loopOver(n: ASTNode, macro: string): { v: string; p: Pred } | undefined {
  if (n.op !== 'rcall' || n.args[0] !== macro || !isVar(n.args[1], 'findings')) return undefined;
  const [iter, body] = n.args[2];
  if (!iter || !body || iter.op !== 'id' || n.args[2].length !== 2) return undefined;
  const v = iter.args;
  const p = predicate(body, v);
  return p && { v, p };
}

function guarded(run: (fs: readonly PolicyFinding[]) => boolean): FindingsLoop {
  return (fs) => {
    try {
      return run(fs);
    } catch (err) {
      if (err === GIVE_UP) return undefined;
      throw err;
    }
  };
}

/** A JavaScript loop for the whole expression when it is one of the supported shapes. */
export function findingsLoop(ast: ASTNode): FindingsLoop | undefined {
  const exists = loopOver(ast, 'exists');
  if (exists) {
    const { p } = exists;
    return guarded((fs) => {
      // Every finding is checked (a later malformed one must still give up, as CEL would not
      // necessarily stop at the first true element when another raises an error).
      let any = false;
      for (let i = 0; i < fs.length; i++) if (p(fs[i] as PolicyFinding)) any = true;
      return any;
    });
  }
  const all = loopOver(ast, 'all');
  if (all) {
    const { p } = all;
    return guarded((fs) => {
      let every = true;
      for (let i = 0; i < fs.length; i++) if (!p(fs[i] as PolicyFinding)) every = false;
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
        return guarded((fs) => {
          let count = 0;
          for (let i = 0; i < fs.length; i++) if (p(fs[i] as PolicyFinding)) count++;
          return compare(op, count, k);
        });
      }
    }
  }
  return undefined;
}
