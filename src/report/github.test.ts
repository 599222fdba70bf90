import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { MAX_ANNOTATIONS, MAX_ROWS, githubReporter } from './github.js';
import { HOSTILE, demoReport, emptyReport, hostileReport, hugeReport } from './testdata/reports.js';
import type { ScanReport } from './types.js';

/**
 * The github output read the two ways GitHub reads it: line by line by the Actions runner
 * (workflow commands, decoded as actions/runner's ActionCommand does), and as the job summary
 * by a GFM renderer (markdown-it with raw HTML on; GitHub drops HTML comments when it
 * sanitizes, so the comment is removed before looking at what is visible).
 */

interface Annotation {
  readonly command: string;
  readonly props: Record<string, string>;
  readonly data: string;
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/** What the runner sees on stdout: `::command k=v,k=v::data` lines, everything else is log. */
function runnerCommands(stdout: string): Annotation[] {
  const out: Annotation[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('::')) continue;
    const end = line.indexOf('::', 2);
    expect(end).toBeGreaterThan(2);
    const head = line.slice(2, end);
    const space = head.indexOf(' ');
    const command = space < 0 ? head : head.slice(0, space);
    const props: Record<string, string> = {};
    if (space >= 0) {
      for (const kv of head.slice(space + 1).split(',')) {
        const eq = kv.indexOf('=');
        props[kv.slice(0, eq)] = unescapeProperty(kv.slice(eq + 1));
      }
    }
    out.push({ command, props, data: unescapeData(line.slice(end + 2)) });
  }
  return out;
}

const md = new MarkdownIt({ html: true });

/** The job summary as a reader sees it: rendered, HTML comments gone. */
function visibleSummary(text: string): { html: string; rows: string[][] } {
  const html = md.render(text).replace(/<!--[\s\S]*?-->/g, '');
  const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => [...(m[1] as string).matchAll(/<td>([\s\S]*?)<\/td>/g)].map((c) => c[1] as string));
  return { html, rows };
}

const render = (report: ScanReport) => githubReporter.render(report, {});

describe('github reporter', () => {
  it('emits one annotation per finding, worst first, with file and title', () => {
    const cmds = runnerCommands(render(demoReport()));
    expect(cmds.map((c) => [c.command, c.props.title])).toEqual([
      ['error', 'NSWG-ECO-106 (high) in negotiator 0.3.0'],
      ['error', 'CVE-2014-7191 (high) in qs 0.6.6'],
      ['notice', 'CVE-2018-3721 (low) in lodash 4.17.4'],
      ['notice', 'CVE-2021-38561 (unknown) in golang.org/x/text v0.3.5'],
    ]);
    expect(cmds[1]?.props.file).toBe('app/node_modules/qs/package.json');
    expect(cmds[1]?.data).toBe('npm package qs 0.6.6 at /app/node_modules/qs/package.json is affected by CVE-2014-7191 (high); fixed in 1.0.0.');
  });

  it('renders a job summary table with one row per finding and hides the commands in it', () => {
    const text = render(demoReport());
    const { html, rows } = visibleSummary(text);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual(['high', 'CVE-2014-7191', '<code>qs</code>', '0.6.6', '1.0.0', '<code>/app/node_modules/qs/package.json</code>', '2']);
    expect(html).toContain('<h3>Portcullis: demo:1</h3>');
    expect(html).toContain('4 vulnerabilities in 6 packages, Debian GNU/Linux 12 (bookworm) (high: 2, low: 1, unknown: 1), 1 suppressed by VEX.');
    expect(html).not.toContain('::error');
    // No summary line could be taken for a command when the same text is on stdout.
    expect(text.split('\n').filter((l) => l.trim().startsWith('::'))).toHaveLength(4);
  });

  it('says so plainly when there is nothing to report', () => {
    const text = render(emptyReport());
    expect(runnerCommands(text)).toEqual([]);
    expect(text).not.toContain('<!--');
    expect(visibleSummary(text).html).toContain('0 vulnerabilities in 0 packages');
  });

  it('keeps hostile strings from starting commands, breaking the table or closing the comment', () => {
    const report = hostileReport();
    const text = render(report);
    const cmds = runnerCommands(text);
    // Exactly one command per finding: the `::error::` inside the package name stays data.
    expect(cmds.map((c) => c.command)).toEqual(['error', 'warning']);
    const clean = (s: string) => s.replace(/[\u0000\u0007]/g, '');
    expect(cmds[0]?.props.title).toBe(clean(`${HOSTILE.id} (critical) in ${HOSTILE.name} ${HOSTILE.version}`));
    expect(cmds[0]?.props.file).toBe(HOSTILE.path.slice(1));
    expect(cmds[0]?.data).toContain(clean(HOSTILE.name));
    const { html, rows } = visibleSummary(text);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r).toHaveLength(7);
    expect(html).not.toMatch(/<(img|script|a)\b/);
    // The package name holds `::error::` as data; the commands themselves stay hidden.
    expect(html).not.toMatch(/::(error|warning|notice) /);
    expect(html).toContain('&lt;img src=x&gt;');
  });

  it('never lets `-->` in a finding end the hidden block early', () => {
    const report = hostileReport();
    const evil = { ...report, findings: report.findings.map((f) => ({ ...f, summary: 'a --> b --!> c' })) };
    const text = render(evil);
    expect(text.match(/-->/g)).toHaveLength(1);
    expect(visibleSummary(text).html).not.toMatch(/::(error|warning|notice) /);
  });

  it('caps annotations and table rows on huge reports and says how many it left out', () => {
    const text = render(hugeReport(3000));
    const cmds = runnerCommands(text);
    expect(cmds).toHaveLength(MAX_ANNOTATIONS + 1);
    expect(cmds.slice(0, MAX_ANNOTATIONS).every((c) => c.command === 'error')).toBe(true);
    expect(cmds.at(-1)?.data).toBe(`${3000 - MAX_ANNOTATIONS} more findings are listed in the job summary and the report files.`);
    const { html, rows } = visibleSummary(text);
    expect(rows).toHaveLength(MAX_ROWS);
    expect(html).toContain(`${3000 - MAX_ROWS} more findings are in the report files.`);
    // The step summary limit is 1 MiB.
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
  });
});
