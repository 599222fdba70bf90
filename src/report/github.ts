import type { Finding, FindingSeverity } from '../core/finding.js';
import { markdownCode, markdownInline, workflowData, workflowProperty } from './escape.js';
import { fixText, imageName, packagePath } from './facts.js';
import { sortFindings } from './table.js';
import { type Reporter, type ScanReport, SEVERITY_ORDER } from './types.js';

/**
 * GitHub Actions output: workflow-command annotations
 * (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions) and a
 * Markdown job summary, in one text meant for a step's stdout piped through
 * `tee -a "$GITHUB_STEP_SUMMARY"` (see deploy/ci/README.md):
 * - on stdout the runner turns each `::error …::` line into an annotation;
 * - in the summary file those lines sit inside an HTML comment, which GitHub's Markdown
 *   renderer hides, and the table below them is the step summary.
 * The runner shows at most 10 annotations of each level per step, so the most severe come
 * first and the list stops at MAX_ANNOTATIONS; the summary file may hold 1 MiB, so the table
 * stops at MAX_ROWS and says how many rows it left out.
 */

export const MAX_ANNOTATIONS = 50;
export const MAX_ROWS = 500;

type Command = 'error' | 'warning' | 'notice';
const COMMAND: Readonly<Record<FindingSeverity, Command>> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice', negligible: 'notice', unknown: 'notice' };

/** `-->` (or `--!>`) would close the comment that hides the annotations in the summary; a soft hyphen before the `>` keeps it from forming. */
function commentSafe(s: string): string {
  return s.replace(/--(!?)>/g, '--$1\u00AD>');
}

export function githubAnnotations(report: ScanReport): string[] {
  const list = sortFindings(report.findings);
  const lines = list.slice(0, MAX_ANNOTATIONS).map((f) => {
    const path = packagePath(f);
    const props = [...(path ? [`file=${workflowProperty(path.replace(/^\/+/, ''))}`] : []), `title=${workflowProperty(`${f.id} (${f.severity}) in ${f.package.name} ${f.package.version}`)}`];
    const msg = `${f.package.type} package ${f.package.name} ${f.package.version}${path ? ` at ${path}` : ''} is affected by ${f.id} (${f.severity}); ${fixText(f)}.${f.summary ? ` ${f.summary}` : ''}`;
    return commentSafe(`::${COMMAND[f.severity]} ${props.join(',')}::${workflowData(msg)}`);
  });
  if (list.length > MAX_ANNOTATIONS) lines.push(`::notice title=${workflowProperty('More findings')}::${workflowData(`${list.length - MAX_ANNOTATIONS} more findings are listed in the job summary and the report files.`)}`);
  return lines;
}

function row(f: Finding): string {
  const path = packagePath(f);
  const layer = f.package.layer ? String(f.package.layer.index) : '';
  const cells = [markdownInline(f.severity), markdownInline(f.id), markdownCode(f.package.name), markdownInline(f.package.version), markdownInline(f.fixedVersions.join(', ') || fixText(f)), path ? markdownCode(path) : '', markdownInline(layer)];
  return `| ${cells.join(' | ')} |`;
}

export function githubSummary(report: ScanReport): string[] {
  const inv = report.inventory;
  const list = sortFindings(report.findings);
  const counts = SEVERITY_ORDER.map((s) => [s, list.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const os = inv.os ? `, ${inv.os.prettyName ?? `${inv.os.id} ${inv.os.versionId}`}` : '';
  const out = [
    `### Portcullis: ${markdownInline(imageName(inv))}`,
    '',
    `${list.length} vulnerabilities in ${inv.packages.length} packages${markdownInline(os)}${counts.length ? ` (${counts.map(([s, n]) => `${s}: ${n}`).join(', ')})` : ''}${report.suppressed.length ? `, ${report.suppressed.length} suppressed by VEX` : ''}.`,
    '',
  ];
  if (list.length) {
    out.push('| Severity | Vulnerability | Package | Installed | Fixed in | File | Layer |', '| --- | --- | --- | --- | --- | --- | --- |', ...list.slice(0, MAX_ROWS).map(row));
    if (list.length > MAX_ROWS) out.push('', `${list.length - MAX_ROWS} more findings are in the report files.`);
    out.push('');
  }
  if (report.problems.length) {
    out.push('<details><summary>Scan problems</summary>', '', ...report.problems.map((p) => `- ${markdownInline(`[${p.code}] ${p.message}${p.path ? ` (${p.path})` : ''}`)}`), '', '</details>', '');
  }
  out.push(`<sub>${markdownInline(`portcullis ${inv.tool.version}, ${report.database.kind} database built ${report.database.builtAt}`)}</sub>`);
  return out;
}

export function renderGithub(report: ScanReport): string {
  const annotations = githubAnnotations(report);
  const head = annotations.length ? ['<!-- portcullis: GitHub workflow commands (annotations); hidden in the job summary', ...annotations, '-->', ''] : [];
  return `${[...head, ...githubSummary(report)].join('\n')}\n`;
}

export const githubReporter: Reporter = {
  id: 'github',
  description: 'GitHub Actions annotations and job summary (pipe through tee -a "$GITHUB_STEP_SUMMARY")',
  render: (report) => renderGithub(report),
};
