import type { AdvisoryInput } from '../../model.js';
import { clipText, type FeedReporter, quote } from '../reporter.js';
import { MAX_BLOCK_LINES, trackerReference } from './cve-list.js';
import { CVE_ID, type DebianAffected, type ReleaseFact, toAffected } from './releases.js';
import { listLines, packageLine } from './text-lines.js';

/**
 * data/DSA/list, data/DLA/list and data/DTSA/list of the security tracker:
 *   [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *   \t{CVE-2023-1393}
 *   \t[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 * One advisory per DSA/DLA/DTSA id, its CVEs as aliases, one fixed entry per release line.
 */

const HEADER = /^\[([^\]]+)\]\s+((?:DSA|DLA|DTSA)-\d+(?:-\d+)?)\s*(.*)$/;
const ALIASES = /^\s+\{([^}]*)\}\s*$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `29 Mar 2023` or `August 26th, 2005` → `2023-03-29T00:00:00Z`, undefined when it is neither. */
export function listDate(s: string): string | undefined {
  const a = /^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$/.exec(s.trim());
  const b = a ? undefined : /^([A-Za-z]+) (\d{1,2})(?:st|nd|rd|th)?, (\d{4})$/.exec(s.trim());
  const [day, mon, year] = a ? [a[1], a[2], a[3]] : b ? [b[2], b[1], b[3]] : [];
  const m = MONTHS.indexOf((mon ?? '').slice(0, 3).toLowerCase());
  if (m < 0 || day === undefined || year === undefined) return undefined;
  const d = new Date(Date.UTC(Number(year), m, Number(day)));
  if (d.getUTCDate() !== Number(day)) return undefined;
  return d.toISOString().replace('.000Z', 'Z');
}

interface Block {
  id: string;
  published: string | undefined;
  title: string;
  aliases: string[];
  facts: ReleaseFact[];
  lines: number;
}

function finish(b: Block, rep: FeedReporter, rel: string): AdvisoryInput | undefined {
  const affected: DebianAffected[] = [];
  for (const f of b.facts) {
    const a = toAffected(f, rep, rel);
    if (a) affected.push(a);
  }
  // Announcements (`DSA-4205-1 jessie end-of-life`) name neither a CVE nor a package.
  if (affected.length === 0 && b.aliases.length === 0) return undefined;
  const summary = clipText(b.title);
  return {
    id: b.id,
    source: 'debian',
    aliases: [...new Set(b.aliases)],
    ...(b.published ? { published: b.published } : {}),
    ...(summary ? { summary } : {}),
    references: [trackerReference(b.id)],
    affected,
  };
}

/** Streams one DSA/DLA/DTSA list, emitting one advisory per entry. */
export async function readAdvisoryList(dir: string, rel: string, emit: (a: AdvisoryInput) => void, rep: FeedReporter): Promise<void> {
  let block: Block | undefined;
  const close = () => {
    const a = block && finish(block, rep, rel);
    if (a) emit(a);
    block = undefined;
  };
  for await (const { no: lineNo, text } of listLines(dir, rel, rep)) {
    if (!/^\s/.test(text)) {
      close();
      const m = HEADER.exec(text);
      if (!m) {
        rep.problem('FEED_PARSE', `line ${lineNo}: ${quote(text)} is not an advisory header`, rel);
        continue;
      }
      const published = listDate(m[1] as string);
      if (!published) rep.problem('FEED_PARSE', `${m[2]}: date ${quote(m[1])} not understood`, rel);
      block = { id: m[2] as string, published, title: m[3] ?? '', aliases: [], facts: [], lines: 0 };
      continue;
    }
    if (!block) continue;
    if (++block.lines > MAX_BLOCK_LINES) {
      if (block.lines === MAX_BLOCK_LINES + 1) rep.problem('FEED_PARSE', `${block.id} has more than ${MAX_BLOCK_LINES} lines; the rest was skipped`, rel);
      continue;
    }
    const ids = ALIASES.exec(text);
    if (ids) {
      block.aliases.push(...(ids[1] as string).split(/\s+/).filter((t) => CVE_ID.test(t)));
      continue;
    }
    const p = packageLine(text);
    if (p === undefined) continue; // NOTE:
    if ('bad' in p) rep.problem('FEED_PARSE', `line ${lineNo} (${block.id}): ${p.bad}`, rel);
    else {
      const { sid: _sid, ...fact } = p;
      block.facts.push(fact);
    }
  }
  close();
}
