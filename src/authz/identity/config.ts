import { z } from 'zod';
import { checkTemplate } from './filter.js';

/** Loopback hosts, where a simple bind without TLS does not cross a network. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i;

/** `ldap://host[:port]` or `ldaps://host[:port]`: ldapts takes protocol, host and port only. */
const LDAP_URL = /^(ldaps?):\/\/([^/?#\s@]+?)(:\d{1,5})?\/?$/i;

/** An attribute name (RFC 4512 §1.4 descr); not an OID, as servers answer with the name. */
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*$/;

export const LdapConfigSchema = z
  .strictObject({
    url: z.string().regex(LDAP_URL, 'must be ldap://host[:port] or ldaps://host[:port]'),
    /** Service account for a simple bind; anonymous search when absent. */
    bindDN: z.string().min(1).optional(),
    /** File holding the bind password (trailing newline ignored); read when the resolver is built. */
    bindPasswordFile: z.string().min(1).optional(),
    baseDN: z.string().min(1),
    /** `{user}` is replaced by the user name, escaped per RFC 4515. */
    userFilter: z.string().default('(uid={user})'),
    /** Where groups are searched; `baseDN` when absent. */
    groupBaseDN: z.string().min(1).optional(),
    /** `{dn}` is the user's entry DN and `{user}` the user name, both escaped per RFC 4515. */
    groupFilter: z.string().default('(|(member={dn})(uniqueMember={dn})(memberUid={user}))'),
    /** The group entry's attribute whose values are the group names. */
    groupAttribute: z.string().regex(ATTRIBUTE, 'must be an attribute name').default('cn'),
    /** Bound for one whole lookup (connect, TLS, bind and both searches). */
    timeoutMs: z.number().int().min(50).max(60_000).default(5_000),
    ttlSeconds: z.number().positive().max(86_400).default(300),
    /** How long "no such user" is remembered; 0 turns negative caching off. */
    negativeTtlSeconds: z.number().min(0).max(86_400).default(60),
    /** Users kept in the cache; the least recently used are dropped beyond it. */
    cacheSize: z.number().int().positive().max(1_000_000).default(10_000),
    startTLS: z.boolean().default(false),
    /** PEM CA bundle that verifies the directory's certificate (ldaps:// or startTLS). */
    caFile: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const [, scheme, host] = LDAP_URL.exec(c.url) ?? [];
    if ((c.bindDN === undefined) !== (c.bindPasswordFile === undefined)) issue('bindDN', 'bindDN and bindPasswordFile go together');
    if (c.startTLS && scheme?.toLowerCase() === 'ldaps') issue('startTLS', 'startTLS is for ldap:// URLs; ldaps:// is TLS already');
    // A simple bind sends the password in clear: refuse that across a network.
    const tls = c.startTLS || scheme?.toLowerCase() === 'ldaps';
    if (c.bindDN !== undefined && !tls && !LOOPBACK.test(host ?? '')) issue('startTLS', 'a bind to a non-loopback directory needs ldaps:// or startTLS');
    const userProblem = checkTemplate(c.userFilter, ['user']);
    if (userProblem) issue('userFilter', userProblem);
    const groupProblem = checkTemplate(c.groupFilter, ['user', 'dn']);
    if (groupProblem) issue('groupFilter', groupProblem);
  });

export const GroupsConfigSchema = z.strictObject({
  /** YAML file: `users: {alice: [admins]}` and/or `groups: {devs: [alice]}`. */
  file: z.string().min(1).optional(),
  ldap: LdapConfigSchema.optional(),
});

export type LdapConfig = z.output<typeof LdapConfigSchema>;
export type GroupsConfig = z.output<typeof GroupsConfigSchema>;
