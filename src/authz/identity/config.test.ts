import { describe, expect, it } from 'vitest';
import { GroupsConfigSchema, LdapConfigSchema } from './config.js';

const base = { url: 'ldap://127.0.0.1:389', baseDN: 'dc=example,dc=org' };

describe('LdapConfigSchema', () => {
  it('fills the documented defaults', () => {
    expect(LdapConfigSchema.parse(base)).toEqual({
      ...base,
      userFilter: '(uid={user})',
      groupFilter: '(|(member={dn})(uniqueMember={dn})(memberUid={user}))',
      groupAttribute: 'cn',
      timeoutMs: 5000,
      ttlSeconds: 300,
      negativeTtlSeconds: 60,
      cacheSize: 10000,
      startTLS: false,
    });
  });

  it.each([
    ['ldaps with a CA and a bind', { url: 'ldaps://ldap.example.org:636', bindDN: 'cn=r', bindPasswordFile: '/p', caFile: '/ca.pem' }],
    ['startTLS bind to a remote host', { url: 'ldap://ldap.example.org', bindDN: 'cn=r', bindPasswordFile: '/p', startTLS: true }],
    ['plain bind on loopback', { url: 'ldap://localhost:3389/', bindDN: 'cn=r', bindPasswordFile: '/p' }],
    ['IPv6 loopback', { url: 'ldap://[::1]:3389', bindDN: 'cn=r', bindPasswordFile: '/p' }],
    ['a custom user filter', { userFilter: '(&(objectClass=person)(|(uid={user})(mail={user})))' }],
    ['a group filter on the user only', { groupFilter: '(memberUid={user})', groupBaseDN: 'ou=groups,dc=example,dc=org' }],
  ])('accepts %s', (_name, extra) => {
    expect(LdapConfigSchema.safeParse({ ...base, ...extra }).success).toBe(true);
  });

  it.each([
    ['an http URL', { url: 'http://127.0.0.1' }, 'url'],
    ['a URL with a path', { url: 'ldap://h/dc=x?uid' }, 'url'],
    ['a URL with credentials', { url: 'ldap://u:p@h' }, 'url'],
    ['a bindDN without password file', { bindDN: 'cn=r' }, 'bindDN'],
    ['a password file without bindDN', { bindPasswordFile: '/p' }, 'bindDN'],
    ['startTLS on ldaps', { url: 'ldaps://h', startTLS: true }, 'startTLS'],
    ['a clear-text bind across the network', { url: 'ldap://ldap.example.org', bindDN: 'cn=r', bindPasswordFile: '/p' }, 'startTLS'],
    ['a user filter without {user}', { userFilter: '(objectClass=person)' }, 'userFilter'],
    ['a user filter with {dn}', { userFilter: '(&(uid={user})(x={dn}))' }, 'userFilter'],
    ['a broken group filter', { groupFilter: '(member={dn}' }, 'groupFilter'],
    ['an OID group attribute', { groupAttribute: '2.5.4.3' }, 'groupAttribute'],
    ['a zero timeout', { timeoutMs: 0 }, 'timeoutMs'],
    ['an unknown key', { bindPassword: 'secret' }, ''],
  ])('rejects %s', (_name, extra, path) => {
    const result = LdapConfigSchema.safeParse({ ...base, ...extra });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('GroupsConfigSchema', () => {
  it('takes a file, a directory, both or neither', () => {
    expect(GroupsConfigSchema.parse({})).toEqual({});
    expect(GroupsConfigSchema.parse({ file: '/etc/portcullis/groups.yaml' })).toEqual({ file: '/etc/portcullis/groups.yaml' });
    expect(GroupsConfigSchema.parse({ file: '/g.yaml', ldap: base }).ldap?.ttlSeconds).toBe(300);
    expect(GroupsConfigSchema.safeParse({ files: '/g.yaml' }).success).toBe(false);
  });
});
