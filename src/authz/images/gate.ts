import { CATALOGERS } from '../../catalog/registry.js';
import { isPortcullisError } from '../../core/errors.js';
import type { Finding } from '../../core/finding.js';
import { LayerCache } from '../../image/layers/cache.js';
import { openImage } from '../../image/resolve.js';
import type { OpenedImage } from '../../image/types.js';
import { scanImage } from '../../inventory/scan-image.js';
import { matchInventory } from '../../match/match.js';
import { evaluatePolicy, imageFacts, type LoadedPolicy, type PolicyResult } from '../../policy/index.js';
import { VERSION } from '../../version.js';
import type { VulnDb } from '../../vulndb/db/open.js';

/**
 * The image half of a container create: the same policies as the CI gate, evaluated at the
 * `deploy` stage on the image the create names, read from the daemon that asked. Metadata
 * (tags, digests, labels, diffIDs) is read on every create; findings only when a deploy rule
 * needs them, scanned once per image id and kept in a bounded cache.
 *
 * The plugin's own reads reach dockerd, which asks the plugin about them: they carry a
 * header with a secret made at start (`mark`), and the request layer lets exactly those
 * read-only image calls through (server/handler.ts).
 */

export const INTERNAL_HEADER = 'X-Portcullis-Authz';

export interface ImageGateOptions {
  readonly policies: readonly LoadedPolicy[];
  /** unix:///var/run/docker.sock by default. */
  readonly dockerHost?: string;
  /** The secret the plugin's own requests carry. */
  readonly mark: string;
  /** Opened lazily, only when a rule needs findings. */
  readonly openDb?: () => Promise<VulnDb>;
  readonly cacheDir?: string;
  /** Scanned images kept (by image id). */
  readonly maxCached?: number;
  readonly host?: string;
}

export interface ImageVerdict {
  readonly allow: boolean;
  readonly rule: string;
  readonly reason: string;
  readonly result?: PolicyResult;
}

const needsFindings = (policies: readonly LoadedPolicy[]) =>
  policies.some((p) => p.rules.some((r) => r.stages.has('deploy') && (r.findingTests.length > 0 || r.count !== undefined)));

export class ImageGate {
  readonly #o: ImageGateOptions;
  readonly #active: boolean;
  readonly #findings: boolean;
  readonly #scans = new Map<string, Promise<readonly Finding[]>>();
  #db: Promise<VulnDb> | undefined;

  constructor(o: ImageGateOptions) {
    this.#o = o;
    this.#active = o.policies.some((p) => p.rules.some((r) => r.stages.has('deploy')));
    this.#findings = needsFindings(o.policies);
  }

  /** False when no policy has a deploy rule: creates are then decided by the roles alone. */
  get active(): boolean {
    return this.#active;
  }

  async check(image: string, now: Date): Promise<ImageVerdict> {
    if (!this.#active) return { allow: true, rule: 'image: no deploy rules', reason: 'no image policy applies' };
    let opened: OpenedImage;
    try {
      opened = await openImage(`docker:${image}`, { ...(this.#o.dockerHost ? { dockerHost: this.#o.dockerHost } : {}), dockerHeaders: { [INTERNAL_HEADER]: this.#o.mark } });
    } catch (err) {
      // `docker run` creates first and pulls on "No such image": the daemon answers 404 itself and creates nothing.
      if (isPortcullisError(err, 'IMAGE_NOT_FOUND')) return { allow: true, rule: 'image: not present', reason: `image ${image} is not in the daemon; the create will fail there` };
      throw err;
    }
    try {
      const id = opened.metadata.configDigest ?? image;
      const findings = this.#findings ? await this.#scan(id, opened) : [];
      const input = { now: now.toISOString(), image: imageFacts(opened.metadata), findings, ...(this.#o.host ? { context: { host: this.#o.host } } : {}) };
      const result = evaluatePolicy(this.#o.policies, input, 'deploy');
      const blocking = result.rules.filter((r) => r.matched && r.action === 'block');
      if (blocking.length === 0) {
        const alerts = result.rules.filter((r) => r.matched).map((r) => `${r.policy}/${r.rule}`);
        return { allow: true, rule: alerts.length ? `image alert: ${alerts.join(', ')}` : 'image: policy allows', reason: `image ${image}: ${result.verdict}`, result };
      }
      const why = blocking.map((r) => `${r.policy}/${r.rule}: ${r.why.join('; ')}`);
      return { allow: false, rule: `image policy: ${blocking.map((r) => `${r.policy}/${r.rule}`).join(', ')}`, reason: `image ${image} is blocked by policy: ${why.join(' | ')}`, result };
    } finally {
      await opened.close();
    }
  }

  #scan(id: string, opened: OpenedImage): Promise<readonly Finding[]> {
    const hit = this.#scans.get(id);
    if (hit) {
      // Refresh its place: the map's order is the eviction order.
      this.#scans.delete(id);
      this.#scans.set(id, hit);
      return hit;
    }
    const job = (async () => {
      const db = await (this.#db ??= this.#openDb());
      const cache = this.#o.cacheDir ? new LayerCache(this.#o.cacheDir) : undefined;
      const { inventory } = await scanImage(opened, { catalogers: CATALOGERS, toolVersion: VERSION, ...(cache ? { cache } : {}) });
      return matchInventory(inventory, db).findings;
    })();
    this.#scans.set(id, job);
    job.catch(() => this.#scans.delete(id));
    while (this.#scans.size > (this.#o.maxCached ?? 64)) this.#scans.delete(this.#scans.keys().next().value as string);
    return job;
  }

  #openDb(): Promise<VulnDb> {
    if (!this.#o.openDb) throw new Error('a deploy rule needs findings but the gate has no vulnerability database');
    return this.#o.openDb();
  }

  async close(): Promise<void> {
    if (this.#db) (await this.#db.catch(() => undefined))?.close();
  }
}
