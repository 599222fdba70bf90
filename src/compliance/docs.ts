import { CONCERNS } from './concerns.js';
import { controlsOf } from './frameworks/mapping.js';
import type { Framework } from './frameworks/schema.js';
import { describeRule, type Rule } from './rules.js';
import type { Check, ManualCheck } from './types.js';

/**
 * docs/compliance/*.md, generated from check and framework metadata. A test keeps the
 * committed files equal to this output; regenerate with
 * `PORTCULLIS_UPDATE_DOCS=1 npx vitest run src/compliance/docs.test.ts`.
 */
export interface BenchmarkDoc {
  readonly file: string;
  readonly title: string;
  readonly version: string;
  readonly intro: string;
  readonly checks: readonly Check[];
  readonly manual: readonly ManualCheck[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const HEADER = '<!-- Generated from src/compliance metadata by src/compliance/docs.ts; do not edit by hand. -->';

function checkSection(c: Check, frameworks: readonly Framework[]): string {
  const controls = controlsOf(c, frameworks).filter((x) => !x.framework.startsWith(c.benchmark));
  const byFw = new Map<string, string[]>();
  for (const x of controls) byFw.set(x.framework, [...(byFw.get(x.framework) ?? []), x.control]);
  const rule = (c as { rule?: Rule }).rule;
  return [
    `### ${c.id}: ${c.title}`,
    '',
    `- Target: \`${c.target}\`; severity: **${c.severity}**; ${rule ? `declarative: \`${rule.field}\` must be ${describeRule(rule)}${rule.failAs === 'warn' ? ' (else warn)' : ''}` : 'evaluated by code'}`,
    `- Concerns: ${c.concerns.map((k) => `\`${k}\``).join(', ')}`,
    `- Controls: ${[...byFw].map(([fw, ids]) => `${fw} ${ids.join(', ')}`).join('; ') || 'none'}`,
    ...(c.references?.length ? [`- References: ${c.references.join('; ')}`] : []),
    '',
    c.description,
    '',
    `Remediation: ${c.remediation}`,
    '',
  ].join('\n');
}

export function renderBenchmarkDoc(doc: BenchmarkDoc, frameworks: readonly Framework[]): string {
  const rows = doc.checks.map((c) => `| [${c.id}](#${c.id.replace(/\./g, '')}-${c.title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')}) | ${cell(c.title)} | ${c.target} | ${c.severity} |`);
  const manual = doc.manual.map((m) => `| ${m.id} | ${cell(m.title)} | ${cell(m.why)} |`);
  return [
    HEADER,
    `# ${doc.title} (${doc.version})`,
    '',
    doc.intro,
    '',
    `${doc.checks.length} automated checks${doc.manual.length ? `, ${doc.manual.length} manual recommendations` : ''}.`,
    '',
    '| Check | Title | Target | Severity |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    ...(manual.length ? ['## Manual recommendations (not evaluated)', '', '| Id | Title | Why it needs a person |', '| --- | --- | --- |', ...manual, ''] : []),
    '## Checks',
    '',
    ...doc.checks.map((c) => checkSection(c, frameworks)),
  ].join('\n');
}

export function renderFrameworksDoc(frameworks: readonly Framework[], checks: readonly Check[]): string {
  const parts = [
    HEADER,
    '# Compliance frameworks',
    '',
    'Every check names the concerns it protects; a framework control maps check ids and concerns, so a check is',
    'evidence for every control that names it or one of its concerns. Custom frameworks use the same format',
    '(YAML, `portcullis compliance … --checks FILE`).',
    '',
    '## Concerns',
    '',
    '| Concern | Meaning |',
    '| --- | --- |',
    ...Object.entries(CONCERNS).map(([k, v]) => `| \`${k}\` | ${cell(v)} |`),
    '',
  ];
  for (const fw of frameworks) {
    parts.push(`## ${fw.id}: ${fw.title}`, '', `Version ${fw.version}${fw.url ? `; ${fw.url}` : ''}.`, '', '| Control | Title | Checks |', '| --- | --- | --- |');
    for (const c of fw.controls) {
      const ids = checks.filter((x) => c.checks.includes(x.id) || c.concerns.some((k) => (x.concerns as readonly string[]).includes(k))).map((x) => x.id);
      parts.push(`| ${cell(c.id)} | ${cell(c.title)} | ${ids.length} (${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}) |`);
    }
    parts.push('');
  }
  return parts.join('\n');
}
