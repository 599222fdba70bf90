import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/registry.js';
import { PEOPLE_DN, type RunningSlapd, slapdSkipReason, startSlapd, SUFFIX } from '../../../test/helpers/slapd.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { GroupsConfigSchema } from './config.js';
import { type GroupLookup, type GroupResolver, makeGroupResolver, MAX_USER_LENGTH } from './resolver.js';

const skip = slapdSkipReason();
const dirs = tmpDirPool('identity-ldap-failure');
const TIMEOUT_MS = 400;
let ldap: RunningSlapd;
const resolvers: GroupResolver[] = [];

// Two entries share a mail address: a user filter on mail is ambiguous for it.
const extraLdif = ['twin1', 'twin2'].map((u) => `dn: uid=${u},${PEOPLE_DN}\nobjectClass: inetOrgPerson\ncn: ${u}\nsn: ${u}\nuid: ${u}\nmail: twin@example.test\n`).join('\n');

beforeAll(async () => {
  if (skip === undefined) ldap = await startSlapd({ extraLdif });
});
afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()));
  await ldap?.stop();
  await dirs.removeAll();
});

async function resolver(ldapExtra: object = {}): Promise<GroupResolver> {
  const config = GroupsConfigSchema.parse({
    ldap: { url: ldap.url, bindDN: ldap.readerDN, bindPasswordFile: ldap.readerPasswordFile, baseDN: SUFFIX, timeoutMs: TIMEOUT_MS, ...ldapExtra },
  });
  const r = await makeGroupResolver(config);
  resolvers.push(r);
  return r;
}

async function timed(p: Promise<GroupLookup>): Promise<{ answer: GroupLookup; ms: number }> {
  const started = performance.now();
  const answer = await p;
  return { answer, ms: performance.now() - started };
}

function expectUnreachable(answer: GroupLookup, message: RegExp): void {
  expect(answer.known).toBe(false);
  expect(answer.groups).toEqual([]);
  expect(answer.source).toBe('none');
  expect(answer.problem?.code).toBe('DIRECTORY_UNREACHABLE');
  expect(answer.problem?.message).toMatch(message);
}

describe.skipIf(skip !== undefined)(`LDAP failures against a real slapd${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('a wrong bind password is DIRECTORY_UNREACHABLE, every time (not cached)', async () => {
    const wrong = join(await dirs.make(), 'pw');
    await writeFile(wrong, 'not-the-password\n');
    const r = await resolver({ bindPasswordFile: wrong });
    expectUnreachable(await r.groupsOf('alice'), /refused the bind as cn=reader.*invalid credentials/);
    expectUnreachable(await r.groupsOf('alice'), /invalid credentials/);
  });

  it('a bind DN that does not exist is refused the same way', async () => {
    const r = await resolver({ bindDN: `cn=ghost,${SUFFIX}` });
    expectUnreachable(await r.groupsOf('alice'), /refused the bind as cn=ghost/);
  });

  it('nothing listening: DIRECTORY_UNREACHABLE at once', async () => {
    const r = await resolver({ url: `ldap://127.0.0.1:${await freePort()}` });
    const { answer, ms } = await timed(r.groupsOf('alice'));
    expectUnreachable(answer, /ECONNREFUSED/);
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('a base DN that does not exist fails closed', async () => {
    const r = await resolver({ baseDN: 'dc=elsewhere,dc=test' });
    expectUnreachable(await r.groupsOf('alice'), /NoSuchObjectError \(LDAP result 32\)/);
  });

  it('a user filter that matches two entries denies (AUTHZ_DENIED), never picks one', async () => {
    const r = await resolver({ userFilter: '(mail={user})' });
    const answer = await r.groupsOf('twin@example.test');
    expect(answer).toMatchObject({ known: false, groups: [], source: 'none', problem: { code: 'AUTHZ_DENIED' } });
    expect(answer.problem?.message).toMatch(/more than one directory entry/);
  });

  it.each([
    ['an over-long name', 'a'.repeat(MAX_USER_LENGTH + 1), /longer than/],
    ['a name with a newline', 'alice\nuid=bob', /control characters/],
    ['a name with NUL', 'alice\u0000', /control characters/],
    ['a name with a trailing space (LDAP would ignore it)', 'alice ', /white space/],
    ['a name with a leading no-break space', '\u00a0alice', /white space/],
  ])('%s is refused (AUTHZ_REQUEST) without asking the directory', async (_name, user, message) => {
    const r = await resolver();
    const searches = await ldap.searches('SRCH base=');
    const answer = await r.groupsOf(user);
    expect(answer).toMatchObject({ known: false, groups: [], source: 'none', problem: { code: 'AUTHZ_REQUEST' } });
    expect(answer.problem?.message).toMatch(message);
    expect(await r.groupsOf('')).toEqual({ known: false, groups: [], source: 'none' });
    expect(await ldap.searches('SRCH base=')).toBe(searches);
  });

  it('a server that stops answering: every lookup returns within timeoutMs, cached users keep their groups', async () => {
    const r = await resolver();
    expect((await r.groupsOf('alice')).groups).toEqual(['admins', 'devs', 'docker']);
    await ldap.pause();
    try {
      const lookups = await Promise.all(['bob', 'bob', 'carol', 'nobody'].map((u) => timed(r.groupsOf(u))));
      for (const { answer, ms } of lookups) {
        expectUnreachable(answer, new RegExp(`no answer within ${TIMEOUT_MS} ms`));
        expect(ms).toBeLessThan(TIMEOUT_MS + 300);
        expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      }
      // A fresh connection to the stopped server hangs the same way (the kernel still accepts it).
      const again = await timed(r.groupsOf('dave'));
      expectUnreachable(again.answer, /no answer within/);
      expect(again.ms).toBeLessThan(TIMEOUT_MS + 300);
      expect(await r.groupsOf('alice')).toEqual({ known: true, groups: ['admins', 'devs', 'docker'], source: 'cache' });
    } finally {
      ldap.resume();
    }
    expect(await r.groupsOf('bob')).toEqual({ known: true, groups: ['devs'], source: 'ldap' });
  });

  it('a server killed mid-test: refused at once, cached users kept; service returns with the server', async () => {
    const r = await resolver();
    expect((await r.groupsOf('dave')).groups).toEqual(['docker']);
    await ldap.kill();
    try {
      const { answer, ms } = await timed(r.groupsOf('bob'));
      expectUnreachable(answer, /ECONNREFUSED|closed the connection|Socket/i);
      expect(ms).toBeLessThan(TIMEOUT_MS + 300);
      expect((await r.groupsOf('dave')).source).toBe('cache');
    } finally {
      await ldap.restart();
    }
    expect(await r.groupsOf('bob')).toEqual({ known: true, groups: ['devs'], source: 'ldap' });
  });

  it('after close(), lookups fail closed instead of reconnecting', async () => {
    const r = await resolver();
    await r.close();
    expectUnreachable(await r.groupsOf('carol'), /closed/);
  });
});
