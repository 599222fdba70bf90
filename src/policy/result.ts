import type { Action, CompiledRule } from './model.js';
import type { EvidenceFinding, RuleResult } from './evaluate.js';
import type { PolicyFinding } from './input.js';

/**
 * One rule's result. Every result has the same properties in the same order; `evidence` is
 * an own, enumerable accessor that formats the evidence findings when first read
 * (JSON.stringify, spreading and Object.keys see it like any other property, so the
 * serialized result is the same): callers that only want the verdict (authz, admission) skip
 * formatting up to 25 findings per rule. It reads the evaluated findings, so it reflects the
 * input as it was evaluated as long as the caller does not mutate that input.
 *
 * A class with one shared accessor (state in private fields) rather than an object literal
 * with a getter: a literal's getter is a new function per result, so V8 builds every result
 * through the runtime, about four times slower (50 results per evaluation).
 */
export class RuleResultObject implements RuleResult {
  // Declared only: the constructor defines them in this order (JSON follows it).
  declare readonly policy: string;
  declare readonly rule: string;
  declare readonly action: Action;
  declare readonly matched: boolean;
  declare readonly why: readonly string[];
  declare readonly evidence: readonly EvidenceFinding[];
  declare readonly evidenceTotal: number;
  declare readonly remediation: string | undefined;
  readonly #rule: CompiledRule;
  readonly #hits: readonly number[];
  readonly #findings: readonly PolicyFinding[];
  readonly #nowMs: number;
  #evidence: readonly EvidenceFinding[] | undefined;

  static readonly #EVIDENCE: PropertyDescriptor = {
    // As an object literal's getter would be.
    enumerable: true,
    configurable: true,
    get(this: RuleResultObject): readonly EvidenceFinding[] {
      return this.#materialize();
    },
  };

  constructor(rule: CompiledRule, matched: boolean, why: readonly string[], hits: readonly number[], evidenceTotal: number, findings: readonly PolicyFinding[], nowMs: number) {
    this.#rule = rule;
    this.#hits = hits;
    this.#findings = findings;
    this.#nowMs = nowMs;
    this.#evidence = hits.length === 0 ? NO_EVIDENCE : undefined;
    const self = this as { -readonly [K in keyof RuleResult]: RuleResult[K] };
    self.policy = rule.policy;
    self.rule = rule.name;
    self.action = rule.action;
    self.matched = matched;
    self.why = why;
    Object.defineProperty(this, 'evidence', RuleResultObject.#EVIDENCE);
    self.evidenceTotal = evidenceTotal;
    self.remediation = rule.remediation;
  }

  #materialize(): readonly EvidenceFinding[] {
    this.#evidence ??= this.#hits.map((i) => evidenceOf(this.#findings[i] as PolicyFinding, this.#nowMs, this.#rule));
    return this.#evidence;
  }
}

const NO_EVIDENCE: readonly EvidenceFinding[] = Object.freeze([]);

function evidenceOf(f: PolicyFinding, nowMs: number, rule: CompiledRule): EvidenceFinding {
  const details: string[] = [];
  for (const t of rule.findingTests) {
    const d = t.detail?.(f, nowMs);
    if (d) details.push(d);
  }
  return { id: f.id, package: f.package.name, version: f.package.version, severity: f.severity, ...(details.length ? { details } : {}) };
}
