import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortcullisError } from '../../core/errors.js';
import { type RunningSlapd, slapdSkipReason, startSlapd, SUFFIX } from '../../../test/helpers/slapd.js';
import { GroupsConfigSchema } from './config.js';
import { type GroupResolver, makeGroupResolver } from './resolver.js';

const skip = slapdSkipReason();
let ldap: RunningSlapd;
const resolvers: GroupResolver[] = [];

beforeAll(async () => {
  if (skip === undefined) ldap = await startSlapd({ tls: true });
});
afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()));
  await ldap?.stop();
});

async function resolver(ldapExtra: object): Promise<GroupResolver> {
  const config = GroupsConfigSchema.parse({
    ldap: { url: ldap.url, bindDN: ldap.readerDN, bindPasswordFile: ldap.readerPasswordFile, baseDN: SUFFIX, timeoutMs: 2000, ...ldapExtra },
  });
  const r = await makeGroupResolver(config);
  resolvers.push(r);
  return r;
}

const ALICE = { known: true, groups: ['admins', 'devs', 'docker'], source: 'ldap' };

describe.skipIf(skip !== undefined)(`LDAP over TLS against a real slapd${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('ldaps:// with the CA from caFile', async () => {
    const r = await resolver({ url: ldap.ldapsUrl, caFile: ldap.caFile });
    expect(await r.groupsOf('alice')).toEqual(ALICE);
  });

  it('startTLS on ldap:// with the CA from caFile: the bind and searches run encrypted', async () => {
    const r = await resolver({ startTLS: true, caFile: ldap.caFile });
    expect(await r.groupsOf('alice')).toEqual(ALICE);
    const log = await ldap.log();
    const starttls = log.split('\n').filter((l) => l.includes('EXT oid=1.3.6.1.4.1.1466.20037'));
    expect(starttls.length).toBeGreaterThan(0);
    // slapd logs the security strength factor of the bind: > 0 means TLS was in place.
    expect(log).toMatch(new RegExp(`BIND dn="${ldap.readerDN}" mech=SIMPLE bind_ssf=0 ssf=(1\\d\\d|2\\d\\d)`));
  });

  it('a server certificate the CA did not sign is DIRECTORY_UNREACHABLE', async () => {
    const r = await resolver({ url: ldap.ldapsUrl });
    const answer = await r.groupsOf('alice');
    expect(answer).toMatchObject({ known: false, groups: [], source: 'none', problem: { code: 'DIRECTORY_UNREACHABLE' } });
    expect(answer.problem?.message).toMatch(/certificate/i);
    const viaStartTLS = await (await resolver({ startTLS: true })).groupsOf('alice');
    expect(viaStartTLS.problem?.message).toMatch(/certificate/i);
  });

  it('a caFile or bindPasswordFile that cannot be read stops the build (AUTHZ_CONFIG)', async () => {
    const missing = join(ldap.dir, 'absent.pem');
    await expect(resolver({ url: ldap.ldapsUrl, caFile: missing })).rejects.toThrow(PortcullisError);
    await expect(resolver({ url: ldap.ldapsUrl, caFile: missing })).rejects.toThrow(/caFile .*absent\.pem cannot be read/);
    await expect(resolver({ bindPasswordFile: missing })).rejects.toThrow(/bindPasswordFile/);
  });
});
