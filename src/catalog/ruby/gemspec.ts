/**
 * Installed gem specifications (`specifications/*.gemspec`) are Ruby source written by
 * `Gem::Specification#to_ruby`. They are never evaluated: the few assignments we need are
 * read with patterns, as their generator writes them (SCANNER-NOTES.md §3.6).
 */

export type GemspecOutcome =
  | { readonly kind: 'spec'; readonly name: string; readonly version: string; readonly licenses: string[]; readonly platform?: string }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Ruby string literals as to_ruby and hand-written specs write them. */
const STRING_RE = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|%q\{([^}]*)\}|%q<([^>]*)>|%q\(([^)]*)\)/g;

/** A literal's value; interpolation `#{…}` is kept raw and flagged. */
interface Literal {
  readonly value: string;
  readonly interpolated: boolean;
}

/**
 * Right-hand sides we read (name, version, platform, licences) are short; an unterminated
 * literal over megabytes would make the scan quadratic, so only the start is looked at.
 */
const MAX_RHS = 4096;

function literals(rhs: string): Literal[] {
  const out: Literal[] = [];
  for (const m of rhs.slice(0, MAX_RHS).matchAll(STRING_RE)) {
    if (m[1] !== undefined) {
      const interpolated = /(^|[^\\])#\{/.test(m[1]);
      out.push({ value: m[1].replace(/\\(.)/g, '$1'), interpolated });
    } else {
      const raw = m[2] ?? m[3] ?? m[4] ?? m[5] ?? '';
      out.push({ value: raw.replace(/\\([\\'])/g, '$1'), interpolated: false });
    }
  }
  return out;
}

/** Gemspecs of real gems are a few KB; `files` lists can reach a few hundred KB. */
const MAX_SCAN = 4 * 1024 * 1024;

export function parseGemspec(text: string): GemspecOutcome {
  const src = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const block = /Gem::Specification\.new\s*(?:do|\{)\s*\|\s*([a-z_][A-Za-z0-9_]*)\s*\|/.exec(src);
  if (!block?.[1]) return { kind: 'invalid', reason: 'no `Gem::Specification.new do |s|` block' };
  const v = block[1];
  const assigned = (attr: string): string | undefined => {
    const re = new RegExp(`^[ \\t]*${v}\\.${attr}[ \\t]*=[ \\t]*(.*)$`, 'm');
    return re.exec(src)?.[1];
  };
  const nameLit = literals(assigned('name') ?? '')[0];
  if (!nameLit) return { kind: 'invalid', reason: `no \`${v}.name = "…"\`` };
  const versionLit = literals(assigned('version') ?? '')[0];
  if (!versionLit) return { kind: 'invalid', reason: `no \`${v}.version = "…"\`` };
  // Interpolation is resolved only when it names the spec's own name or version.
  const resolve = (lit: Literal, known: Record<string, string>): string | undefined => {
    if (!lit.interpolated) return lit.value;
    const out = lit.value.replace(/#\{\s*(?:[a-z_]\w*\.)?(name|version)\s*\}/g, (_, k: string) => known[k] ?? '#{?}');
    return out.includes('#{') ? undefined : out;
  };
  let version = resolve(versionLit, {});
  const name = resolve(nameLit, version === undefined ? {} : { version });
  if (version === undefined && name !== undefined) version = resolve(versionLit, { name });
  if (name === undefined || version === undefined) return { kind: 'invalid', reason: 'unresolved `#{…}` interpolation in name or version' };
  const licRhs = assigned('licenses') ?? assigned('license') ?? '';
  const licenses = literals(licRhs)
    .filter((l) => !l.interpolated)
    .map((l) => l.value);
  const platformLit = literals(assigned('platform') ?? '')[0];
  const platform = platformLit && !platformLit.interpolated && platformLit.value !== 'ruby' ? platformLit.value : undefined;
  return { kind: 'spec', name, version, licenses, ...(platform ? { platform } : {}) };
}
