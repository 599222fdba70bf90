import { readFile } from 'node:fs/promises';
import { PortcullisError } from '../../core/errors.js';
import { type Problem, problem } from '../../core/problem.js';
import { SingleFlight, TtlCache } from './cache.js';
import type { GroupsConfig, LdapConfig } from './config.js';
import { type GroupFile, loadGroupFile } from './file-source.js';
import { type DirectoryAnswer, type DirectorySecrets, LdapDirectory } from './ldap-source.js';

/** Where an answer came from: `cache` is an LDAP answer remembered within its TTL. */
export type LookupSource = 'file' | 'ldap' | 'cache' | 'none';

export interface GroupLookup {
  /** False for a user no source knows, and whenever the directory could not answer (fail closed). */
  readonly known: boolean;
  /** Sorted, without duplicates: the union of the file's and the directory's groups. */
  readonly groups: readonly string[];
  readonly source: LookupSource;
  /** Why the user is not known when that is not simply "no such user". */
  readonly problem?: Problem;
}

export interface GroupResolver {
  /** Never throws for directory or input errors and never waits longer than the LDAP timeoutMs. */
  groupsOf(user: string): Promise<GroupLookup>;
  close(): Promise<void>;
}

export interface ResolverOptions {
  /**
   * On a config reload, the resolver being replaced: its LDAP cache is carried over when the
   * LDAP settings did not change, so a reload does not send every user back to the directory.
   */
  readonly reuseCacheOf?: GroupResolver;
  /** Clock for the cache (tests). */
  readonly now?: () => number;
}

/** A certificate CN is at most 64 characters (RFC 5280 ub-common-name); 256 leaves room for other front ends. */
export const MAX_USER_LENGTH = 256;
// C0 controls and DEL: no certificate CN a CA would sign carries them.
const CONTROL = /[\u0000-\u001f\u007f]/;

const UNKNOWN: GroupLookup = Object.freeze({ known: false, groups: Object.freeze([]), source: 'none' });

function refused(code: Problem['code'], message: string): GroupLookup {
  return { known: false, groups: [], source: 'none', problem: problem(code, message, { source: 'identity' }) };
}

function union(a: readonly string[], b: readonly string[]): readonly string[] {
  return b.length === 0 ? a : [...new Set([...a, ...b])].sort();
}

async function readSecret(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new PortcullisError('AUTHZ_CONFIG', `groups.ldap.${what} ${path} cannot be read: ${(err as Error).message}`, { path }, { cause: err });
  }
}

async function loadSecrets(ldap: LdapConfig): Promise<DirectorySecrets> {
  // One trailing newline is how editors and `echo` end a file; it is not part of the password.
  const bindPassword = ldap.bindPasswordFile !== undefined ? (await readSecret(ldap.bindPasswordFile, 'bindPasswordFile')).replace(/\r?\n$/, '') : undefined;
  const ca = ldap.caFile !== undefined ? await readSecret(ldap.caFile, 'caFile') : undefined;
  return { ...(bindPassword !== undefined ? { bindPassword } : {}), ...(ca !== undefined ? { ca } : {}) };
}

class CombinedResolver implements GroupResolver {
  private readonly flight = new SingleFlight<DirectoryAnswer>();

  constructor(
    private readonly file: GroupFile | undefined,
    private readonly ldap: { config: LdapConfig; directory: LdapDirectory; key: string; cache: TtlCache<DirectoryAnswer> } | undefined,
  ) {}

  /** The LDAP cache and the settings it was filled under, for `reuseCacheOf`. */
  cacheFor(key: string): TtlCache<DirectoryAnswer> | undefined {
    return this.ldap?.key === key ? this.ldap.cache : undefined;
  }

  async groupsOf(user: string): Promise<GroupLookup> {
    if (user === '') return UNKNOWN;
    if (user.length > MAX_USER_LENGTH) return refused('AUTHZ_REQUEST', `user name longer than ${MAX_USER_LENGTH} characters`);
    if (CONTROL.test(user)) return refused('AUTHZ_REQUEST', 'user name contains control characters');
    // LDAP's matching rules ignore surrounding spaces, so " alice" would find alice's entry.
    if (user.trim() !== user) return refused('AUTHZ_REQUEST', 'user name begins or ends with white space');
    const fromFile = this.file?.groupsOf(user);
    if (this.ldap === undefined) return fromFile !== undefined ? { known: true, groups: fromFile, source: 'file' } : UNKNOWN;

    const { cache } = this.ldap;
    const cached = cache.get(user);
    const answer = cached ?? (await this.flight.run(user, () => this.ask(user)));
    if (answer.kind === 'error') return refused(answer.code, answer.message);
    if (answer.kind === 'found') return { known: true, groups: union(answer.groups, fromFile ?? []), source: cached !== undefined ? 'cache' : 'ldap' };
    return fromFile !== undefined ? { known: true, groups: fromFile, source: 'file' } : UNKNOWN;
  }

  private async ask(user: string): Promise<DirectoryAnswer> {
    const { directory, cache, config } = this.ldap!;
    const answer = await directory.lookup(user);
    // Errors are not remembered: the next request tries the directory again.
    if (answer.kind === 'found') cache.set(user, answer, config.ttlSeconds * 1000);
    if (answer.kind === 'unknown') cache.set(user, answer, config.negativeTtlSeconds * 1000);
    return answer;
  }

  async close(): Promise<void> {
    await this.ldap?.directory.close();
  }
}

/**
 * Builds the resolver for one `groups` config: reads the group file, the bind password and
 * the CA now, so a reload with a broken file fails here (AUTHZ_CONFIG) and the caller keeps
 * the old resolver. Connecting to the directory waits for the first lookup.
 */
export async function makeGroupResolver(config: GroupsConfig, opts: ResolverOptions = {}): Promise<GroupResolver> {
  const file = config.file !== undefined ? await loadGroupFile(config.file) : undefined;
  if (config.ldap === undefined) return new CombinedResolver(file, undefined);
  const ldapConfig = config.ldap;
  const key = JSON.stringify(ldapConfig);
  const previous = opts.reuseCacheOf instanceof CombinedResolver ? opts.reuseCacheOf.cacheFor(key) : undefined;
  const cache = previous ?? new TtlCache<DirectoryAnswer>(ldapConfig.cacheSize, opts.now);
  const directory = new LdapDirectory(ldapConfig, await loadSecrets(ldapConfig));
  return new CombinedResolver(file, { config: ldapConfig, directory, key, cache });
}
