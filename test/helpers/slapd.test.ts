import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { exec } from './exec.js';
import { GROUPS_DN, PEOPLE_DN, type RunningSlapd, slapdSkipReason, startSlapd, SUFFIX } from './slapd.js';

const skip = slapdSkipReason();
const running: RunningSlapd[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(skip !== undefined)(`startSlapd${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('serves the test directory on loopback to the reader account, takes changes, and stops by pid', async () => {
    const ldap = await startSlapd();
    running.push(ldap);
    expect(ldap.url).toMatch(/^ldap:\/\/127\.0\.0\.1:\d+$/);
    const pw = (await readFile(ldap.readerPasswordFile, 'utf8')).trim();
    const search = (filter: string, ...attrs: string[]) =>
      exec('ldapsearch', ['-x', '-LLL', '-H', ldap.url, '-D', ldap.readerDN, '-w', pw, '-b', SUFFIX, filter, ...attrs]);
    const devs = await search('(cn=devs)', 'member');
    expect(devs.stdout).toContain(`member: uid=alice,${PEOPLE_DN}`);
    expect(devs.stdout).toContain(`member: uid=bob,${PEOPLE_DN}`);
    const docker = await search('(&(objectClass=posixGroup)(memberUid=dave))', 'cn');
    expect(docker.stdout).toContain('cn: docker');
    await expect(exec('ldapwhoami', ['-x', '-H', ldap.url, '-D', ldap.readerDN, '-w', 'wrong'])).rejects.toThrow(/Invalid credentials/);

    await ldap.modify(`dn: cn=devs,${GROUPS_DN}\nchangetype: modify\nadd: member\nmember: uid=carol,${PEOPLE_DN}\n`);
    expect((await search('(member=uid=carol,ou=people,dc=portcullis,dc=test)', 'cn')).stdout).toContain('cn: devs');
    expect(await ldap.searches('(cn=devs)')).toBe(1);

    await ldap.stop();
    expect(alive(ldap.pid)).toBe(false);
    expect(existsSync(ldap.dir)).toBe(false);
    await expect(exec('ldapsearch', ['-x', '-H', ldap.url, '-b', SUFFIX], { timeoutMs: 5000 })).rejects.toThrow(/Can't contact LDAP server/);
    await ldap.stop(); // idempotent
  });

  it('with tls: answers on ldaps:// with a certificate from the CA it hands out', async () => {
    const ldap = await startSlapd({ tls: true });
    running.push(ldap);
    expect(ldap.ldapsUrl).toMatch(/^ldaps:\/\/127\.0\.0\.1:\d+$/);
    const env = { LDAPTLS_CACERT: ldap.caFile ?? '', LDAPTLS_REQCERT: 'demand' };
    const out = await exec('ldapsearch', ['-x', '-LLL', '-H', ldap.ldapsUrl ?? '', '-b', SUFFIX, '(uid=alice)', 'uid'], { env });
    expect(out.stdout).toContain('uid: alice');
    const starttls = await exec('ldapsearch', ['-x', '-ZZ', '-LLL', '-H', ldap.url, '-b', SUFFIX, '(uid=bob)', 'uid'], { env });
    expect(starttls.stdout).toContain('uid: bob');
  });

  it('pause() makes slapd accept but not answer; resume() brings it back', async () => {
    const ldap = await startSlapd();
    running.push(ldap);
    await ldap.pause();
    await expect(exec('ldapsearch', ['-x', '-H', ldap.url, '-b', SUFFIX, '-o', 'nettimeout=1'], { timeoutMs: 1500 })).rejects.toThrow();
    ldap.resume();
    expect((await exec('ldapsearch', ['-x', '-LLL', '-H', ldap.url, '-b', SUFFIX, '(uid=carol)', 'uid'])).stdout).toContain('uid: carol');
  });

  it('kill() takes the server away keeping its data; restart() brings it back on the same port', async () => {
    const ldap = await startSlapd();
    running.push(ldap);
    const first = ldap.pid;
    await ldap.modify(`dn: cn=devs,${GROUPS_DN}\nchangetype: modify\nadd: member\nmember: uid=dave,${PEOPLE_DN}\n`);
    await ldap.kill();
    expect(alive(first)).toBe(false);
    await expect(exec('ldapsearch', ['-x', '-H', ldap.url, '-b', SUFFIX], { timeoutMs: 5000 })).rejects.toThrow(/Can't contact LDAP server/);
    await ldap.restart();
    expect(ldap.pid).not.toBe(first);
    const out = await exec('ldapsearch', ['-x', '-LLL', '-H', ldap.url, '-b', SUFFIX, '(cn=devs)', 'member']);
    expect(out.stdout).toContain(`member: uid=dave,${PEOPLE_DN}`);
  });
});
