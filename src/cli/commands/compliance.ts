import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCustom } from '../../compliance/custom.js';
import { BUILTIN_FRAMEWORKS } from '../../compliance/frameworks/registry.js';
import type { Framework } from '../../compliance/frameworks/schema.js';
import { BUILTIN_CHECKS } from '../../compliance/registry.js';
import { renderSarif } from '../../compliance/report/sarif.js';
import { renderTable } from '../../compliance/report/table.js';
import { buildReport, failedAtSeverity } from '../../compliance/run.js';
import { type Evaluation, evaluateContainers, evaluateDaemon, evaluateHost, evaluateImage, evaluateManifests } from '../../compliance/targets.js';
import { type Check, SEVERITIES, type Severity } from '../../compliance/types.js';
import { PortcullisError } from '../../core/errors.js';
import { openImage } from '../../image/resolve.js';
import { VERSION } from '../../version.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, IMAGE_OPTIONS, type OptionSpec, type ParsedValues, parseOptions } from '../options.js';
import { imageSourceOptions, layerCacheOf, resolveImageArg, writeResult } from './image-input.js';

const FORMATS = ['table', 'json', 'sarif'] as const;
const TARGET_WORDS = ['image', 'container', 'daemon', 'host', 'k8s'] as const;
type TargetWord = (typeof TARGET_WORDS)[number];

const OPTIONS: readonly OptionSpec[] = [
  { name: 'format', short: 'f', type: 'string', arg: 'FORMAT', help: `output format: ${FORMATS.join(', ')} (default table)` },
  { name: 'output', short: 'o', type: 'string', arg: 'FILE', help: 'write the report to FILE instead of stdout' },
  { name: 'fail-on', type: 'string', arg: 'SEVERITIES', env: 'PORTCULLIS_FAIL_ON', help: `exit with COMPLIANCE_FAILED when checks of these severities fail (comma list of ${SEVERITIES.join(', ')})` },
  { name: 'framework', type: 'string', multiple: true, arg: 'ID', help: 'report only this framework (repeatable), e.g. nist-800-190, pci-dss-4.0, pss-restricted' },
  { name: 'checks', type: 'string', multiple: true, arg: 'FILE', help: 'custom checks and frameworks (YAML; repeatable)' },
  { name: 'root', type: 'string', arg: 'DIR', help: 'host root to read files under (default /; e.g. /host in an agent container)' },
  { name: 'proc', type: 'string', arg: 'DIR', help: 'where /proc is (default /proc)' },
  { name: 'daemon-pid', type: 'string', arg: 'PID', help: 'pid of the dockerd to read flags from (default: found by its socket)' },
  { name: 'all', short: 'a', type: 'boolean', help: 'container: include containers that are not running' },
  ...IMAGE_OPTIONS,
  ...COMMON_OPTIONS,
];

const USAGE = `Usage: portcullis compliance <image|container|daemon|host|k8s> [target…] [options]

Runs the CIS Docker Benchmark v1.6.0, CIS Kubernetes v1.9.0 section 5 and Pod Security
Standards checks, and maps them to NIST SP 800-190, PCI DSS 4.0, HIPAA and GDPR controls.
  image <ref>         image checks (section 4) on an image from any source (see portcullis sbom)
  container [ids…]    runtime checks (section 5) and a capability audit; default: running containers
  daemon              daemon configuration, files and operations (sections 2, 3, 5.1, 6)
  host                host configuration (section 1, 4.5)
  k8s <files…|->      Pod Security Standards and CIS Kubernetes section 5 on manifests or AdmissionReviews`;

const str = (v: ParsedValues, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
const list = (v: ParsedValues, k: string): string[] => (Array.isArray(v[k]) ? (v[k] as string[]) : []);

function parseFailOn(text: string | undefined): Severity[] {
  if (!text) return [];
  const out = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const s of out) if (!(SEVERITIES as readonly string[]).includes(s)) throw new PortcullisError('USAGE', `--fail-on: unknown severity "${s}"; use ${SEVERITIES.join(', ')}`);
  return out as Severity[];
}

function readText(path: string, io: CliIo, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (err) {
    const code = what === 'custom checks' ? 'COMPLIANCE_INVALID' : 'COMPLIANCE_TARGET';
    throw new PortcullisError(code, `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path });
  }
}

async function readStdin(io: CliIo): Promise<string> {
  if (!io.stdin) throw new PortcullisError('USAGE', 'no standard input to read manifests from');
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

async function evaluate(word: TargetWord, targets: readonly string[], checks: readonly Check[], values: ParsedValues, io: CliIo): Promise<Evaluation> {
  const pidText = str(values, 'daemon-pid');
  const daemonPid = pidText === undefined ? undefined : Number(pidText);
  if (daemonPid !== undefined && !(Number.isInteger(daemonPid) && daemonPid > 0)) throw new PortcullisError('USAGE', `--daemon-pid must be a process id, not "${pidText}"`);
  const root = str(values, 'root');
  const proc = str(values, 'proc');
  const engine = { dockerHost: str(values, 'docker-host') ?? io.env.DOCKER_HOST, daemonPid, ...(root ? { root: resolve(io.cwd, root) } : {}), ...(proc ? { procRoot: resolve(io.cwd, proc) } : {}) };
  const noTargets = (what: string) => {
    if (targets.length > 0) throw new PortcullisError('USAGE', `compliance ${what} takes no target (use --docker-host and --root)`);
  };
  switch (word) {
    case 'daemon':
      noTargets('daemon');
      return evaluateDaemon(checks, engine);
    case 'host':
      noTargets('host');
      return evaluateHost(checks, { ...engine, env: io.env });
    case 'container':
      return evaluateContainers(checks, { ...engine, refs: targets, all: values.all === true });
    case 'image': {
      if (targets.length !== 1) throw new PortcullisError('USAGE', 'compliance image takes exactly one image reference');
      const image = await openImage(resolveImageArg(targets[0] as string, io), imageSourceOptions(values, io));
      try {
        const cache = layerCacheOf(values, io);
        return await evaluateImage(checks, image, cache ? { cache } : {});
      } finally {
        await image.close();
      }
    }
    case 'k8s': {
      if (targets.length === 0) throw new PortcullisError('USAGE', 'compliance k8s takes manifest files (or - for standard input)');
      const files = [];
      for (const t of targets) files.push({ name: t, text: t === '-' ? await readStdin(io) : readText(t, io, 'manifest') });
      return evaluateManifests(checks, files);
    }
  }
}

export async function complianceCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, io.env);
  if (values.help) {
    io.stdout.write(helpText(USAGE, OPTIONS));
    return 0;
  }
  const [word, ...targets] = positionals;
  if (!word || !(TARGET_WORDS as readonly string[]).includes(word)) throw new PortcullisError('USAGE', `compliance needs a target kind: ${TARGET_WORDS.join(', ')} (see portcullis compliance --help)`);
  const format = str(values, 'format') ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format)) throw new PortcullisError('USAGE', `unknown format "${format}"; use one of ${FORMATS.join(', ')}`);
  const failOn = parseFailOn(str(values, 'fail-on'));

  let checks: Check[] = [...BUILTIN_CHECKS];
  let frameworks: Framework[] = [...BUILTIN_FRAMEWORKS];
  for (const file of list(values, 'checks')) {
    const custom = loadCustom(readText(file, io, 'custom checks'), file, new Set(checks.map((c) => c.id)));
    checks = [...checks, ...custom.checks];
    frameworks = [...frameworks, ...custom.frameworks];
  }
  const only = list(values, 'framework');
  for (const id of only) if (!frameworks.some((f) => f.id === id)) throw new PortcullisError('USAGE', `unknown framework "${id}"; known: ${frameworks.map((f) => f.id).join(', ')}`);

  const ev = await evaluate(word as TargetWord, targets, checks, values, io);
  const report = buildReport({
    toolVersion: VERSION,
    target: ev.checks[0]?.target ?? (word === 'k8s' ? 'k8s-workload' : (word as 'image')),
    subject: ev.subject,
    checks: ev.checks,
    results: ev.results,
    frameworks,
    ...(only.length ? { onlyFrameworks: only } : {}),
    ...(ev.capabilities ? { capabilities: ev.capabilities } : {}),
    problems: ev.problems,
  });
  const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'sarif' ? renderSarif(report, ev.sources) : renderTable(report);
  const out = str(values, 'output');
  writeResult(values, io, text);
  if (format !== 'table' || out) for (const p of ev.problems) io.stderr.write(`warning: [${p.code}] ${p.message}\n`);
  const failed = failedAtSeverity(report, failOn);
  if (failed.length > 0) {
    throw new PortcullisError('COMPLIANCE_FAILED', `${failed.length} checks failed at severity ${failOn.join(', ')}: ${failed.map((c) => c.id).join(', ')}`);
  }
  return 0;
}
