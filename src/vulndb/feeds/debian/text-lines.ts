import { join } from 'node:path';
import { fileLines } from '../feed-io.js';
import type { FeedReporter } from '../reporter.js';
import { annotationOf, isUrgency, type ReleaseFact, SOURCE_PACKAGE } from './releases.js';

/**
 * The package lines shared by data/CVE/list and the DSA/DLA/DTSA lists
 * (https://security-team.debian.org/security_tracker.html#data-format):
 *   `\t- <pkg> <version | <annotation>> (urgency; bug #n)`   unstable (sid)
 *   `\t[<release>] - <pkg> <version | <annotation>> (note)`  a stable release
 */

/** A longer line is damage (real lines are under 1 KB); it is skipped, never held. */
export const MAX_LINE_BYTES = 64 * 1024;

/** The non-blank lines of a tracker list with their numbers; an over-long line and a read error are problems. */
export async function* listLines(dir: string, rel: string, rep: FeedReporter): AsyncGenerator<{ readonly no: number; readonly text: string }> {
  let no = 0;
  try {
    for await (const line of fileLines(join(dir, rel), MAX_LINE_BYTES)) {
      no++;
      if (line.tooLong) rep.problem('FEED_PARSE', `line ${no} is longer than ${MAX_LINE_BYTES} bytes; skipped`, rel);
      else if (line.text.trim() !== '') yield { no, text: line.text };
    }
  } catch (err) {
    rep.problem('FEED_PARSE', `cannot read: ${(err as Error).message}`, rel);
  }
}

const SID_LINE = /^\s+-\s+(\S+)(?:\s+(.*))?$/;
const RELEASE_LINE = /^\s+\[([a-z-]+)\]\s+-\s+(\S+)(?:\s+(.*))?$/;
const REST = /^(<[a-z-]+>|[^\s(]+)?\s*(?:\((.*)\))?\s*$/;

export type PackageLine = (ReleaseFact & { readonly sid: boolean }) | { readonly bad: string } | undefined;

/** One package line → a fact (`sid` tells the unstable line), `{ bad }` for a malformed one, undefined when it is no package line. */
export function packageLine(line: string): PackageLine {
  const sid = SID_LINE.exec(line);
  const rel = sid ? undefined : RELEASE_LINE.exec(line);
  if (!sid && !rel) return undefined;
  const release = sid ? 'sid' : (rel?.[1] as string);
  const pkg = (sid ? sid[1] : rel?.[2]) as string;
  const rest = ((sid ? sid[2] : rel?.[3]) ?? '').trim();
  if (!SOURCE_PACKAGE.test(pkg)) return { bad: `"${pkg.slice(0, 80)}" is not a source package name` };
  const m = REST.exec(rest);
  if (!m) return { bad: `cannot read "${rest.slice(0, 80)}"` };
  const word = m[1];
  const paren = m[2];
  let urgency: string | undefined;
  const notes: string[] = [];
  for (const part of (paren ?? '').split(';').map((p) => p.trim())) {
    if (part === '' || /^bug #\d+$/i.test(part) || part === 'bug filed') continue;
    if (urgency === undefined && isUrgency(part)) urgency = part;
    else notes.push(part);
  }
  const base = { sid: sid !== null, release, pkg, urgency, note: notes.length > 0 ? notes.join('; ') : undefined };
  if (word === undefined) return { bad: `${pkg} has neither a version nor an annotation` };
  if (word.startsWith('<')) {
    const annotation = annotationOf(word);
    return annotation ? { ...base, annotation } : { bad: `unknown annotation ${word.slice(0, 40)}` };
  }
  return { ...base, fixed: word };
}

/** Package facts of one block with the unstable line's urgency given to the release lines of the same package. */
export function withInheritedUrgency(facts: readonly (ReleaseFact & { readonly sid: boolean })[]): ReleaseFact[] {
  const urgencyOf = new Map<string, string>();
  for (const f of facts) if (f.sid && f.urgency) urgencyOf.set(f.pkg, f.urgency);
  return facts.map(({ sid: _sid, ...f }) => (f.urgency === undefined && urgencyOf.has(f.pkg) ? { ...f, urgency: urgencyOf.get(f.pkg) } : f));
}
