import type { Package } from '../../core/package.js';
import type { Problem } from '../../core/problem.js';
import type { CapturedFile, CatalogView } from '../types.js';
import { dirName, looksBinary, makePackage, parseProblem, resolveInside, validName, validVersion } from './common.js';

/**
 * requirements*.txt: only `name==version` pins are definite; ranges, URLs and editable
 * installs name no exact version and are skipped.
 * https://pip.pypa.io/en/stable/reference/requirements-file-format/
 */

/** A real requirements file has hundreds of lines, not millions. */
const MAX_LINES = 100_000;
/** `name[extra1,extra2] == 1.2.3 ; marker` with optional spaces; `===` is arbitrary equality. */
const PIN_RE = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*===?\s*([^\s;,]+)\s*(?:;\s*(.*))?$/;

export function catalogRequirements(view: CatalogView, file: CapturedFile, problems: Problem[]): Package[] {
  if (looksBinary(file.content)) {
    problems.push(parseProblem(file, 'binary content where a requirements file was expected'));
    return [];
  }
  const packages: Package[] = [];
  const ids = new Set<string>();
  const unresolved: string[] = [];
  let count = 0;
  for (const line of logicalLines(file.content.toString('utf8'))) {
    if (++count > MAX_LINES) {
      problems.push(parseProblem(file, `more than ${MAX_LINES} lines; the rest were ignored`));
      break;
    }
    const include = /^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)$/.exec(line);
    if (include?.[1]) {
      // Includes are followed only by being cataloged themselves: name them when they are not.
      const target = resolveInside(dirName(file.path), include[1]);
      if (!target || !view.read(target)) unresolved.push(include[1]);
      continue;
    }
    if (line.startsWith('-')) continue; // -e, --index-url, --hash-only lines, other options
    const pkg = pinned(file, line);
    if (pkg && !ids.has(pkg.id)) {
      ids.add(pkg.id);
      packages.push(pkg);
    }
  }
  if (unresolved.length > 0) {
    const names = unresolved.slice(0, 10).join(', ');
    problems.push(parseProblem(file, `included requirement files not cataloged (unresolved): ${names}`, 'CATALOG_UNSUPPORTED'));
  }
  return packages;
}

/** A package for an exact pin; `==1.0,!=1.1`, `==1.*` and ranges do not match. */
function pinned(file: CapturedFile, line: string): Package | undefined {
  const requirement = withoutOptions(line);
  const m = PIN_RE.exec(requirement);
  if (!m?.[1] || !m[3]) return undefined; // a range, URL or bare name: no exact version
  const [, name, extras, version, marker] = m;
  if (version.includes('*') || !validName(name) || !validVersion(version)) return undefined;
  return makePackage({
    name,
    version,
    file,
    source: 'lockfile',
    idPath: file.path,
    metadata: {
      lockfile: 'requirements',
      ...(extras ? { extras: extras.split(',').map((e) => e.trim()).filter(Boolean) } : {}),
      ...(marker ? { markers: marker.trim() } : {}),
    },
  });
}

/**
 * The requirement without its per-requirement options (`--hash=sha256:…`, `--hash sha256:…`).
 * Token-based rather than one regex: a regex over long whitespace runs goes quadratic.
 */
function withoutOptions(line: string): string {
  const kept: string[] = [];
  const tokens = line.split(/[ \t]+/);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    if (!t.startsWith('--')) kept.push(t);
    else if (!t.includes('=')) i++; // `--hash VALUE`: skip the value too
  }
  return kept.join(' ').trim();
}

/** Lines with `\` continuations joined and `#` comments (at line start or after space) removed. */
function* logicalLines(text: string): Generator<string> {
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).replace(/(^|\s)#.*$/, '').trim();
    pending = '';
    if (full !== '') yield full;
  }
  const last = pending.replace(/(^|\s)#.*$/, '').trim();
  if (last !== '') yield last;
}
