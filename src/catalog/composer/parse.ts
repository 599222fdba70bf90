/**
 * Composer's package lists (https://getcomposer.org/doc/01-basic-usage.md#installing-dependencies):
 * `composer.lock` (`packages` + `packages-dev`) and `vendor/composer/installed.json` — Composer 1
 * wrote a bare array, Composer 2 writes `{packages, dev, dev-package-names}`.
 */
export interface ComposerEntry {
  readonly name: string;
  readonly version: string;
  readonly versionNormalized?: string;
  readonly dev: boolean;
  readonly licenses: string[];
  readonly requires: string[];
  readonly installPath?: string;
  readonly reference?: string;
  readonly type?: string;
}

export interface ComposerParse {
  readonly entries: ComposerEntry[];
  readonly messages: string[];
  readonly format: 'composer-lock' | 'installed-v1' | 'installed-v2';
}

/** A real project has a few hundred packages; beyond this the file is hostile. */
const MAX_ENTRIES = 100_000;
const MAX_MESSAGES = 20;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseComposerJson(text: string, kind: 'lock' | 'installed'): ComposerParse {
  const messages: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return {
      entries: [],
      messages: [`not valid JSON: ${(err as Error).message.slice(0, 200)}`],
      format: kind === 'lock' ? 'composer-lock' : 'installed-v2',
    };
  }
  if (kind === 'lock') {
    if (!isObject(doc))
      return {
        entries: [],
        messages: ['not a JSON object'],
        format: 'composer-lock',
      };
    const entries = [...list(doc.packages, false, messages), ...list(doc['packages-dev'], true, messages)];
    if (!Array.isArray(doc.packages)) messages.push('"packages" is not an array');
    return {
      entries,
      messages: messages.slice(0, MAX_MESSAGES),
      format: 'composer-lock',
    };
  }
  if (Array.isArray(doc))
    return {
      entries: list(doc, false, messages),
      messages: messages.slice(0, MAX_MESSAGES),
      format: 'installed-v1',
    };
  if (!isObject(doc) || !Array.isArray(doc.packages)) {
    return {
      entries: [],
      messages: ['neither a Composer 1 array nor a Composer 2 {packages} object'],
      format: 'installed-v2',
    };
  }
  const devNames = new Set(Array.isArray(doc['dev-package-names']) ? doc['dev-package-names'].filter((n) => typeof n === 'string') : []);
  const entries = list(doc.packages, false, messages).map((e) => (devNames.has(e.name) ? { ...e, dev: true } : e));
  return {
    entries,
    messages: messages.slice(0, MAX_MESSAGES),
    format: 'installed-v2',
  };
}

function list(value: unknown, dev: boolean, messages: string[]): ComposerEntry[] {
  if (!Array.isArray(value)) return [];
  if (value.length > MAX_ENTRIES) messages.push(`more than ${MAX_ENTRIES} packages; the rest were ignored`);
  const out: ComposerEntry[] = [];
  for (const item of value.slice(0, MAX_ENTRIES)) {
    const entry = isObject(item) ? toEntry(item, dev) : undefined;
    if (entry) out.push(entry);
    else if (messages.length <= MAX_MESSAGES) messages.push(`package entry ${out.length + 1} has no string name and version`);
  }
  return out;
}

function toEntry(item: Record<string, unknown>, dev: boolean): ComposerEntry | undefined {
  const name = item.name;
  const version = item.version;
  if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) return undefined;
  const license = item.license;
  const licenses = (Array.isArray(license) ? license : [license]).filter((l): l is string => typeof l === 'string' && l.length > 0);
  const requires = isObject(item.require) ? Object.keys(item.require) : [];
  const source = isObject(item.dist) ? item.dist : isObject(item.source) ? item.source : {};
  const normalized = typeof item.version_normalized === 'string' ? item.version_normalized : normalizeVersion(version);
  return {
    name,
    version,
    dev,
    licenses: licenses.slice(0, 32),
    requires: requires.slice(0, 10_000),
    ...(normalized ? { versionNormalized: normalized } : {}),
    ...(typeof item['install-path'] === 'string' ? { installPath: item['install-path'] } : {}),
    ...(typeof source.reference === 'string' ? { reference: source.reference } : {}),
    ...(typeof item.type === 'string' ? { type: item.type } : {}),
  };
}

/**
 * Composer's own normalization for plain releases (VersionParser::normalize): drop a leading
 * `v`, pad to four numeric parts. Other forms (dev branches, stabilities) are left out.
 */
export function normalizeVersion(version: string): string | undefined {
  const m = /^[vV]?(\d+(?:\.\d+){0,3})$/.exec(version);
  if (!m) return undefined;
  const parts = (m[1] as string).split('.');
  while (parts.length < 4) parts.push('0');
  return parts.join('.');
}
