/**
 * A throw-away OpenLDAP directory for tests: Debian's slapd (2.5) with an old-style
 * slapd.conf and an mdb database in a private temporary directory, on a free 127.0.0.1 port,
 * loaded with slapadd before it starts, stopped by pid. It never uses the system's slapd.
 *
 *   const ldap = await startSlapd({ tls: true });
 *   // … ldap.url, ldap.readerDN + ldap.readerPasswordFile, ldap.ldapsUrl + ldap.caFile
 *   await ldap.modify(`dn: cn=devs,${ldap.groupsDN}\nchangetype: modify\nadd: member\nmember: …\n`);
 *   await ldap.stop();
 *
 * The directory (SUFFIX = dc=portcullis,dc=test):
 *   people: alice, bob, carol (in no group), dave (posix group only),
 *           "cn=Smith\, John" (uid jsmith: a DN that needs escaping), uid "star*" (a name with filter syntax)
 *   groups: groupOfNames admins {alice}, devs {alice, bob}, ops {Smith\, John}, stars {star*};
 *           posixGroup docker {memberUid alice, dave}
 *   services: cn=reader (the bind account), password in readerPasswordFile
 * Needs the Debian packages slapd and ldap-utils.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { exec } from './exec.js';
import { freePort } from './registry.js';
import { tmpDir } from './tmp.js';

export const SUFFIX = 'dc=portcullis,dc=test';
export const PEOPLE_DN = `ou=people,${SUFFIX}`;
export const GROUPS_DN = `ou=groups,${SUFFIX}`;
const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';

export interface StartSlapdOptions {
  /** Also listen on ldaps:// and offer StartTLS, with a certificate from a CA the test makes. */
  readonly tls?: boolean;
  /** Extra entries (LDIF) loaded after the standard directory. */
  readonly extraLdif?: string;
}

export interface RunningSlapd {
  readonly pid: number;
  readonly port: number;
  /** `ldap://127.0.0.1:PORT` */
  readonly url: string;
  /** `ldaps://127.0.0.1:PORT` (tls only) */
  readonly ldapsUrl?: string;
  /** PEM of the CA that signed the server certificate (tls only). */
  readonly caFile?: string;
  readonly adminDN: string;
  readonly adminPassword: string;
  /** A service account that may read the directory. */
  readonly readerDN: string;
  readonly readerPasswordFile: string;
  /** The private directory (config, database, log); removed by stop(). */
  readonly dir: string;
  /** Applies LDIF with ldapmodify as the admin (`changetype:` records). */
  modify(ldif: string): Promise<void>;
  /** slapd's stats log so far (every operation with its filter). */
  log(): Promise<string>;
  /** Number of SRCH operations whose logged filter contains `text`. */
  searches(text: string): Promise<number>;
  /** SIGSTOP / SIGCONT: a server that accepts connections but never answers. Resolves once every thread is stopped. */
  pause(): Promise<void>;
  resume(): void;
  /** SIGKILL by pid, keeping the directory: the server is gone until restart(). */
  kill(): Promise<void>;
  /** Stops slapd (if running) and starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** Stops slapd by pid (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Why the slapd tests cannot run here, or undefined when they can. */
export function slapdSkipReason(): string | undefined {
  for (const tool of [SLAPD, SLAPADD, 'ldapmodify', 'ldapsearch']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (found.status !== 0) return `${tool} is not installed (Debian packages slapd and ldap-utils; scripts/test-env.sh installs them as root)`;
  }
  return undefined;
}

// slapd processes still running when the test process exits (a crashed test) are killed then.
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

function directoryLdif(readerPassword: string): string {
  const entry = (dn: string, ...lines: string[]) => `dn: ${dn}\n${lines.join('\n')}\n`;
  const person = (rdn: string, cn: string, uid: string) => entry(`${rdn},${PEOPLE_DN}`, 'objectClass: inetOrgPerson', `cn: ${cn}`, `sn: ${cn}`, `uid: ${uid}`);
  const group = (cn: string, ...members: string[]) =>
    entry(`cn=${cn},${GROUPS_DN}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((m) => `member: ${m},${PEOPLE_DN}`));
  return [
    entry(SUFFIX, 'objectClass: dcObject', 'objectClass: organization', 'o: portcullis', 'dc: portcullis'),
    ...['people', 'groups', 'services'].map((ou) => entry(`ou=${ou},${SUFFIX}`, 'objectClass: organizationalUnit', `ou: ${ou}`)),
    entry(`cn=reader,ou=services,${SUFFIX}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: reader', `userPassword: ${readerPassword}`),
    ...['alice', 'bob', 'carol', 'dave'].map((u) => person(`uid=${u}`, u, u)),
    person('cn=Smith\\, John', 'Smith, John', 'jsmith'),
    person('uid=star*', 'star', 'star*'),
    group('admins', 'uid=alice'),
    group('devs', 'uid=alice', 'uid=bob'),
    group('ops', 'cn=Smith\\, John'),
    group('stars', 'uid=star*'),
    entry(`cn=docker,${GROUPS_DN}`, 'objectClass: posixGroup', 'cn: docker', 'gidNumber: 999', 'memberUid: alice', 'memberUid: dave'),
  ].join('\n');
}

async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const p = (name: string) => join(dir, name);
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  await exec('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', ...subj('portcullis-test-ldap-ca')]);
  await exec('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), ...subj('127.0.0.1')]);
  await writeFile(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await exec('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('ext.cnf')]);
  return { ca: p('ca.pem'), cert: p('server.pem'), key: p('server.key') };
}

async function waitReady(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      await exec('ldapsearch', ['-x', '-LLL', '-H', url, '-s', 'base', '-b', SUFFIX, 'dn'], { timeoutMs: 2000 });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const tail = (await readFile(log, 'utf8').catch(() => '')).slice(-2000);
  throw new Error(`slapd on ${url} did not become ready (exit ${String(child.exitCode)}):\n${tail}`);
}

/** Starts slapd on 127.0.0.1 with the standard test directory. */
export async function startSlapd(opts: StartSlapdOptions = {}): Promise<RunningSlapd> {
  const reason = slapdSkipReason();
  if (reason !== undefined) throw new Error(reason);
  const tmp = await tmpDir('slapd');
  try {
    return await launch(tmp.path, opts, tmp.remove);
  } catch (err) {
    await tmp.remove();
    throw err;
  }
}

async function launch(dir: string, opts: StartSlapdOptions, remove: () => Promise<void>): Promise<RunningSlapd> {
  const adminPassword = randomBytes(12).toString('base64url');
  const readerPassword = randomBytes(12).toString('base64url');
  const readerPasswordFile = join(dir, 'reader.password');
  await writeFile(readerPasswordFile, `${readerPassword}\n`, { mode: 0o600 });
  await mkdir(join(dir, 'data'));
  const certs = opts.tls ? await makeCertificates(dir) : undefined;
  const conf = join(dir, 'slapd.conf');
  await writeFile(
    conf,
    [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
      `pidfile ${join(dir, 'slapd.pid')}`,
      `argsfile ${join(dir, 'slapd.args')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      ...(certs ? [`TLSCACertificateFile ${certs.ca}`, `TLSCertificateFile ${certs.cert}`, `TLSCertificateKeyFile ${certs.key}`] : []),
      'database mdb',
      'maxsize 16777216',
      `suffix "${SUFFIX}"`,
      `rootdn "cn=admin,${SUFFIX}"`,
      `rootpw ${adminPassword}`,
      `directory ${join(dir, 'data')}`,
      // Passwords only for binding; everything else readable, also anonymously.
      'access to attrs=userPassword by anonymous auth by * none',
      'access to * by * read',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'data.ldif'), directoryLdif(readerPassword) + (opts.extraLdif ? `\n${opts.extraLdif}` : ''));
  await exec(SLAPADD, ['-q', '-f', conf, '-l', join(dir, 'data.ldif')]);

  // The port is free when chosen but may be taken before slapd binds it: try a few.
  const log = join(dir, 'slapd.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const tlsPort = certs ? await freePort() : undefined;
    const url = `ldap://127.0.0.1:${port}`;
    const ldapsUrl = tlsPort !== undefined ? `ldaps://127.0.0.1:${tlsPort}` : undefined;
    const args = ['-f', conf, '-h', [url, ldapsUrl].filter(Boolean).join(' '), '-d', 'stats'];
    const daemon = spawnDaemon(args, log);
    try {
      await waitReady(url, daemon.child, log);
    } catch (err) {
      await terminate(daemon);
      if (attempt < 3 && /could not bind|Address already in use/i.test(await readFile(log, 'utf8'))) continue;
      throw err;
    }
    return running({ dir, daemon, args, port, url, ldapsUrl, caFile: certs?.ca, adminPassword, readerPasswordFile, log, remove });
  }
}

interface Daemon {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/** `-d stats` keeps slapd in the foreground (so child.pid is slapd's pid) and logs every operation. */
function spawnDaemon(args: readonly string[], log: string): Daemon {
  const fd = openSync(log, 'a');
  const child = spawn(SLAPD, [...args], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  liveChildren.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => liveChildren.delete(child));
  return { child, exited };
}

function signal(daemon: Daemon, sig: NodeJS.Signals): void {
  if (daemon.child.pid === undefined || daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  try {
    process.kill(daemon.child.pid, sig);
  } catch {
    // exited in between: nothing to signal
  }
}

/** SIGTERM by pid (after SIGCONT: a paused slapd cannot act on it), SIGKILL after 5 s. */
async function terminate(daemon: Daemon, sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  signal(daemon, 'SIGCONT');
  signal(daemon, sig);
  const done = await Promise.race([daemon.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
  if (!done) signal(daemon, 'SIGKILL');
  await daemon.exited;
}

/** True when every thread of `pid` is in state T (stopped), per /proc/PID/task/TID/stat. */
async function allThreadsStopped(pid: number): Promise<boolean> {
  try {
    const tids = await readdir(`/proc/${pid}/task`);
    const states = await Promise.all(tids.map(async (tid) => (await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8')).replace(/^.*\) /s, '')[0]));
    return states.every((state) => state === 'T' || state === 't');
  } catch {
    return false;
  }
}

type Launched = Pick<RunningSlapd, 'dir' | 'port' | 'url' | 'adminPassword' | 'readerPasswordFile'> & {
  readonly daemon: Daemon;
  readonly args: readonly string[];
  readonly ldapsUrl: string | undefined;
  readonly caFile: string | undefined;
  readonly log: string;
  readonly remove: () => Promise<void>;
};

function running(l: Launched): RunningSlapd {
  const adminDN = `cn=admin,${SUFFIX}`;
  let daemon = l.daemon;
  let stopped = false;
  const log = () => readFile(l.log, 'utf8').catch(() => '');
  return {
    get pid() {
      return daemon.child.pid ?? -1;
    },
    port: l.port,
    url: l.url,
    ...(l.ldapsUrl !== undefined ? { ldapsUrl: l.ldapsUrl } : {}),
    ...(l.caFile !== undefined ? { caFile: l.caFile } : {}),
    adminDN,
    adminPassword: l.adminPassword,
    readerDN: `cn=reader,ou=services,${SUFFIX}`,
    readerPasswordFile: l.readerPasswordFile,
    dir: l.dir,
    async modify(ldif) {
      await exec('ldapmodify', ['-x', '-H', l.url, '-D', adminDN, '-w', l.adminPassword], { input: ldif, timeoutMs: 10_000 });
    },
    log,
    async searches(text) {
      return (await log()).split('\n').filter((line) => / SRCH base=/.test(line) && line.includes(text)).length;
    },
    async pause() {
      signal(daemon, 'SIGSTOP');
      // The signal is delivered asynchronously: a running slapd thread could still answer one more request.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !(await allThreadsStopped(daemon.child.pid ?? -1))) await new Promise((r) => setTimeout(r, 5));
    },
    resume: () => signal(daemon, 'SIGCONT'),
    kill: () => terminate(daemon, 'SIGKILL'),
    async restart() {
      if (stopped) throw new Error('slapd was stopped');
      await terminate(daemon);
      daemon = spawnDaemon(l.args, l.log);
      await waitReady(l.url, daemon.child, l.log);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate(daemon);
      await l.remove();
    },
  };
}
