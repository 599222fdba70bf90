import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { exec, type ExecResult } from '../helpers/exec.js';
import { freePort, type RunningRegistry, startRegistry } from '../helpers/registry.js';
import { GROUPS_DN, PEOPLE_DN, type RunningSlapd, slapdSkipReason, startSlapd } from '../helpers/slapd.js';
import { makePki, type ClientCert, type TestPki } from '../helpers/tls-certs.js';
import { type SecondDaemon, startDaemon } from './compliance-dockerd.js';

/**
 * The world of the authorization e2e test: a private CA with client certificates per user,
 * a real slapd holding the groups, a local registry, the plugin as its own process (so it can
 * be killed) and a second dockerd that asks it about every request, on its unix socket and on
 * 127.0.0.1 with --tlsverify.
 */

export const USERS = ['alice', 'dave', 'ann', 'ci-bot', 'mallory'] as const;
export type User = (typeof USERS)[number];

const DIST_CLI = join(import.meta.dirname, '../../dist/src/cli/main.js');

export interface AuthzWorld {
  readonly dir: string;
  readonly name: string;
  readonly registry: RunningRegistry;
  readonly slapd: RunningSlapd;
  readonly daemon: SecondDaemon;
  readonly tcp: string;
  readonly configFile: string;
  readonly dockerHost: string;
  readonly auditDir: string;
  readonly pki: TestPki;
  readonly certs: Readonly<Record<User, ClientCert>>;
  /** docker CLI as `user` over TLS; never throws, returns the exit code too. */
  as(user: User, args: readonly string[], timeoutMs?: number): Promise<ExecResult & { code: number }>;
  /** One raw HTTPS request to dockerd as `user`. */
  api(user: User, method: string, path: string, body?: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Raw bytes over TLS as `user` (requests the HTTP client would refuse to send); the reply's text. */
  raw(user: User, text: string | Buffer): Promise<string>;
  startPlugin(): Promise<void>;
  killPlugin(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** Why the authz e2e cannot run here, or undefined. */
export function authzUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (dockerd, /run/docker/plugins)';
  if (!existsSync(DIST_CLI)) return `no build at ${DIST_CLI} (npm test builds first)`;
  for (const bin of ['dockerd', 'docker', 'openssl', 'docker-registry', 'busybox', 'tar']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed`;
  }
  return slapdSkipReason();
  return undefined;
}

const LDIF = (users: readonly string[]) =>
  [
    ...users.filter((u) => !['alice', 'dave'].includes(u)).map((u) => `dn: uid=${u},${PEOPLE_DN}\nobjectClass: inetOrgPerson\ncn: ${u}\nsn: ${u}\nuid: ${u}\n`),
    `dn: cn=docker-admins,${GROUPS_DN}\nobjectClass: groupOfNames\ncn: docker-admins\nmember: uid=alice,${PEOPLE_DN}\n`,
    `dn: cn=developers,${GROUPS_DN}\nobjectClass: groupOfNames\ncn: developers\nmember: uid=dave,${PEOPLE_DN}\n`,
    `dn: cn=auditors,${GROUPS_DN}\nobjectClass: groupOfNames\ncn: auditors\nmember: uid=ann,${PEOPLE_DN}\n`,
    `dn: cn=ci,${GROUPS_DN}\nobjectClass: posixGroup\ncn: ci\ngidNumber: 2000\nmemberUid: ci-bot\n`,
  ].join('\n');

export function authzConfig(o: { slapd: RunningSlapd; policy: string; auditDir: string; dockerHost: string; extraRoleActions?: string }): string {
  return `apiVersion: portcullis.dev/v1
kind: AuthzConfig
metadata: {name: e2e}
spec:
  identity:
    socketUser: local-root
    groups:
      ldap:
        url: ${o.slapd.url}
        bindDN: ${o.slapd.readerDN}
        bindPasswordFile: ${o.slapd.readerPasswordFile}
        baseDN: ${PEOPLE_DN}
        groupBaseDN: ${GROUPS_DN}
        ttlSeconds: 60
  roles:
    - {name: admin, actions: ['*'], allow: {privileged: true, hostNamespaces: ['*'], capabilities: [ALL], bindMounts: ['/**'], sensitiveMounts: true, unconfined: true, joinContainers: true}}
    - name: developer
      actions: [container.*, exec.*, image.pull, image.list, image.inspect, volume.create, volume.list, volume.inspect, system.ping, system.version, system.info]
    - {name: auditor, actions: [container.list, container.inspect, image.list, system.*${o.extraRoleActions ?? ''}]}
    - {name: ci, actions: [image.*, system.ping, system.version, system.auth]}
  bindings:
    - {role: admin, users: [local-root], groups: [docker-admins]}
    - {role: developer, groups: [developers]}
    - {role: auditor, groups: [auditors]}
    - {role: ci, groups: [ci]}
  images: {policies: [${o.policy}], dockerHost: '${o.dockerHost}'}
  audit: {dir: ${o.auditDir}, rotateBytes: 1048576}
`;
}

export function imagePolicy(trustedRegistry: string): string {
  return `apiVersion: portcullis.dev/v1
kind: Policy
metadata: {name: e2e-deploy}
spec:
  rules:
    - name: trusted-registry
      stages: [deploy]
      action: block
      criteria: {registry: {notIn: ['${trustedRegistry}']}}
    - name: vulnerable-lodash
      stages: [deploy]
      action: block
      criteria: {packages: {in: [lodash]}}
`;
}

async function busyboxImage(d: SecondDaemon, dir: string, tag: string): Promise<void> {
  const root = join(dir, 'busybox-root');
  mkdirSync(join(root, 'bin'), { recursive: true });
  await exec('cp', [(await exec('sh', ['-c', 'command -v busybox'])).stdout.trim(), join(root, 'bin/busybox')]);
  for (const applet of ['sh', 'sleep', 'true', 'echo']) await exec('ln', ['-sf', 'busybox', join(root, 'bin', applet)]);
  const tar = join(dir, 'busybox.tar');
  await exec('tar', ['-C', root, '-cf', tar, '.']);
  await d.docker(['import', '--change', 'CMD ["/bin/sh"]', tar, tag]);
}

export async function startAuthzWorld(dir: string): Promise<AuthzWorld> {
  const name = `portcullis-e2e-${process.pid}`;
  const socket = `/run/docker/plugins/${name}.sock`;
  const pki = await makePki(dir);
  const certs = Object.fromEntries(await Promise.all(USERS.map(async (u) => [u, await pki.client(u)] as const))) as Record<User, ClientCert>;
  const slapd = await startSlapd({ extraLdif: LDIF(USERS.filter((u) => u !== 'mallory')) });
  const registry = await startRegistry();
  const auditDir = join(dir, 'audit');
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, imagePolicy(registry.host));
  const configFile = join(dir, 'authz.yaml');
  const daemonDir = join(dir, 'dockerd');
  const dockerHost = `unix://${join(daemonDir, 'authz.sock')}`;
  writeFileSync(configFile, authzConfig({ slapd, policy: policyFile, auditDir, dockerHost }));

  let plugin: ChildProcess | undefined;
  const pluginLog = join(dir, 'plugin.log');
  const startPlugin = async () => {
    const log = openSync(pluginLog, 'a');
    plugin = spawn(process.execPath, [DIST_CLI, 'authz', 'serve', '--config', configFile, '--name', name], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const deadline = Date.now() + 30_000;
    while (!readFileSync(pluginLog, 'utf8').includes(`listening on ${socket}`)) {
      if (plugin.exitCode !== null) throw new Error(`plugin exited: ${readFileSync(pluginLog, 'utf8').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`plugin did not start: ${readFileSync(pluginLog, 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    writeFileSync(pluginLog, `${readFileSync(pluginLog, 'utf8').replace(/listening on/g, 'listened on')}`); // the next start waits for its own line
  };
  const killPlugin = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const p = plugin;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await exited;
  };
  await startPlugin();

  const port = await freePort();
  const tcp = `tcp://127.0.0.1:${port}`;
  let daemon: SecondDaemon;
  try {
    daemon = await startDaemon(daemonDir, 'authz', [
      `--authorization-plugin=${name}`,
      '--iptables=false',
      '-H',
      tcp,
      '--tlsverify',
      '--tlscacert',
      pki.ca,
      '--tlscert',
      pki.serverCert,
      '--tlskey',
      pki.serverKey,
    ]);
  } catch (err) {
    await killPlugin();
    await Promise.allSettled([slapd.stop(), registry.stop()]);
    throw err;
  }
  await busyboxImage(daemon, dir, 'local/busybox:1');

  const tlsArgs = (u: User) => ['--tlsverify', '--tlscacert', pki.ca, '--tlscert', certs[u].cert, '--tlskey', certs[u].key, '-H', tcp];
  const as = async (u: User, args: readonly string[], timeoutMs = 120_000) => {
    try {
      return { ...(await exec('docker', [...tlsArgs(u), ...args], { timeoutMs, env: { DOCKER_BUILDKIT: '0' } })), code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? String(err), code: typeof e.code === 'number' ? e.code : 1 };
    }
  };
  const tlsOpts = (u: User) => ({ host: '127.0.0.1', port, ca: readFileSync(pki.ca), cert: readFileSync(certs[u].cert), key: readFileSync(certs[u].key) });
  const api: AuthzWorld['api'] = (u, method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = request({ ...tlsOpts(u), method, path, headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers }, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.setTimeout(90_000, () => req.destroy(new Error('no answer')));
      req.on('error', reject);
      req.end(body);
    });
  const raw: AuthzWorld['raw'] = (u, text) =>
    new Promise((resolve, reject) => {
      const s = connect({ ...tlsOpts(u), servername: undefined }, () => s.write(text));
      let out = '';
      s.setEncoding('utf8');
      s.on('data', (c: string) => {
        out += c;
        // One response is enough: stop at the end of its headers plus a short body.
        if (/\r\n\r\n/.test(out)) setTimeout(() => s.destroy(), 300);
      });
      s.setTimeout(90_000, () => s.destroy(new Error('no answer')));
      s.on('close', () => resolve(out));
      s.on('error', (e) => (out ? resolve(out) : reject(e)));
    });

  return {
    dir,
    name,
    registry,
    slapd,
    daemon,
    tcp,
    configFile,
    dockerHost,
    auditDir,
    pki,
    certs,
    as,
    api,
    raw,
    startPlugin,
    killPlugin,
    async stop() {
      await daemon.stop();
      await killPlugin('SIGTERM');
      if (existsSync(socket)) unlinkSync(socket);
      await Promise.allSettled([slapd.stop(), registry.stop()]);
    },
  };
}
