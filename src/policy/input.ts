import { z } from 'zod';
import { PortcullisError } from '../core/errors.js';
import { FINDING_SEVERITIES, type Finding } from '../core/finding.js';
import { PACKAGE_TYPES } from '../core/package.js';

/**
 * The policy input: everything the engine may look at, gathered at the edges (the CLI, the
 * Docker authz plugin, admission, the console) and passed to `evaluatePolicy` as plain data.
 * `now` is part of the input so that grace periods and exception expiry are reproducible.
 */

export const STAGES = ['build', 'deploy', 'runtime'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * The contract with src/trust (signature verification). `checked` is false when no
 * verification was asked for or possible; `verified` lists the signatures that verified for
 * this image's digest.
 */
export interface SignatureFacts {
  readonly checked: boolean;
  readonly verified: readonly { readonly keyId?: string; readonly identity?: string; readonly issuer?: string; readonly digest: string }[];
  readonly errors: readonly { readonly code: string; readonly message: string }[];
}

/**
 * A finding as the engine reads it. `fixPublished` (set by the matcher, see Finding) dates the
 * fix; when absent, grace periods use the finding's own `published`.
 */
export interface PolicyFinding extends Finding {
  readonly fixPublished?: string;
}

export interface ImageFacts {
  /** What the user or the orchestrator named, e.g. `registry.example.com/team/app:1.2`. */
  readonly reference: string;
  /** Registry host[:port] (`docker.io` for Docker Hub); absent when the source has none (archives without a tag). */
  readonly registry?: string;
  /** Repository path, e.g. `library/nginx`. */
  readonly repository?: string;
  readonly tag?: string;
  /** Manifest digest of the image, `sha256:…`, when known. */
  readonly digest?: string;
  /** True when the reference itself pins a digest (`name@sha256:…`). */
  readonly referencedByDigest: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** rootfs.diff_ids in layer order. */
  readonly diffIds: readonly string[];
}

export interface ComplianceFact {
  readonly id: string;
  readonly status: 'pass' | 'fail' | 'warn' | 'skip';
  readonly reason?: string;
}

/** Where the image is being built, deployed or run. Absent keys are unknown, and scopes naming them do not match. */
export interface PolicyContext {
  readonly namespace?: string;
  readonly cluster?: string;
  readonly host?: string;
}

export interface PolicyInput {
  /** RFC 3339 time the evaluation is made at. */
  readonly now: string;
  readonly image: ImageFacts;
  readonly findings: readonly PolicyFinding[];
  readonly signatures?: SignatureFacts;
  /** Compliance check results for the image; absent when no check ran. */
  readonly compliance?: readonly ComplianceFact[];
  readonly context?: PolicyContext;
}

// ---- The schema for inputs that arrive as data (JSON from an API, YAML test cases). ----
// Finding fields get defaults so that hand-written inputs stay short; a finding needs an id
// and a package name at least.

const SEVERITY = z.enum(FINDING_SEVERITIES);
const FIX_STATE = z.enum(['fixed', 'not_fixed', 'will_not_fix', 'fix_deferred', 'end_of_life', 'under_investigation']);
const date = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an RFC 3339 date');

const FindingSchema = z
  .object({
    id: z.string().min(1),
    aliases: z.array(z.string()).optional(),
    package: z.object({
      id: z.string().optional(),
      type: z.enum(PACKAGE_TYPES).default('binary'),
      name: z.string().min(1),
      version: z.string().default(''),
      purl: z.string().optional(),
      locations: z.array(z.object({ path: z.string(), layerDiffId: z.string().optional() })).default([]),
      layer: z.object({ index: z.number().int(), diffId: z.string(), digest: z.string().optional(), createdBy: z.string().optional() }).optional(),
    }),
    severity: SEVERITY.default('unknown'),
    severitySource: z.string().default(''),
    ratings: z.array(z.object({ severity: SEVERITY, raw: z.string().optional(), source: z.string() })).default([]),
    cvss: z.array(z.object({ version: z.enum(['2.0', '3.0', '3.1', '4.0']), vector: z.string().default(''), score: z.number().min(0).max(10), source: z.string() })).default([]),
    fixState: FIX_STATE.optional(),
    fixedVersions: z.array(z.string()).default([]),
    summary: z.string().optional(),
    published: date.optional(),
    modified: date.optional(),
    fixPublished: date.optional(),
    cwes: z.array(z.string()).default([]),
    references: z.array(z.string()).default([]),
    kev: z.object({ dateAdded: z.string(), dueDate: z.string().optional(), knownRansomware: z.boolean().optional() }).optional(),
    epss: z.object({ score: z.number().min(0).max(1), percentile: z.number().min(0).max(1), date: z.string() }).optional(),
    evidence: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .loose();

const SignatureFactsSchema = z.strictObject({
  checked: z.boolean(),
  verified: z.array(z.strictObject({ keyId: z.string().optional(), identity: z.string().optional(), issuer: z.string().optional(), digest: z.string() })).default([]),
  errors: z.array(z.strictObject({ code: z.string(), message: z.string() })).default([]),
});

export const PolicyInputSchema = z.strictObject({
  now: date,
  image: z.strictObject({
    reference: z.string(),
    registry: z.string().optional(),
    repository: z.string().optional(),
    tag: z.string().optional(),
    digest: z.string().optional(),
    referencedByDigest: z.boolean().default(false),
    labels: z.record(z.string(), z.string()).default({}),
    diffIds: z.array(z.string()).default([]),
  }),
  findings: z.array(FindingSchema).max(1_000_000).default([]),
  signatures: SignatureFactsSchema.optional(),
  compliance: z.array(z.strictObject({ id: z.string(), status: z.enum(['pass', 'fail', 'warn', 'skip']), reason: z.string().optional() })).optional(),
  context: z.strictObject({ namespace: z.string().optional(), cluster: z.string().optional(), host: z.string().optional() }).optional(),
});

/** Drops keys whose value is undefined (exactOptionalPropertyTypes: absent, never undefined). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Parses an input that arrived as data; anything malformed is a coded error naming the path. */
export function parsePolicyInput(raw: unknown, where = 'policy input'): PolicyInput {
  const r = PolicyInputSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PortcullisError('USAGE', `${where} is invalid: ${issues.join('; ')}`);
  }
  const v = r.data;
  const findings: PolicyFinding[] = v.findings.map((f) => {
    const pkg = f.package;
    return defined({
      ...f,
      aliases: f.aliases ?? [f.id],
      package: defined({ ...pkg, id: pkg.id ?? `${pkg.type}:${pkg.name}@${pkg.version}`, purl: pkg.purl ?? `pkg:${pkg.type}/${pkg.name}@${pkg.version}` }),
      fixState: f.fixState ?? (f.fixedVersions.length > 0 ? 'fixed' : 'not_fixed'),
    }) as unknown as PolicyFinding;
  });
  return defined({
    now: v.now,
    image: defined(v.image),
    findings,
    signatures: v.signatures ? { checked: v.signatures.checked, verified: v.signatures.verified.map(defined), errors: v.signatures.errors } : undefined,
    compliance: v.compliance?.map(defined),
    context: v.context ? defined(v.context) : undefined,
  }) as PolicyInput;
}
