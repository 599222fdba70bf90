import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatError, PortcullisError } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import type { ImageMetadata, ImageSourceOptions } from '../../image/types.js';
import { openImage } from '../../image/resolve.js';
import { parseTime } from '../../policy/dates.js';
import { evaluatePolicy, type PolicyResult, policyNeeds } from '../../policy/evaluate.js';
import { explainResult } from '../../policy/explain.js';
import { imageFacts } from '../../policy/facts/image.js';
import { type GateResult, parseExitCode, parseFailOn, quickGate } from '../../policy/gates.js';
import { applyIgnoreFile, IGNOREFILE, type IgnoreFile, type IgnoreLine, parseIgnoreFile } from '../../policy/ignorefile.js';
import { type ComplianceFact, type PolicyInput, type SignatureFacts, type Stage, STAGES } from '../../policy/input.js';
import { loadPolicies } from '../../policy/load.js';
import type { LoadedPolicy } from '../../policy/model.js';
import { readPolicySources } from '../../policy/sources.js';
import type { CliIo } from '../io.js';
import type { OptionSpec, ParsedValues } from '../options.js';

/**
 * The CI gate of `portcullis image`: policies (`--policy`, `--stage`), the quick gates
 * (`--fail-on`, `--exit-code` with `--severity`) and `.portcullisignore`. Exit codes are in
 * docs/exit-codes.md. The policy sees every finding that VEX and the ignore file left, before
 * the display filters (`--severity`, `--ignore-unfixed`); the quick gates see what is reported.
 */

export const GATE_OPTIONS: readonly OptionSpec[] = [
  { name: 'policy', type: 'string', multiple: true, arg: 'FILE|DIR', help: 'evaluate these policy files or directories (repeatable); exit 1 when a blocking rule matches' },
  { name: 'stage', type: 'string', arg: 'STAGE', env: 'PORTCULLIS_STAGE', help: `stage the policies are evaluated for: ${STAGES.join(', ')} (default build)` },
  { name: 'fail-on', type: 'string', arg: 'SEVERITY', env: 'PORTCULLIS_FAIL_ON', help: 'exit 1 when a reported finding is at or above SEVERITY (as Grype)' },
  { name: 'exit-code', type: 'string', arg: 'N', env: 'PORTCULLIS_EXIT_CODE', help: 'exit N when findings are reported (as Trivy; use with --severity), or with --fail-on' },
  { name: 'ignorefile', type: 'string', arg: 'FILE', env: 'PORTCULLIS_IGNOREFILE', help: `ids to ignore, one per line, optional exp:YYYY-MM-DD (default ./${IGNOREFILE})` },
  { name: 'now', type: 'string', arg: 'TIME', env: 'PORTCULLIS_NOW', help: 'evaluate grace periods and expiries as of this RFC 3339 time (reproducible runs)' },
];

export interface Gate {
  readonly stage: Stage;
  readonly now: string;
  readonly failOn?: Finding['severity'];
  readonly exitCode?: number;
  readonly ignore?: IgnoreFile;
  readonly policies?: readonly LoadedPolicy[];
}

function str(values: ParsedValues, key: string): string | undefined {
  return typeof values[key] === 'string' ? (values[key] as string) : undefined;
}

/** Parses the gate flags and loads the ignore file and policies, before any scanning, so mistakes fail fast. */
export async function prepareGate(values: ParsedValues, io: CliIo, image: { options: ImageSourceOptions; resolveRef(ref: string): string }): Promise<Gate> {
  const stageText = str(values, 'stage') ?? 'build';
  if (!(STAGES as readonly string[]).includes(stageText)) throw new PortcullisError('USAGE', `unknown stage "${stageText}"; use ${STAGES.join(', ')}`);
  const nowText = str(values, 'now');
  if (nowText !== undefined && Number.isNaN(parseTime(nowText))) throw new PortcullisError('USAGE', `--now takes an RFC 3339 time or YYYY-MM-DD (got "${nowText}")`);
  const now = nowText === undefined ? new Date().toISOString() : new Date(parseTime(nowText)).toISOString();
  const failOnText = str(values, 'fail-on');
  const exitText = str(values, 'exit-code');

  const explicit = str(values, 'ignorefile');
  const ignorePath = resolve(io.cwd, explicit ?? IGNOREFILE);
  let ignore: IgnoreFile | undefined;
  if (existsSync(ignorePath)) {
    try {
      ignore = parseIgnoreFile(readFileSync(ignorePath, 'utf8'), explicit ?? IGNOREFILE);
    } catch (err) {
      throw new PortcullisError('USAGE', `cannot read the ignore file ${ignorePath}: ${(err as Error).message}`, { path: ignorePath });
    }
  } else if (explicit !== undefined) throw new PortcullisError('USAGE', `the ignore file ${explicit} does not exist`, { path: explicit });

  const policyArgs = (values.policy as string[] | undefined) ?? [];
  let policies: readonly LoadedPolicy[] | undefined;
  if (policyArgs.length > 0) {
    const { BUILTIN_CHECKS } = await import('../../compliance/registry.js');
    policies = await loadPolicies(readPolicySources(policyArgs, io.cwd), {
      knownCheckIds: new Set(BUILTIN_CHECKS.map((c) => c.id)),
      // A base image named by reference is opened like the scanned image (archive, daemon or registry) and only its config is read.
      resolveImage: async (ref) => {
        const opened = await openImage(image.resolveRef(ref), image.options);
        try {
          return opened.metadata.layers.map((l) => l.diffId);
        } finally {
          await opened.close();
        }
      },
    });
  }
  return {
    stage: stageText as Stage,
    now,
    ...(failOnText !== undefined ? { failOn: parseFailOn(failOnText) } : {}),
    ...(exitText !== undefined ? { exitCode: parseExitCode(exitText) } : {}),
    ...(ignore ? { ignore } : {}),
    ...(policies ? { policies } : {}),
  };
}

/** What the policies need beyond findings, so the command gathers only that. */
export function gateNeeds(gate: Gate): { compliance: boolean; signatures: boolean } {
  const needs = gate.policies ? policyNeeds(gate.policies, gate.stage) : new Set();
  return { compliance: needs.has('compliance'), signatures: needs.has('signatures') };
}

export interface IgnoreApplied {
  readonly kept: Finding[];
  readonly ignored: Finding[];
  readonly expired: readonly IgnoreLine[];
  readonly applied: readonly IgnoreLine[];
}

export function applyIgnore(gate: Gate, findings: readonly Finding[]): IgnoreApplied {
  if (!gate.ignore) return { kept: [...findings], ignored: [], expired: [], applied: [] };
  return applyIgnoreFile(findings, gate.ignore, parseTime(gate.now));
}

/** Warnings about the ignore file: lines it skipped, and lines that expired and no longer apply. */
export function ignoreWarnings(gate: Gate, ignored: IgnoreApplied): string[] {
  const file = gate.ignore?.file ?? IGNOREFILE;
  return [
    ...(gate.ignore?.problems ?? []).map((p) => `[${p.code}] ${p.message}`),
    ...ignored.expired.map((l) => `${file}:${l.line}: ${l.id} expired on ${l.expires}; it no longer applies`),
  ];
}

export interface GateFacts {
  readonly metadata: ImageMetadata;
  /** Findings after VEX and the ignore file (not the display filters). */
  readonly findings: readonly Finding[];
  /** Findings the report shows (after --severity and --ignore-unfixed). */
  readonly reported: readonly Finding[];
  readonly compliance?: readonly ComplianceFact[];
  readonly signatures?: SignatureFacts;
}

export interface GateOutcome {
  readonly exitCode: number;
  readonly policy?: PolicyResult;
  readonly input?: Omit<PolicyInput, 'findings'> & { readonly fixDates: Readonly<Record<string, string>> };
  readonly quick?: GateResult;
}

/** Evaluates the policies and the quick gates; a policy block wins over a quick gate's code. */
export function runGate(gate: Gate, facts: GateFacts): GateOutcome {
  let policy: PolicyResult | undefined;
  let input: GateOutcome['input'];
  if (gate.policies) {
    const findings = facts.findings;
    const full: PolicyInput = {
      now: gate.now,
      image: imageFacts(facts.metadata),
      findings,
      ...(facts.signatures ? { signatures: facts.signatures } : {}),
      ...(facts.compliance ? { compliance: facts.compliance } : {}),
    };
    policy = evaluatePolicy(gate.policies, full, gate.stage);
    const { findings: _omit, ...rest } = full;
    const fixDates: Record<string, string> = {};
    for (const f of findings) if (f.fixPublished) fixDates[`${f.id} ${f.package.id}`] = f.fixPublished;
    input = { ...rest, fixDates };
  }
  const quick = quickGate(facts.reported, { ...(gate.failOn ? { failOn: gate.failOn } : {}), ...(gate.exitCode !== undefined ? { exitCode: gate.exitCode } : {}) });
  const exitCode = policy?.verdict === 'block' ? 1 : quick?.triggered ? quick.exitCode : 0;
  return { exitCode, ...(policy ? { policy } : {}), ...(input ? { input } : {}), ...(quick ? { quick } : {}) };
}

/** Whether the JSON report gets a `policy` section. */
export function gateActive(gate: Gate): boolean {
  return gate.policies !== undefined || gate.failOn !== undefined || gate.exitCode !== undefined || gate.ignore !== undefined;
}

/** The `policy` section of the JSON report. */
export function policySection(gate: Gate, outcome: GateOutcome, ignored: IgnoreApplied): Record<string, unknown> {
  return {
    stage: gate.stage,
    now: gate.now,
    verdict: outcome.policy?.verdict ?? null,
    exitCode: outcome.exitCode,
    ...(outcome.policy ? { rules: outcome.policy.rules, expiredExceptions: outcome.policy.expiredExceptions, appliedExceptions: outcome.policy.appliedExceptions } : {}),
    ...(outcome.input ? { input: outcome.input } : {}),
    ...(outcome.quick ? { gate: { failOn: gate.failOn ?? null, ...outcome.quick } } : {}),
    ...(gate.ignore
      ? { ignorefile: { file: gate.ignore.file, ignored: ignored.ignored.map((f) => f.id), applied: ignored.applied, expired: ignored.expired, problems: gate.ignore.problems } }
      : {}),
  };
}

/** Prints the verdict and the reasons for the exit code on stderr. */
export function printGate(io: CliIo, outcome: GateOutcome): void {
  if (outcome.policy) io.stderr.write(explainResult(outcome.policy));
  if (outcome.policy?.verdict === 'block') {
    const blocking = outcome.policy.rules.filter((r) => r.matched && r.action === 'block').map((r) => `${r.policy}/${r.rule}`);
    io.stderr.write(`error: ${formatError(new PortcullisError('POLICY_BLOCKED', `${blocking.length} blocking rule(s) matched: ${blocking.join(', ')}`))}\n`);
  } else if (outcome.quick?.triggered) io.stderr.write(`error: ${formatError(new PortcullisError('POLICY_BLOCKED', outcome.quick.why))}\n`);
}
