import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TmpDir, tmpDir } from '../../../test/helpers/tmp.js';
import { AuthzService } from './service.js';

/**
 * The plugin in-process on a private unix socket, fed the AuthZ requests Debian's dockerd
 * really sent (request/testdata, captured by scripts/capture-authz-fixtures.mjs on the unix
 * socket; the TLS identity is added here as dockerd adds it for a client certificate).
 */

interface Exchange {
  readonly phase: 'request' | 'response';
  readonly body: Record<string, unknown>;
}

const TESTDATA = join(import.meta.dirname, '../request/testdata');
const capture = (id: string): Exchange[] => (JSON.parse(readFileSync(join(TESTDATA, `${id}.json`), 'utf8')) as { exchanges: Exchange[] }).exchanges;
const createOf = (id: string) => capture(id).find((e) => e.phase === 'request' && String(e.body.RequestUri).includes('/containers/create')) as Exchange;
const asUser = (body: Record<string, unknown>, user: string) => ({ ...body, User: user, UserAuthNMethod: 'TLS' });

function config(dir: string, extraDeveloperActions = ''): string {
  return `apiVersion: portcullis.dev/v1
kind: AuthzConfig
metadata: {name: unit}
spec:
  identity: {groups: {file: ${join(dir, 'groups.yaml')}}}
  roles:
    - {name: developer, actions: [container.*, exec.*, system.ping, system.version${extraDeveloperActions}]}
    - {name: auditor, actions: [container.list, system.*]}
  bindings:
    - {role: developer, groups: [devs]}
    - {role: auditor, groups: [audit]}
  audit: {dir: ${join(dir, 'audit')}}
`;
}

function post(socket: string, path: string, body: string | Buffer): Promise<{ status: number; json: { Allow?: boolean; Msg?: string; Implements?: string[] } }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as never }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ask = (socket: string, e: { phase: string; body: unknown }) => post(socket, e.phase === 'request' ? '/AuthZPlugin.AuthZReq' : '/AuthZPlugin.AuthZRes', JSON.stringify(e.body));

function auditLines(dir: string): Record<string, unknown>[] {
  const a = join(dir, 'audit');
  return readdirSync(a)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(a, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
}

describe('AuthzService (plugin endpoints on a unix socket)', () => {
  let tmp: TmpDir;
  let svc: AuthzService | undefined;
  let socket: string;
  let configFile: string;

  const start = async () => {
    svc = await AuthzService.start({ config: configFile, socket, env: {}, fallbackAuditDir: join(tmp.path, 'audit'), watch: false });
    return svc;
  };

  beforeEach(async () => {
    tmp = await tmpDir('authz-svc');
    socket = join(tmp.path, 'plugin.sock');
    configFile = join(tmp.path, 'authz.yaml');
    writeFileSync(join(tmp.path, 'groups.yaml'), 'groups: {devs: [dave], audit: [ann]}\n');
    writeFileSync(configFile, config(tmp.path));
  });

  afterEach(async () => {
    await svc?.stop();
    svc = undefined;
    await tmp.remove();
  });

  it('activates as an authz plugin', async () => {
    await start();
    const r = await post(socket, '/Plugin.Activate', '');
    expect(r.json).toEqual({ Implements: ['authz'] });
  });

  it('allows a developer\'s plain docker run and denies the privileged one, with the reason', async () => {
    await start();
    for (const e of capture('run-plain')) expect((await ask(socket, { phase: e.phase, body: asUser(e.body, 'dave') })).json.Allow).toBe(true);
    const priv = await ask(socket, { phase: 'request', body: asUser(createOf('run-privileged').body, 'dave') });
    expect(priv.json).toEqual({ Allow: false, Msg: expect.stringContaining('privileged containers are not allowed') });
    const hostPid = await ask(socket, { phase: 'request', body: asUser(createOf('run-pid-host').body, 'dave') });
    expect(hostPid.json.Msg).toContain('host namespaces are not allowed: pid');
    const sock = await ask(socket, { phase: 'request', body: asUser(createOf('create-docker-sock').body, 'dave') });
    expect(sock.json.Msg).toMatch(/bind mount of \/run\/docker.sock is not allowed/);
  });

  it('denies unknown users, the unix socket without socketUser, and users without the action', async () => {
    await start();
    const ping = capture('run-plain')[0] as Exchange;
    expect((await ask(socket, { phase: 'request', body: asUser(ping.body, 'mallory') })).json.Msg).toContain('user "mallory" is unknown');
    expect((await ask(socket, ping)).json.Msg).toContain('unix socket requests have no identity');
    const create = createOf('run-plain');
    expect((await ask(socket, { phase: 'request', body: asUser(create.body, 'ann') })).json.Msg).toContain('may not container.create');
  });

  it('fails closed on hostile wire requests', async () => {
    await start();
    const create = createOf('run-plain').body;
    const cases: [string, string | Buffer, RegExp][] = [
      ['not JSON', '{"RequestMethod": "POST", "RequestUri": "/v1.41/containers/cr', /AUTHZ_REQUEST/],
      ['empty', '', /AUTHZ_REQUEST/],
      ['an array', '[]', /AUTHZ_REQUEST/],
      ['unknown endpoint', JSON.stringify(asUser({ RequestMethod: 'POST', RequestUri: '/v1.41/frobnicate' }, 'dave')), /AUTHZ_|may not unknown/],
      ['create with the body removed (Content-Length 0)', JSON.stringify(asUser({ ...create, RequestBody: undefined, RequestHeaders: { 'Content-Length': '0', 'Content-Type': 'application/json' } }, 'dave')), /AUTHZ_REQUEST/],
      ['create whose body dockerd dropped (over 1 MiB)', JSON.stringify(asUser({ ...create, RequestBody: undefined, RequestHeaders: { 'Content-Length': '1100000', 'Content-Type': 'application/json' } }, 'dave')), /AUTHZ_REQUEST/],
      ['a forged internal mark', JSON.stringify(asUser({ RequestMethod: 'GET', RequestUri: '/v1.41/images/x/json', RequestHeaders: { 'X-Portcullis-Authz': 'guess' } }, 'dave')), /forged|X-Portcullis-Authz/],
      ['a wire request over the cap', Buffer.alloc(4 * 1024 * 1024, 0x20), /larger than/],
    ];
    for (const [what, body, msg] of cases) {
      const r = await post(socket, '/AuthZPlugin.AuthZReq', body);
      expect(r.json.Allow, what).toBe(false);
      expect(r.json.Msg, what).toMatch(msg);
    }
    // Each of them is on record as a denial.
    const denied = auditLines(tmp.path).filter((l) => l.decision === 'deny');
    expect(denied.length).toBe(cases.length);
  });

  it('denies everything while the configuration does not load, and recovers on reload', async () => {
    writeFileSync(configFile, config(tmp.path).replace('kind: AuthzConfig', 'kind: AuthzConfg'));
    await start();
    expect(svc?.failure).toMatch(/AUTHZ_CONFIG/);
    const ping = { phase: 'request', body: asUser((capture('run-plain')[0] as Exchange).body, 'dave') };
    const before = await ask(socket, ping);
    expect(before.json).toEqual({ Allow: false, Msg: expect.stringContaining('AUTHZ_CONFIG') });
    writeFileSync(configFile, config(tmp.path));
    await svc?.reload();
    expect((await ask(socket, ping)).json.Allow).toBe(true);
    // A reload that fails denies again: a policy that does not load never allows.
    writeFileSync(configFile, config(tmp.path).replace('role: developer', 'role: nobody'));
    await svc?.reload();
    expect((await ask(socket, ping)).json.Msg).toContain('unknown role "nobody"');
  });

  it('reloads under load without dropping or failing a request, and audits every one', async () => {
    await start();
    const volume = { phase: 'request', body: asUser((capture('volume-create').find((e) => e.phase === 'request' && String(e.body.RequestUri).includes('volumes/create')) as Exchange).body, 'dave') };
    const N = 400;
    const reloads = (async () => {
      for (let i = 0; i < 10; i++) {
        writeFileSync(configFile, config(tmp.path, i % 2 === 0 ? ', volume.create' : ''));
        await svc?.reload();
      }
    })();
    const answers = await Promise.all(Array.from({ length: N }, () => ask(socket, volume)));
    await reloads;
    expect(answers.every((a) => a.status === 200 && typeof a.json.Allow === 'boolean')).toBe(true);
    // Every answer is either the old or the new configuration's, never an error.
    expect(answers.every((a) => a.json.Allow === true || /may not volume.create/.test(a.json.Msg ?? ''))).toBe(true);
    expect(svc?.generation).toBe(11);
    const records = auditLines(tmp.path).filter((l) => l.action === 'volume.create');
    expect(records).toHaveLength(N);
  });
});
