import { randomBytes } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { formatError, toPortcullisError } from '../../core/errors.js';
import { locateDatabase } from '../../vulndb/locate.js';
import { syslogForwarder } from '../audit/forward/syslog.js';
import { webhookForwarder } from '../audit/forward/webhook.js';
import { loadAuditKey } from '../audit/key.js';
import { type AuditLog, openAuditLog } from '../audit/log.js';
import { type LoadedAuthzConfig, loadAuthzConfig } from '../config/load.js';
import type { AuditConfig } from '../config/schema.js';
import { makeGroupResolver } from '../identity/index.js';
import { ImageGate } from '../images/gate.js';
import type { AuthzAnswer } from './handler.js';
import { listenPlugin, wireLimit } from './listen.js';
import { type AuthzState, closeState } from './state.js';

/**
 * The running plugin: configuration snapshot, audit log and socket. `reload()` (on SIGHUP or
 * a change of any file the configuration was read from) builds a new snapshot beside the old
 * one and swaps it in; requests in flight finish on the old one, which is closed a little
 * later. A configuration that fails to load yields a snapshot that denies everything.
 */

export interface ServiceOptions {
  readonly config: string;
  readonly socket: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Audit directory used when the configuration cannot be read at start. */
  readonly fallbackAuditDir: string;
  readonly watch?: boolean;
  readonly log?: (line: string) => void;
  readonly onAnswer?: (phase: string, answer: AuthzAnswer, ms: number) => void;
}

const RETIRE_AFTER_MS = 30_000;

async function buildState(path: string, env: ServiceOptions['env'], mark: string, generation: number, previous?: AuthzState): Promise<AuthzState> {
  let loaded: LoadedAuthzConfig;
  try {
    loaded = await loadAuthzConfig(path);
  } catch (err) {
    return { generation, failure: formatError(toPortcullisError(err, 'AUTHZ_CONFIG')) };
  }
  const spec = loaded.config.spec;
  try {
    const groups = await makeGroupResolver(spec.identity.groups, previous?.groups ? { reuseCacheOf: previous.groups } : {});
    const images = new ImageGate({
      policies: loaded.policies,
      mark,
      host: hostname(),
      maxCached: spec.images.maxCached,
      ...(spec.images.cacheDir ? { cacheDir: spec.images.cacheDir } : {}),
      ...(spec.images.dockerHost || env.DOCKER_HOST ? { dockerHost: (spec.images.dockerHost ?? env.DOCKER_HOST) as string } : {}),
      openDb: async () => (await locateDatabase({ dbPath: spec.images.db, env })).db,
    });
    return { generation, loaded, groups, images };
  } catch (err) {
    return { generation, failure: formatError(toPortcullisError(err, 'AUTHZ_CONFIG')) };
  }
}

async function openAudit(a: AuditConfig): Promise<AuditLog> {
  const key = a.hmacKeyFile ? (await loadAuditKey(a.hmacKeyFile, { create: true })).key : undefined;
  return openAuditLog(a.dir, {
    ...(key ? { key } : {}),
    maxFileBytes: a.rotateBytes,
    ...(a.maxFileAgeHours ? { maxFileAgeMs: a.maxFileAgeHours * 3_600_000 } : {}),
    ...(a.retainFiles ? { retainFiles: a.retainFiles } : {}),
    forwarders: [...(a.syslog ? [syslogForwarder(a.syslog)] : []), ...(a.webhook ? [webhookForwarder(a.webhook)] : [])],
  });
}

export class AuthzService {
  #state: AuthzState;
  readonly #o: ServiceOptions;
  readonly #mark: string;
  readonly #audit: AuditLog;
  #server: Server | undefined;
  #watchers: FSWatcher[] = [];
  #reloading: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  /** Replaced snapshots not yet closed (requests in flight may still use them). */
  readonly #retired = new Set<AuthzState>();

  private constructor(o: ServiceOptions, mark: string, state: AuthzState, audit: AuditLog) {
    this.#o = o;
    this.#mark = mark;
    this.#state = state;
    this.#audit = audit;
  }

  static async start(o: ServiceOptions): Promise<AuthzService> {
    const mark = randomBytes(24).toString('base64url');
    const state = await buildState(o.config, o.env, mark, 1);
    const auditConfig = state.loaded?.config.spec.audit ?? { dir: o.fallbackAuditDir, rotateBytes: 64 * 1024 * 1024 };
    const audit = await openAudit(auditConfig);
    for (const f of audit.findings) o.log?.(`audit: ${f.kind}: ${f.message}`);
    const svc = new AuthzService(o, mark, state, audit);
    if (state.failure) o.log?.(`configuration not loaded, denying every request: ${state.failure}`);
    svc.#server = await listenPlugin({
      socket: o.socket,
      state: () => svc.#state,
      audit,
      mark,
      wireCap: (phase) => wireLimit(svc.#state.loaded?.config.spec.limits.maxBodyBytes ?? 1024 * 1024, phase),
      ...(o.onAnswer ? { onAnswer: o.onAnswer } : {}),
    });
    if (o.watch !== false) svc.#watch();
    return svc;
  }

  get generation(): number {
    return this.#state.generation;
  }

  get failure(): string | undefined {
    return this.#state.failure;
  }

  /** Loads the configuration again; serialised, so two triggers never race. */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(async () => {
      const old = this.#state;
      const next = await buildState(this.#o.config, this.#o.env, this.#mark, old.generation + 1, old);
      this.#state = next;
      this.#o.log?.(next.failure ? `reload ${next.generation} failed, denying every request: ${next.failure}` : `reload ${next.generation}: configuration loaded`);
      const a = next.loaded?.config.spec.audit;
      if (a && a.dir !== this.#audit.dir) this.#o.log?.(`audit.dir changed to ${a.dir}: it takes effect at the next start`);
      this.#retired.add(old);
      setTimeout(() => {
        this.#retired.delete(old);
        void closeState(old);
      }, RETIRE_AFTER_MS).unref();
      if (this.#o.watch !== false) this.#watch();
    });
    return this.#reloading;
  }

  #watch(): void {
    for (const w of this.#watchers) w.close();
    const files = this.#state.loaded?.files ?? [this.#o.config];
    this.#watchers = files.flatMap((f) => {
      try {
        // Editors replace files by rename; a debounce folds the burst of events into one reload.
        return [watch(f, { persistent: false }, () => this.#debounce())];
      } catch {
        return [];
      }
    });
  }

  #debounce(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.reload(), 200);
    this.#timer.unref();
  }

  stats(): ReturnType<AuditLog['stats']> {
    return this.#audit.stats();
  }

  async stop(): Promise<void> {
    for (const w of this.#watchers) w.close();
    if (this.#timer) clearTimeout(this.#timer);
    // Requests in flight finish; idle keep-alive connections from dockerd are closed.
    const closed = new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server?.closeIdleConnections();
    await closed;
    await this.#reloading;
    await Promise.all([this.#state, ...this.#retired].map(closeState));
    this.#retired.clear();
    await this.#audit.close();
  }
}
