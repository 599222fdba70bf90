import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, ResultCodeError } from 'ldapts';
import type { ErrorCode } from '../../core/errors.js';
import type { LdapConfig } from './config.js';
import { fillFilter } from './filter.js';

/** What the directory says about one user. Errors are data: the caller fails closed. */
export type DirectoryAnswer =
  | { readonly kind: 'found'; readonly dn: string; readonly groups: readonly string[] }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'error'; readonly code: ErrorCode; readonly message: string };

/** Read from files when the resolver is built (see resolver.ts). */
export interface DirectorySecrets {
  readonly bindPassword?: string;
  /** PEM CA certificates that verify the server (caFile). */
  readonly ca?: string;
}

/** The connection went away between two operations; a fresh session may succeed. */
class SessionLost extends Error {}

const unreachable = (message: string): DirectoryAnswer => ({ kind: 'error', code: 'DIRECTORY_UNREACHABLE', message });

/** `[::1]` → `::1`: the URL form of an IPv6 host is not what TLS verification expects. */
function urlHost(url: string): string {
  const host = new URL(url).hostname;
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/**
 * One LDAP directory behind one reused, bound connection. `lookup` never throws and never
 * takes longer than `timeoutMs`: a hung or refusing server yields an `error` answer.
 */
export class LdapDirectory {
  private session: Promise<Client> | undefined;
  private closed = false;
  private readonly tls: ConnectionOptions;

  constructor(
    private readonly config: LdapConfig,
    private readonly secrets: DirectorySecrets = {},
  ) {
    this.tls = { minVersion: 'TLSv1.2', ...(secrets.ca !== undefined ? { ca: secrets.ca } : {}) };
  }

  async lookup(user: string): Promise<DirectoryAnswer> {
    if (this.closed) return unreachable('the group resolver was closed');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<DirectoryAnswer>((resolve) => {
      timer = setTimeout(() => {
        // The connection may be wedged (a stopped server keeps the socket open): never reuse it.
        this.drop();
        resolve(unreachable(`${this.config.url} gave no answer within ${this.config.timeoutMs} ms`));
      }, this.config.timeoutMs);
    });
    try {
      return await Promise.race([this.attempt(user), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.drop();
  }

  private async attempt(user: string): Promise<DirectoryAnswer> {
    // A reused connection may have been closed by the server since (idle timeout, restart):
    // then one retry on a fresh connection. A fresh connection that fails is the answer.
    for (let tries = 0; ; tries++) {
      const reused = this.session !== undefined;
      const current = this.session ?? (this.session = this.connect());
      let client: Client;
      try {
        client = await current;
      } catch (err) {
        this.drop(current);
        return this.failure(err);
      }
      try {
        return await this.query(client, user);
      } catch (err) {
        if (err instanceof ResultCodeError) return this.failure(err);
        this.drop(current);
        if (!reused || tries > 0) return this.failure(err);
      }
    }
  }

  private async connect(): Promise<Client> {
    const { url, timeoutMs, startTLS, bindDN } = this.config;
    const secure = url.toLowerCase().startsWith('ldaps:');
    const client = new Client({
      url,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      ...(secure ? { tlsOptions: this.tls } : {}),
    });
    try {
      if (startTLS) await client.startTLS({ ...this.tls, host: urlHost(url) });
      // Without bindDN: an anonymous simple bind (RFC 4513 §5.1.1). Binding either way opens
      // the connection now, so query() can tell this session's socket from a silent reconnect.
      await client.bind(bindDN ?? '', bindDN !== undefined ? (this.secrets.bindPassword ?? '') : '');
      return client;
    } catch (err) {
      client.unbind().catch(() => {});
      throw err;
    }
  }

  /** Forgets the session (the given one, or whatever is current) and closes its connection. */
  private drop(which?: Promise<Client>): void {
    const current = this.session;
    if (current === undefined || (which !== undefined && which !== current)) return;
    this.session = undefined;
    current.then((client) => client.unbind()).catch(() => {});
  }

  private async query(client: Client, user: string): Promise<DirectoryAnswer> {
    const { baseDN, groupBaseDN, userFilter, groupFilter, groupAttribute, timeoutMs } = this.config;
    const timeLimit = Math.max(1, Math.ceil(timeoutMs / 1000));
    // ldapts reconnects a dropped client by itself, without startTLS and without the bind:
    // checking right before each call (in the same tick) makes sure that never happens.
    const live = () => {
      if (!client.isConnected) throw new SessionLost('the directory closed the connection');
      return client;
    };
    const users = await live().search(baseDN, {
      scope: 'sub',
      filter: fillFilter(userFilter, { user }),
      attributes: ['1.1'],
      // Two are enough to tell "exactly one" from "ambiguous".
      sizeLimit: 2,
      timeLimit,
    });
    const [entry, other] = users.searchEntries;
    if (entry === undefined) return { kind: 'unknown' };
    if (other !== undefined) {
      return { kind: 'error', code: 'AUTHZ_DENIED', message: `the user filter matches more than one directory entry for "${user}"` };
    }
    const found = await live().search(groupBaseDN ?? baseDN, {
      scope: 'sub',
      filter: fillFilter(groupFilter, { user, dn: entry.dn }),
      attributes: [groupAttribute],
      timeLimit,
    });
    const groups = new Set<string>();
    const wanted = groupAttribute.toLowerCase();
    for (const group of found.searchEntries) {
      for (const [name, value] of Object.entries(group)) {
        if (name.toLowerCase() !== wanted) continue;
        for (const v of Array.isArray(value) ? value : [value]) {
          const text = Buffer.isBuffer(v) ? v.toString('utf8') : v;
          if (text !== '') groups.add(text);
        }
      }
    }
    return { kind: 'found', dn: entry.dn, groups: [...groups].sort() };
  }

  private failure(err: unknown): DirectoryAnswer {
    if (err instanceof InvalidCredentialsError) return unreachable(`${this.config.url} refused the bind as ${this.config.bindDN ?? '(anonymous)'}: invalid credentials`);
    // ldapts' result errors carry the server's diagnostic text, often empty: name the result too.
    const result = err instanceof ResultCodeError ? `${err.name} (LDAP result ${err.code}) ` : '';
    const message = err instanceof Error ? (err.message.split('\n')[0] ?? '').trim() : String(err);
    return unreachable(`${this.config.url}: ${result}${message}`.trim());
  }
}
