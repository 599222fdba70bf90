import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { isLoopbackHost } from '../../image/registry/reference.js';
import { openImage } from '../../image/resolve.js';
import type { ImageMetadata, ImageSourceOptions } from '../../image/types.js';
import type { ComplianceFact, SignatureFacts } from '../../policy/input.js';
import { filterFindings, parseSeverities } from '../../match/filter.js';
import { matchInventory } from '../../match/match.js';
import { applyVex, readVexDocument } from '../../match/vex/index.js';
import { scanDocument } from '../../report/json.js';
import { REPORTERS, reporterById } from '../../report/registry.js';
import type { ScanReport } from '../../report/types.js';
import { locateDatabase, staleness } from '../../vulndb/locate.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, IMAGE_OPTIONS, type OptionSpec, type ParsedValues, parseOptions } from '../options.js';
import { applyIgnore, GATE_OPTIONS, gateActive, gateNeeds, ignoreWarnings, policySection, prepareGate, printGate, runGate } from './image-policy.js';
import { imageSourceOptions, inventoryOf, layerCacheOf, printProblems, resolveImageArg, writeResult } from './image-input.js';

const FORMATS = REPORTERS.map((r) => r.id);

const OPTIONS: readonly OptionSpec[] = [
  { name: 'format', short: 'f', type: 'string', arg: 'FORMAT', help: `output format: ${FORMATS.join(', ')} (default table)` },
  { name: 'output', short: 'o', type: 'string', arg: 'FILE', help: 'write the report to FILE instead of stdout' },
  { name: 'severity', short: 's', type: 'string', arg: 'LIST', env: 'PORTCULLIS_SEVERITY', help: 'only report these severities, e.g. HIGH,CRITICAL' },
  { name: 'ignore-unfixed', type: 'boolean', env: 'PORTCULLIS_IGNORE_UNFIXED', help: 'only report vulnerabilities that have a fix' },
  { name: 'vex', type: 'string', multiple: true, arg: 'FILE', help: 'OpenVEX or CycloneDX VEX document that suppresses or annotates findings (repeatable)' },
  { name: 'show-suppressed', type: 'boolean', help: 'list findings suppressed by VEX in the table too' },
  { name: 'db', type: 'string', arg: 'PATH', env: 'PORTCULLIS_DB', help: 'vulnerability database (default: the one "db update" keeps, else the bundled demo)' },
  { name: 'verify-key', type: 'string', multiple: true, arg: 'FILE', help: 'public key (PEM) whose cosign signatures satisfy a policy\'s signature rule (registry images; repeatable)' },
  { name: 'offline', type: 'boolean', env: 'PORTCULLIS_OFFLINE', help: 'contact no network service: refuse remote registries (scans never download the database)' },
  ...GATE_OPTIONS,
  ...IMAGE_OPTIONS,
  ...COMMON_OPTIONS,
];

const USAGE = `Usage: portcullis image <image> [options]

Scans an image for known vulnerabilities: lists its packages (as "portcullis sbom" does)
and matches them against the vulnerability database. Every finding carries its evidence:
the advisory, the affected range, the file and the layer. Image references as for sbom.

As a CI gate: --policy evaluates policy files for --stage (exit 1 when a blocking rule
matches); --fail-on SEVERITY and --exit-code N work as in Grype and Trivy; ids listed in
./.portcullisignore are suppressed until their exp: date. Exit codes: docs/exit-codes.md.`;

/** Registry references whose host is not loopback (refused with --offline). */
function remoteRegistry(ref: string): string | undefined {
  const m = /^registry:([^/]+)\//.exec(ref);
  if (!m?.[1]) return undefined;
  return isLoopbackHost(m[1]) ? undefined : m[1];
}

export async function imageCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText(USAGE, OPTIONS));
    return 0;
  }
  if (positionals.length !== 1) throw new PortcullisError('USAGE', 'image takes exactly one image reference (see portcullis image --help)');
  const format = typeof values.format === 'string' ? values.format : 'table';
  const reporter = reporterById(format);
  if (!reporter) throw new PortcullisError('USAGE', `unknown format "${format}"; use one of ${FORMATS.join(', ')}`);
  const severities = typeof values.severity === 'string' ? parseSeverities(values.severity) : undefined;
  const ref = resolveImageArg(positionals[0] as string, io);
  const remote = values.offline ? remoteRegistry(ref) : undefined;
  if (remote) throw new PortcullisError('USAGE', `--offline refuses the remote registry ${remote}`, { reference: ref });

  // VEX documents, the ignore file and policies are read before the scan so a bad one fails fast.
  const vexDocs = [];
  for (const f of (values.vex as string[] | undefined) ?? []) vexDocs.push(await readVexDocument(resolve(io.cwd, f)));
  const sourceOptions = imageSourceOptions(values, io);
  const gate = await prepareGate(values, io, {
    options: sourceOptions,
    resolveRef: (r) => {
      const base = resolveImageArg(r, io);
      const far = values.offline ? remoteRegistry(base) : undefined;
      if (far) throw new PortcullisError('USAGE', `--offline refuses the remote registry ${far}`, { reference: base });
      return base;
    },
  });
  const needs = gateNeeds(gate);

  const located = await locateDatabase({ dbPath: typeof values.db === 'string' ? resolve(io.cwd, values.db) : undefined, env: io.env });
  try {
    const status = located.db.status();
    if (located.kind === 'demo') io.stderr.write('note: using the bundled demo vulnerability database (run "portcullis db update" for current data)\n');
    const stale = staleness(status);
    if (stale) io.stderr.write(`warning: [DB_STALE] ${stale}\n`);

    const inventory = await inventoryOf(ref, sourceOptions, values, io);
    const matched = matchInventory(inventory, located.db);
    const img = inventory.image;
    const vex = applyVex(matched.findings, vexDocs, {
      imageRefs: [img.reference, ...img.tags, ...(img.repoDigests ?? []), ...(img.manifestDigest ? [img.manifestDigest] : []), ...(img.configDigest ? [img.configDigest] : [])],
      inventory,
    });
    const ignored = applyIgnore(gate, vex.findings);
    const suppressed = [...vex.suppressed, ...ignored.ignored];
    const filter = { severities, ignoreUnfixed: values['ignore-unfixed'] === true };
    const shown = filterFindings(values['show-suppressed'] ? [...ignored.kept, ...suppressed] : ignored.kept, filter);
    const report: ScanReport = {
      inventory,
      findings: shown,
      suppressed: values['show-suppressed'] ? [] : filterFindings(suppressed, filter),
      database: {
        path: status.path,
        kind: located.kind,
        builtAt: status.builtAt,
        sources: status.sources.map((s) => ({ id: s.id, status: s.status, fetchedAt: s.fetchedAt, advisories: s.advisories })),
      },
      problems: [...inventory.problems, ...matched.problems, ...vexDocs.flatMap((d) => d.problems), ...vex.problems],
      skipped: matched.skipped,
    };
    const compliance = needs.compliance ? await imageCompliance(ref, sourceOptions, values, io) : undefined;
    const outcome = runGate(gate, {
      metadata: inventory.image,
      findings: ignored.kept,
      reported: values['show-suppressed'] ? filterFindings(ignored.kept, filter) : shown,
      ...(compliance ? { compliance } : {}),
      ...(needs.signatures ? { signatures: await signatureFacts(ref, inventory.image, values, sourceOptions, io) } : {}),
    });
    const text =
      reporter.id === 'json' && gateActive(gate)
        ? `${JSON.stringify({ ...scanDocument(report), policy: policySection(gate, outcome, ignored) }, null, 2)}\n`
        : reporter.render(report, { color: false, width: io.stderr.columns ?? 120 });
    writeResult(values, io, text);
    printProblems(io, report.problems);
    for (const w of ignoreWarnings(gate, ignored)) io.stderr.write(`warning: ${w}\n`);
    printGate(io, outcome);
    return outcome.exitCode;
  } finally {
    located.db.close();
  }
}

/**
 * Signature facts for a policy that asks for them: cosign signatures live beside the image in
 * its registry and are checked against --verify-key. Without keys, or for an image that is not
 * read from a registry, nothing is verified and the facts say why (a signature rule then
 * matches: it fails closed).
 */
async function signatureFacts(ref: string, metadata: ImageMetadata, values: Record<string, unknown>, options: ImageSourceOptions, io: CliIo): Promise<SignatureFacts> {
  const unchecked = (message: string): SignatureFacts => ({ checked: false, verified: [], errors: [{ code: 'SIGNATURE_INVALID', message }] });
  const keys = (values['verify-key'] as string[] | undefined) ?? [];
  if (keys.length === 0) return unchecked('no --verify-key was given, so no signature was verified');
  if (metadata.source !== 'registry') return unchecked(`signatures are verified for registry images; ${metadata.source} images carry none`);
  const digest = metadata.repoDigests?.[0]?.split('@')[1] ?? metadata.manifestDigest;
  if (!digest) return unchecked('the registry gave no manifest digest to verify');
  const { verifyImageSignatures } = await import('../../trust/index.js');
  const publicKeys = keys.map((k) => {
    try {
      return readFileSync(resolve(io.cwd, k), 'utf8');
    } catch (err) {
      throw new PortcullisError('USAGE', `cannot read --verify-key ${k}: ${(err as Error).message}`, { path: k });
    }
  });
  return verifyImageSignatures(ref, digest, { publicKeys, ...options });
}

/** Runs the CIS Docker image checks, only when a policy asks for them (a second pass over the layers). */
async function imageCompliance(ref: string, options: ImageSourceOptions, values: ParsedValues, io: CliIo): Promise<ComplianceFact[]> {
  const [{ BUILTIN_CHECKS }, { evaluateImage }] = await Promise.all([import('../../compliance/registry.js'), import('../../compliance/targets.js')]);
  const image = await openImage(ref, options);
  try {
    const cache = layerCacheOf(values, io);
    const ev = await evaluateImage(BUILTIN_CHECKS, image, cache ? { cache } : {});
    return ev.results.map((r) => {
      const reason = r.reason ?? r.evidence.map((e) => e.message).join('; ').slice(0, 300);
      return { id: r.checkId, status: r.status, ...(reason ? { reason } : {}) };
    });
  } finally {
    await image.close();
  }
}
