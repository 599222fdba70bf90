import type { FindingFacts } from './facts/findings.js';
import type { KeyedFindingTest } from './fields/types.js';
import type { CompiledRule } from './model.js';

/**
 * The candidate findings of a policy's rules. A rule's finding tests (cheapest first) form a
 * chain; the chains of a policy form a trie, built once per policy, in which rules that start
 * with the same tests share a node (ten SLA rules over four severities; five rules on "fix
 * available, severity ≥ medium" that differ only in their last test). During an evaluation a
 * node's findings are its parent's filtered by its test, each node computed once, so no
 * finding is tested twice for the same criterion by rules sharing a prefix.
 */

export interface CandidateNode {
  /** -1: the root (every finding). */
  readonly parent: number;
  readonly test: KeyedFindingTest;
  /** Kept for the whole evaluation (a prefix of other chains, or the chain of several rules). */
  readonly stored: boolean;
}

export class CandidateTrie {
  readonly nodes: readonly CandidateNode[];
  /** Each rule's last node; -1 when it has no finding test (every finding is a candidate). */
  readonly #ends = new Map<CompiledRule, number>();

  constructor(rules: readonly CompiledRule[]) {
    const made: { parent: number; test: KeyedFindingTest }[] = [];
    const byKey = new Map<string, number>();
    const children: number[] = [];
    const ends: number[] = [];
    for (const rule of rules) {
      let at = -1;
      for (const t of rule.findingTests) {
        const key = `${at}\u0000${t.key}`;
        let id = byKey.get(key);
        if (id === undefined) {
          id = made.length;
          made.push({ parent: at, test: t });
          children.push(0);
          ends.push(0);
          byKey.set(key, id);
          if (at >= 0) children[at] = (children[at] as number) + 1;
        }
        at = id;
      }
      if (at >= 0) ends[at] = (ends[at] as number) + 1;
      this.#ends.set(rule, at);
    }
    this.nodes = made.map((m, id) => ({ ...m, stored: (children[id] as number) > 0 || (ends[id] as number) > 1 }));
  }

  end(rule: CompiledRule): number {
    return this.#ends.get(rule) ?? -1;
  }
}

/** The trie's candidate lists during one evaluation (buffers from the evaluation's pool). */
export class Candidates {
  /** Per node: how many candidates, -1 not computed yet. */
  readonly #len: number[];
  readonly #buf: (Int32Array | undefined)[];
  /** Where unstored nodes write; read at once by the one rule that asked. */
  #leaf: Int32Array | undefined;
  /** The positions of the last `list` call. */
  buf: Int32Array;

  constructor(
    readonly trie: CandidateTrie,
    readonly facts: FindingFacts,
  ) {
    this.#len = new Array<number>(trie.nodes.length).fill(-1);
    this.#buf = new Array<Int32Array | undefined>(trie.nodes.length);
    this.buf = facts.pool.iota(facts.n);
  }

  /** How many findings pass node `id`'s chain (-1: all findings); their positions are in `buf`, ascending. */
  list(id: number): number {
    if (id < 0) {
      this.buf = this.facts.pool.iota(this.facts.n);
      return this.facts.n;
    }
    const node = this.trie.nodes[id] as CandidateNode;
    const known = this.#len[id] as number;
    if (known >= 0) {
      this.buf = this.#buf[id] as Int32Array;
      return known;
    }
    const n = this.list(node.parent);
    const from = this.buf;
    let to: Int32Array;
    if (node.stored) {
      to = this.facts.pool.i32();
      this.#buf[id] = to;
    } else {
      this.#leaf ??= this.facts.pool.i32();
      to = this.#leaf;
    }
    const len = n === 0 ? 0 : node.test.select(from, n, to, this.facts);
    if (node.stored) this.#len[id] = len;
    this.buf = to;
    return len;
  }
}
