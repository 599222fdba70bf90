import YAML from 'yaml';
import { z } from 'zod';
import { schemeById } from '../../../version/registry.js';
import { normalizeEcosystem } from '../../ecosystem.js';
import type { AdvisoryInput } from '../../model.js';
import { type FeedReporter, quote } from '../reporter.js';

/**
 * Alpine secdb (https://secdb.alpinelinux.org/<release>/<repo>.json, or the YAML of the retired
 * alpine-secdb repository): per origin (source) package, fixed version → ids fixed in it
 * (SCANNER-NOTES §4.3). Only fixes are listed; the key "0" means never affected.
 */

const SecfixesSchema = z.record(z.string(), z.union([z.array(z.string().nullable()), z.literal(''), z.null()]));
const PackageSchema = z.object({
  pkg: z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+._-]*$/), secfixes: z.union([SecfixesSchema, z.literal(''), z.null()]).optional() }),
});
const DocumentSchema = z.object({
  distroversion: z.string().optional(),
  // YAML `packages:` with nothing under it reads as "" with the failsafe schema.
  packages: z.union([z.array(z.unknown()), z.literal(''), z.null()]),
});

const CVE = /^CVE-\d{4}-\d{4,}$/;
/** XSA-123, GHSA-xxxx-xxxx-xxxx, ALPINE-13661, TALOS-2019-0123; CVE-looking tokens must be CVEs. */
const OTHER_ID = /^(?!CVE-)[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$/;

interface AlpineAffected {
  ecosystem: string;
  name: string;
  status: 'fixed' | 'not_affected';
  ranges?: { type: 'ECOSYSTEM'; events: ({ introduced: string } | { fixed: string })[] }[];
}

const apk = schemeById('apk');

/**
 * Collects entries from every secdb file of a parse and emits one advisory per id at the end
 * (the same CVE is listed per release and repository). Memory is the size of the secdb itself,
 * a few MB for all releases.
 */
export class SecdbMerger {
  // id → "ecosystem\0name" → entry
  readonly #byId = new Map<string, Map<string, AlpineAffected>>();

  constructor(private readonly rep: FeedReporter) {}

  /** Parses one secdb document (JSON or YAML text); `release` is used when it names none. */
  addDocument(text: string, kind: 'json' | 'yaml', rel: string, release: string | undefined): void {
    let raw: unknown;
    try {
      // failsafe: every scalar stays a string (`1.10:` must not become the number 1.1).
      raw = kind === 'json' ? JSON.parse(text) : YAML.parse(text, { schema: 'failsafe', maxAliasCount: 100, uniqueKeys: false });
    } catch (err) {
      return this.rep.problem('FEED_PARSE', `invalid ${kind.toUpperCase()}: ${(err as Error).message.slice(0, 200)}`, rel);
    }
    const doc = DocumentSchema.safeParse(raw);
    if (!doc.success) return this.rep.problem('FEED_PARSE', 'not a secdb document (no packages list)', rel);
    const distro = doc.data.distroversion ?? release;
    const ecosystem = distro === undefined ? undefined : normalizeEcosystem(`Alpine:${distro}`);
    if (ecosystem === undefined) {
      return this.rep.problem('FEED_UNKNOWN_ECOSYSTEM', `Alpine release ${quote(distro ?? '(none)')} is not v<major>.<minor> or edge; file skipped`, rel);
    }
    for (const [i, entry] of (Array.isArray(doc.data.packages) ? doc.data.packages : []).entries()) {
      const p = PackageSchema.safeParse(entry);
      if (!p.success) {
        this.rep.problem('FEED_PARSE', `packages[${i}]: ${p.error.issues[0]?.message ?? 'invalid'} at ${p.error.issues[0]?.path.join('.') ?? ''}; skipped`, rel);
        continue;
      }
      const { name, secfixes } = p.data.pkg;
      if (!secfixes) continue;
      for (const [version, items] of Object.entries(secfixes)) this.#addFix(ecosystem, name, version, Array.isArray(items) ? items : [], rel);
    }
  }

  #addFix(ecosystem: string, name: string, version: string, items: readonly (string | null)[], rel: string): void {
    const fixed = version.trim();
    if (fixed !== '0' && !apk?.isValid(fixed)) {
      return this.rep.problem('VERSION_INVALID', `${name} in ${ecosystem}: ${quote(fixed)} is not a valid apk version`, rel);
    }
    for (const item of items) {
      for (const token of (item ?? '').split(/\s+/)) {
        if (token === '') continue;
        if (!CVE.test(token) && !OTHER_ID.test(token)) {
          this.rep.problem('FEED_PARSE', `${name} ${fixed}: ${quote(token)} is not a vulnerability id; skipped`, rel);
          continue;
        }
        this.#put(token, ecosystem, name, fixed);
      }
    }
  }

  #put(id: string, ecosystem: string, name: string, fixed: string): void {
    let entries = this.#byId.get(id);
    if (!entries) this.#byId.set(id, (entries = new Map()));
    const key = `${ecosystem}\0${name}`;
    const next: AlpineAffected =
      fixed === '0'
        ? { ecosystem, name, status: 'not_affected' }
        : { ecosystem, name, status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] };
    const prev = entries.get(key);
    entries.set(key, prev === undefined ? next : pick(prev, next));
  }

  /** One advisory per id, sorted by id. */
  *advisories(): Generator<AdvisoryInput> {
    for (const id of [...this.#byId.keys()].sort()) {
      const affected = [...(this.#byId.get(id) as Map<string, AlpineAffected>).values()];
      const references = CVE.test(id) ? [{ type: 'ADVISORY', url: `https://security.alpinelinux.org/vuln/${id}` }] : [];
      yield { id, source: 'alpine', references, affected };
    }
  }
}

/**
 * Two fixes of one id for one package and release: a real fix beats "0", and the higher fixed
 * version wins (an id listed again later means the first fix was incomplete).
 */
function pick(a: AlpineAffected, b: AlpineAffected): AlpineAffected {
  if (a.status === 'not_affected') return b;
  if (b.status === 'not_affected') return a;
  const fa = fixedOf(a);
  const fb = fixedOf(b);
  return apk && apk.compare(fb, fa) > 0 ? b : a;
}

function fixedOf(a: AlpineAffected): string {
  const ev = a.ranges?.[0]?.events[1];
  return ev && 'fixed' in ev ? ev.fixed : '0';
}
