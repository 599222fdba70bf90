// The policy benchmark's case, shared by bench/policy/run.mjs and
// src/policy/bench-result.test.ts (which pins its evaluated result byte for byte): 50 rules
// over every criterion family (CEL included), 10 exceptions, and a seeded pseudo-random input
// with `n` findings, so every run measures the same thing. Plain data: the caller parses and
// compiles it with the engine it measures (dist/ for the bench, src/ for the test).
import { stringify } from 'yaml';

export function benchCase(n = 1000) {
  // A deterministic pseudo-random sequence, so every run measures the same input.
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const hex = (n) => n.toString(16).padStart(64, '0');
  const SEV = ['unknown', 'negligible', 'low', 'medium', 'high', 'critical'];
  const TYPES = ['deb', 'npm', 'pypi', 'golang', 'maven', 'rpm', 'apk'];
  const day = (d) => new Date(Date.UTC(2026, 0, 1) - d * 86400000).toISOString();

  const findings = Array.from({ length: n }, (_, i) => {
    const fixed = rnd() < 0.7;
    const sev = pick(SEV);
    return {
      id: `CVE-20${10 + (i % 16)}-${10000 + i}`,
      aliases: [`CVE-20${10 + (i % 16)}-${10000 + i}`, `GHSA-${i.toString(36)}-bench`],
      package: { name: `pkg-${i % 300}`, type: pick(TYPES), version: `1.${i % 7}.${i % 11}` },
      severity: sev,
      cvss: rnd() < 0.8 ? [{ version: pick(['3.1', '3.0', '2.0', '4.0']), vector: '', score: Math.round(rnd() * 100) / 10, source: pick(['nvd', 'ghsa', 'debian']) }] : [],
      fixedVersions: fixed ? [`1.${i % 7}.${(i % 11) + 1}`] : [],
      published: day(Math.floor(rnd() * 2000)),
      ...(fixed && rnd() < 0.8 ? { fixPublished: day(Math.floor(rnd() * 400)) } : {}),
      ...(rnd() < 0.02 ? { kev: { dateAdded: '2024-01-01' } } : {}),
      ...(rnd() < 0.6 ? { epss: { score: Math.round(rnd() * 1000) / 1000, percentile: Math.round(rnd() * 1000) / 1000, date: '2026-01-01' } } : {}),
    };
  });

  const input = {
    now: '2026-01-01T00:00:00Z',
    image: { reference: 'registry.example.com/team/app:1.0', registry: 'registry.example.com', repository: 'team/app', tag: '1.0', digest: `sha256:${hex(7)}`, labels: { team: 'payments' }, diffIds: [hex(1), hex(2), hex(3)].map((h) => `sha256:${h}`) },
    findings,
    signatures: { checked: true, verified: [{ keyId: 'ci', digest: `sha256:${hex(7)}` }], errors: [] },
    compliance: Array.from({ length: 12 }, (_, i) => ({ id: `cis-docker-4.${i + 1}`, status: i % 5 === 0 ? 'fail' : 'pass' })),
    context: { namespace: 'prod-pay', cluster: 'eu-1' },
  };

  // Deny lists as people write them: mostly exact names and ids, a few globs.
  const names = (prefix, n) => Array.from({ length: n }, (_, i) => (i % 10 === 9 ? `${prefix}${i}*` : `${prefix}${i}`));
  const rules = [];
  const add = (name, action, criteria, scope) => rules.push({ name, stages: ['deploy'], action, ...(scope ? { scope } : {}), criteria });
  for (const [i, d] of [7, 14, 30, 60, 90, 120, 180, 365, 730, 1000].entries()) add(`sla-${i}`, i % 2 ? 'alert' : 'block', { severity: SEV[2 + (i % 4)], fixOlderThanDays: d });
  for (let i = 0; i < 5; i++) add(`cvss-${i}`, 'alert', { cvss: { min: 5 + i, ...(i % 2 ? { version: '3.1' } : {}), ...(i === 3 ? { source: 'nvd' } : {}) } });
  for (let i = 0; i < 3; i++) add(`epss-${i}`, 'alert', { epss: { minScore: 0.3 + i * 0.2 } });
  add('kev', 'block', { kev: true });
  add('kev-not-fixed', 'alert', { kev: true, fixAvailable: false });
  for (let i = 0; i < 3; i++) add(`deny-pkg-${i}`, 'block', { packages: { in: names(`pkg-${i}`, 20) } });
  add('deny-ids', 'block', { vulnerabilityIds: { in: names('CVE-2012-100', 20) } });
  add('allow-types', 'alert', { packageTypes: ['deb', 'rpm', 'apk'], severity: 'high' });
  for (let i = 0; i < 5; i++) add(`count-${i}`, 'alert', { severity: SEV[1 + i], count: { moreThan: 10 * (i + 1) } });
  for (let i = 0; i < 5; i++) add(`published-${i}`, 'alert', { publishedOlderThanDays: 100 * (i + 1), fixAvailable: true, severity: 'medium' });
  add('registry', 'block', { registry: { notIn: ['registry.example.com', '*.corp.example'] } }, { namespaces: ['prod-*'] });
  add('repository', 'alert', { repository: { notIn: ['team/**', 'platform/*'] } });
  add('latest', 'alert', { tag: { in: ['latest'] } });
  add('pinned', 'alert', { digestPinned: false }, { clusters: ['eu-*'] });
  add('base', 'block', { baseImage: { notIn: [{ name: 'base', diffIds: [`sha256:${hex(1)}`, `sha256:${hex(2)}`] }] } });
  add('compliance-1', 'block', { compliance: { mustPass: ['cis-docker-4.1'] } });
  add('compliance-all', 'alert', { compliance: { mustPass: ['cis-docker-4.*'] } });
  add('compliance-2', 'alert', { compliance: { mustPass: ['cis-docker-4.6', 'cis-docker-4.10'] } });
  add('signed', 'block', { signatureRequired: true });
  add('signed-by', 'alert', { signatureRequired: { keyIds: ['ci', 'release-*'] } });
  add('cel-exists', 'alert', { cel: 'findings.exists(f, f.severity == "critical" && f.fixedVersions.size() > 0)' });
  add('cel-count', 'alert', { cel: 'findings.filter(f, f.package.type == "npm").size() > 100' });
  add('cel-image', 'alert', { cel: 'image.labels["team"] == "payments" && context.namespace.startsWith("prod")' });
  add('cel-kev', 'block', { cel: 'findings.exists(f, has(f.kev) && f.fixedVersions.size() == 0)' });
  add('scoped-label', 'block', { severity: 'critical', fixOlderThanDays: 30 }, { labels: { team: 'pay*' }, namespaces: ['prod-*'] });
  if (rules.length !== 50) throw new Error(`the benchmark wants 50 rules, has ${rules.length}`);

  const exceptions = Array.from({ length: 10 }, (_, i) => ({ name: `exc-${i}`, reason: 'bench', owner: 'bench', expires: i % 3 ? '2027-01-01' : '2025-06-01', match: i % 2 ? { packages: [`pkg-${i}`, `pkg-${i}0`] } : { vulnerabilities: Array.from({ length: 5 }, (_, k) => `CVE-2011-1${i}${k}0${k}`) } }));
  const doc = { apiVersion: 'portcullis.dev/v1', kind: 'Policy', metadata: { name: 'bench' }, spec: { rules, exceptions } };
  return { input, policyText: stringify(doc), rules, exceptions };
}
