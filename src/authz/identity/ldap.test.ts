import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS_DN, PEOPLE_DN, type RunningSlapd, slapdSkipReason, startSlapd, SUFFIX } from '../../../test/helpers/slapd.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { GroupsConfigSchema } from './config.js';
import { type GroupResolver, makeGroupResolver } from './resolver.js';

const skip = slapdSkipReason();
const dirs = tmpDirPool('identity-ldap');
let ldap: RunningSlapd;
const resolvers: GroupResolver[] = [];

beforeAll(async () => {
  if (skip === undefined) ldap = await startSlapd();
});
afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()));
  await ldap?.stop();
  await dirs.removeAll();
});

async function resolver(ldapExtra: object = {}, top: object = {}): Promise<GroupResolver> {
  const config = GroupsConfigSchema.parse({
    ...top,
    ldap: { url: ldap.url, bindDN: ldap.readerDN, bindPasswordFile: ldap.readerPasswordFile, baseDN: SUFFIX, timeoutMs: 2000, ...ldapExtra },
  });
  const r = await makeGroupResolver(config);
  resolvers.push(r);
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip !== undefined)(`LDAP groups against a real slapd${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('finds groupOfNames (member DN) and posixGroup (memberUid) groups, then answers from the cache', async () => {
    const r = await resolver();
    expect(await r.groupsOf('alice')).toEqual({ known: true, groups: ['admins', 'devs', 'docker'], source: 'ldap' });
    expect(await r.groupsOf('bob')).toEqual({ known: true, groups: ['devs'], source: 'ldap' });
    expect(await r.groupsOf('dave')).toEqual({ known: true, groups: ['docker'], source: 'ldap' });
    const before = await ldap.searches('(uid=alice)');
    expect(await r.groupsOf('alice')).toEqual({ known: true, groups: ['admins', 'devs', 'docker'], source: 'cache' });
    expect(await ldap.searches('(uid=alice)')).toBe(before);
  });

  it("the directory's matching rules apply: uid is case-insensitive, memberUid case-exact", async () => {
    const r = await resolver();
    // ALICE finds alice's entry, hence her groupOfNames groups; posixGroup docker lists "alice" only.
    expect(await r.groupsOf('ALICE')).toEqual({ known: true, groups: ['admins', 'devs'], source: 'ldap' });
  });

  it('a user in no group is known with no groups; an unknown user is not known, and that is remembered', async () => {
    const r = await resolver({ groupBaseDN: GROUPS_DN });
    expect(await r.groupsOf('carol')).toEqual({ known: true, groups: [], source: 'ldap' });
    expect(await r.groupsOf('mallory')).toEqual({ known: false, groups: [], source: 'none' });
    const before = await ldap.searches('(uid=mallory)');
    expect(await r.groupsOf('mallory')).toEqual({ known: false, groups: [], source: 'none' });
    expect(await ldap.searches('(uid=mallory)')).toBe(before);
  });

  it('matches a member DN that itself needs escaping (cn=Smith\\, John)', async () => {
    const r = await resolver();
    expect(await r.groupsOf('jsmith')).toEqual({ known: true, groups: ['ops'], source: 'ldap' });
  });

  it.each(['*', '*)(uid=*', 'al*', '*)(|(uid=*', 'alice)(uid=bob', 'star', 'star\\2a'])('filter injection %j finds nobody', async (user) => {
    const r = await resolver();
    expect(await r.groupsOf(user)).toEqual({ known: false, groups: [], source: 'none' });
  });

  it('a name made of filter syntax matches only itself, and reaches slapd escaped', async () => {
    const r = await resolver();
    expect(await r.groupsOf('star*')).toEqual({ known: true, groups: ['stars'], source: 'ldap' });
    const escaped = 'filter="(uid=\\2A\\29\\28uid=\\2A)"';
    const before = await ldap.searches(escaped);
    await r.groupsOf('*)(uid=*');
    expect(await ldap.searches(escaped)).toBe(before + 1);
  });

  it('binds anonymously when no bindDN is configured', async () => {
    const r = await makeGroupResolver(GroupsConfigSchema.parse({ ldap: { url: ldap.url, baseDN: SUFFIX } }));
    resolvers.push(r);
    expect(await r.groupsOf('bob')).toEqual({ known: true, groups: ['devs'], source: 'ldap' });
  });

  it('joins the group file and the directory: union of groups; file-only users are known', async () => {
    const file = join(await dirs.make(), 'groups.yaml');
    await writeFile(file, 'users:\n  alice: [local-admins, devs]\n  build-bot: [ci]\n');
    const r = await resolver({}, { file });
    expect(await r.groupsOf('alice')).toEqual({ known: true, groups: ['admins', 'devs', 'docker', 'local-admins'], source: 'ldap' });
    expect(await r.groupsOf('build-bot')).toEqual({ known: true, groups: ['ci'], source: 'file' });
    expect(await r.groupsOf('nobody')).toEqual({ known: false, groups: [], source: 'none' });
  });

  it('keeps answers for ttlSeconds, then sees directory changes (positive and negative entries)', async () => {
    const r = await resolver({ ttlSeconds: 1, negativeTtlSeconds: 1 });
    expect((await r.groupsOf('bob')).groups).toEqual(['devs']);
    expect((await r.groupsOf('erin')).known).toBe(false);
    await ldap.modify(
      `dn: cn=admins,${GROUPS_DN}\nchangetype: modify\nadd: member\nmember: uid=bob,${PEOPLE_DN}\n\n` +
        `dn: uid=erin,${PEOPLE_DN}\nchangetype: add\nobjectClass: inetOrgPerson\ncn: erin\nsn: erin\nuid: erin\n\n` +
        `dn: cn=docker,${GROUPS_DN}\nchangetype: modify\nadd: memberUid\nmemberUid: erin\n`,
    );
    try {
      expect(await r.groupsOf('bob')).toEqual({ known: true, groups: ['devs'], source: 'cache' });
      expect((await r.groupsOf('erin')).known).toBe(false);
      await sleep(1100);
      expect(await r.groupsOf('bob')).toEqual({ known: true, groups: ['admins', 'devs'], source: 'ldap' });
      expect(await r.groupsOf('erin')).toEqual({ known: true, groups: ['docker'], source: 'ldap' });
    } finally {
      await ldap.modify(
        `dn: cn=admins,${GROUPS_DN}\nchangetype: modify\ndelete: member\nmember: uid=bob,${PEOPLE_DN}\n\n` +
          `dn: cn=docker,${GROUPS_DN}\nchangetype: modify\ndelete: memberUid\nmemberUid: erin\n\n` +
          `dn: uid=erin,${PEOPLE_DN}\nchangetype: delete\n`,
      );
    }
  });

  it('single flight: concurrent lookups of one user make one user search and one group search', async () => {
    const r = await resolver();
    const users = await ldap.searches('(uid=dave)');
    const groups = await ldap.searches('(memberUid=dave)');
    const answers = await Promise.all(Array.from({ length: 25 }, () => r.groupsOf('dave')));
    expect(new Set(answers.map((a) => JSON.stringify(a.groups)))).toEqual(new Set(['["docker"]']));
    expect(await ldap.searches('(uid=dave)')).toBe(users + 1);
    expect(await ldap.searches('(memberUid=dave)')).toBe(groups + 1);
  });

  it('reuses one bound connection for many lookups', async () => {
    const r = await resolver();
    const binds = () => ldap.log().then((log) => log.split('\n').filter((l) => l.includes(`BIND dn="${ldap.readerDN}" method=128`)).length);
    const before = await binds();
    for (const user of ['alice', 'bob', 'carol', 'dave', 'jsmith', 'nobody']) await r.groupsOf(user);
    expect(await binds()).toBe(before + 1);
  });

  it('reconnects (and binds again) when the server restarted since the last lookup', async () => {
    const r = await resolver();
    expect((await r.groupsOf('alice')).source).toBe('ldap');
    await ldap.restart();
    expect(await r.groupsOf('bob')).toEqual({ known: true, groups: ['devs'], source: 'ldap' });
  });

  it('a reload can carry the cache over when the LDAP settings are unchanged, and only then', async () => {
    const first = await resolver();
    await first.groupsOf('alice');
    const config = GroupsConfigSchema.parse({ ldap: { url: ldap.url, bindDN: ldap.readerDN, bindPasswordFile: ldap.readerPasswordFile, baseDN: SUFFIX, timeoutMs: 2000 } });
    const same = await makeGroupResolver(config, { reuseCacheOf: first });
    const changed = await makeGroupResolver({ ...config, ldap: { ...config.ldap!, groupBaseDN: GROUPS_DN } }, { reuseCacheOf: first });
    resolvers.push(same, changed);
    expect((await same.groupsOf('alice')).source).toBe('cache');
    expect((await changed.groupsOf('alice')).source).toBe('ldap');
  });
});
