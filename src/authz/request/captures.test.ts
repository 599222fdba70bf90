import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContainerCreateFacts, ExecCreateFacts } from '../types.js';
import { DEFAULT_MAX_BODY_BYTES, parseAuthzRequest, parseAuthzResponse } from './parse.js';

/**
 * Every capture of Debian's dockerd 20.10 (scripts/capture-authz-fixtures.mjs) → the facts
 * expected of it. Container and exec ids and the registry port change with each capture, so
 * `$created` / `$exec` stand for the Id dockerd returned in the create's AuthZRes, and `$reg`
 * for the registry in the command line.
 */
interface Capture {
  readonly id: string;
  readonly cli: string;
  readonly exit?: number;
  readonly status?: number;
  readonly stderr: string;
  readonly exchanges: readonly { readonly phase: 'request' | 'response'; readonly body: Record<string, unknown> }[];
}

interface Expected {
  /** [action, object] of each request phase, in any order (run's attach, wait and start race). */
  readonly calls?: readonly (readonly [string, string?])[];
  readonly create?: ContainerCreateFacts;
  readonly exec?: ExecCreateFacts;
  readonly apiVersion?: string | null;
  /** The parser must refuse the (single) request with a message matching this. */
  readonly reject?: RegExp;
  /** dockerd answered without asking the plugin (redirect, 404). */
  readonly neverAsked?: true;
}

const dir = join(import.meta.dirname, 'testdata');
const captures = new Map<string, Capture>(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Capture]));
const opts = { maxBodyBytes: DEFAULT_MAX_BODY_BYTES };
const IMG = 'capture/busybox:1';
const plainCreate: ContainerCreateFacts = { image: IMG, privileged: false, capAdd: [], hostNamespaces: [], bindMounts: [], devices: [], securityOpt: [], joins: [] };
const run = (create: Partial<ContainerCreateFacts>, name?: string): Expected => ({
  calls: [['system.ping'], name ? ['container.create', name] : ['container.create'], ['container.wait', '$created'], ['container.start', '$created'], ...(name ? [['container.attach', '$created'] as const] : [])],
  create: { ...plainCreate, ...create },
});
const execCalls = (): NonNullable<Expected['calls']> => [['system.ping'], ['container.inspect', 'capexec'], ['container.exec', 'capexec'], ['exec.start', '$exec'], ['exec.inspect', '$exec']];
const privilegedRaw: Expected = { calls: [['container.create']], create: { ...plainCreate, privileged: true } };

const EXPECTED: Readonly<Record<string, Expected>> = {
  version: { calls: [['system.ping'], ['system.version']] },
  info: { calls: [['system.ping'], ['system.info']] },
  'tls-info': { calls: [['system.ping'], ['system.info']] },
  ps: { calls: [['system.ping'], ['container.list']] },
  'volume-create': { calls: [['system.ping'], ['volume.create', 'capvol']] },
  'image-import': { calls: [['system.ping'], ['image.import', IMG]] },
  pull: { calls: [['system.ping'], ['image.pull', '$reg/capture/busybox:1']] },
  push: { calls: [['system.ping'], ['image.push', '$reg/capture/busybox:1']] },
  'run-plain': run({}, 'plain'),
  'run-privileged': run({ privileged: true }),
  'run-cap-add': run({ capAdd: ['SYS_ADMIN'] }),
  'run-pid-host': run({ hostNamespaces: ['pid'] }),
  'run-bind-root': run({ bindMounts: ['/'] }),
  'create-docker-sock': { calls: [['system.ping'], ['container.create']], create: { ...plainCreate, bindMounts: ['/run/docker.sock'] } },
  'create-mounts-devices': {
    calls: [['system.ping'], ['container.create']],
    // The CLI sends `cap_net_admin` as typed; a named volume (-v, --mount type=volume) is no bind.
    create: { ...plainCreate, user: '0', capAdd: ['NET_ADMIN'], bindMounts: ['/etc'], devices: ['/dev/null'], securityOpt: ['seccomp=unconfined'] },
  },
  'create-host-namespaces': {
    calls: [['system.ping'], ['container.create']],
    // --pid container:capexec shares another container's namespace, not the host's.
    create: { ...plainCreate, hostNamespaces: ['ipc', 'network', 'uts', 'userns', 'cgroup'], joins: ['pid=container:capexec'] },
  },
  exec: { calls: execCalls(), exec: { privileged: false, cmd: ['echo', 'hi'] } },
  'exec-privileged': { calls: execCalls(), exec: { privileged: true, user: '0', cmd: ['id'] } },
  // dockerd 20.10 (Debian, CVE-2024-41110 fixed) forwards a chunked body, and one with
  // a charset parameter; Go's case-insensitive and top-level HostConfig keys still mean privileged.
  'raw-chunked-privileged-create': privilegedRaw,
  'raw-charset-create': privilegedRaw,
  'raw-lowercase-keys-create': privilegedRaw,
  'raw-toplevel-hostconfig-create': privilegedRaw,
  'raw-percent-slash-create': { calls: [['container.create']], create: plainCreate },
  'raw-cl0-privileged-create': { reject: /needs a JSON body/ },
  'raw-no-body-create': { reject: /needs a JSON body/ },
  'raw-text-plain-create': { reject: /forwarded no body/ },
  // dockerd's "no body for /auth" looks at the path only: this body is forwarded.
  'raw-auth-suffix-create': privilegedRaw,
  'raw-oversize-create': { reject: /Content-Length 1048\d+ is over the 1048576-byte limit/ },
  'raw-oversize-chunked-create': { reject: /needs a JSON body/ },
  'raw-form-body-pull': { reject: /application\/x-www-form-urlencoded/ },
  'raw-absolute-form': { reject: /not origin-form/ },
  'raw-nul-in-name': { reject: /control characters/ },
  'raw-semicolon-query': { reject: /contains ";"/ },
  'raw-future-version': { calls: [['system.info']], apiVersion: '9.99' },
  'raw-unversioned': { calls: [['system.info']], apiVersion: null },
  'raw-head-ping': { calls: [['system.ping']] },
  'raw-options': { calls: [['system.options']] },
  'raw-slash-in-name': { calls: [['container.inspect', 'a/b']] },
  'raw-dotdot-path': { neverAsked: true },
  'raw-encoded-dotdot-path': { neverAsked: true },
  'raw-double-slash-path': { neverAsked: true },
  'raw-trailing-slash-path': { neverAsked: true },
  'raw-hash-in-target': { neverAsked: true },
  'raw-lowercase-method': { neverAsked: true },
  'raw-unknown-endpoint': { neverAsked: true },
};

/** The Id in the AuthZRes of the request with this action (dockerd's answer to the create). */
function createdId(c: Capture, action: string): string | undefined {
  for (const e of c.exchanges) {
    if (e.phase !== 'response') continue;
    const r = parseAuthzResponse(e.body, opts);
    if (!r.ok || r.facts.action !== action || typeof e.body.ResponseBody !== 'string') continue;
    return (JSON.parse(Buffer.from(e.body.ResponseBody, 'base64').toString('utf8')) as { Id: string }).Id;
  }
  return undefined;
}

function resolve(c: Capture, value: string): string {
  const reg = /127\.0\.0\.1:\d+/.exec(c.cli)?.[0] ?? '$reg';
  return value.replace('$created', createdId(c, 'container.create') ?? '$created').replace('$exec', createdId(c, 'container.exec') ?? '$exec').replace('$reg', reg);
}

const requests = (c: Capture) => c.exchanges.filter((e) => e.phase === 'request');
const sortCalls = (calls: readonly (readonly [string, string?])[]) => calls.map((x) => x.join(' ')).sort();

describe('captures from Debian dockerd 20.10', () => {
  it('has an expectation for every capture and a capture for every expectation', () => {
    expect([...captures.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [id, want] of Object.entries(EXPECTED)) {
    const c = () => {
      const cap = captures.get(id);
      if (!cap) throw new Error(`missing capture ${id}`);
      return cap;
    };
    if (want.neverAsked) {
      it(`${id}: dockerd answers ${id} itself; the plugin is never asked`, () => {
        expect(c().exchanges).toHaveLength(0);
        expect(c().status).toBeGreaterThanOrEqual(300);
      });
      continue;
    }
    if (want.reject) {
      const reject = want.reject;
      it(`${id}: refused with AUTHZ_REQUEST`, () => {
        const [req] = requests(c());
        const r = parseAuthzRequest(req?.body, opts);
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.code).toBe('AUTHZ_REQUEST');
          expect(r.message).toMatch(reject);
        }
      });
      continue;
    }
    it(`${id}: ${captures.get(id)?.cli ?? '(missing)'}`, () => {
      const got: [string, string?][] = [];
      for (const e of requests(c())) {
        const r = parseAuthzRequest(e.body, opts);
        if (!r.ok) throw new Error(`${id}: ${r.message}`);
        got.push(r.facts.object === undefined ? [r.facts.action] : [r.facts.action, r.facts.object]);
        if (r.facts.action === 'container.create') expect(r.facts.create).toEqual(want.create);
        if (r.facts.action === 'container.exec') expect(r.facts.exec).toEqual(want.exec);
        if (want.apiVersion !== undefined) expect(r.facts.apiVersion).toBe(want.apiVersion ?? undefined);
        else if (e.body.RequestUri !== '/_ping') expect(r.facts.apiVersion).toBe('1.41');
      }
      const calls = (want.calls ?? []).map(([a, o]) => (o === undefined ? [a] : [a, resolve(c(), o)]) as [string, string?]);
      expect(sortCalls(got)).toEqual(sortCalls(calls));
    });
    it(`${id}: every response phase parses to the same action and object, with dockerd's status`, () => {
      const byUri = new Map(requests(c()).map((e) => [`${String(e.body.RequestMethod)} ${String(e.body.RequestUri)}`, parseAuthzRequest(e.body, opts)]));
      for (const e of c().exchanges.filter((x) => x.phase === 'response')) {
        const r = parseAuthzResponse(e.body, opts);
        if (!r.ok) throw new Error(r.message);
        const req = byUri.get(`${r.facts.method} ${String(e.body.RequestUri)}`);
        // Body facts are judged in the request phase only; the response repeats the rest.
        const { create: _c, exec: _e, volume: _v, ...same } = req?.ok ? req.facts : { create: undefined, exec: undefined, volume: undefined };
        expect(same).toEqual(r.facts);
        expect([r.facts.create, r.facts.exec, r.facts.volume]).toEqual([undefined, undefined, undefined]);
        expect(r.status).toBe(e.body.ResponseStatusCode);
      }
    });
  }
});

describe('what dockerd sends', () => {
  it('names no user on the unix socket', () => {
    for (const id of ['run-plain', 'info', 'push']) for (const e of captures.get(id)?.exchanges ?? []) expect([e.body.User, e.body.UserAuthNMethod]).toEqual([undefined, undefined]);
  });

  it('names the client certificate CN with UserAuthNMethod TLS, and sends the certificate as base64 PEM', () => {
    const reqs = requests(captures.get('tls-info') as Capture);
    expect(reqs.length).toBeGreaterThan(0);
    for (const e of reqs) {
      const r = parseAuthzRequest(e.body, opts);
      expect(r.ok && [r.wire.User, r.wire.UserAuthNMethod]).toEqual(['alice', 'TLS']);
      const certs = r.ok ? (r.wire.RequestPeerCertificates ?? []) : [];
      expect(certs).toHaveLength(1);
      expect(Buffer.from(certs[0] ?? '', 'base64').toString('utf8')).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    }
  });

  it('forwards no body and keeps Content-Length when the body is over 1 MiB (CVE-2026-34040)', () => {
    const [req] = requests(captures.get('raw-oversize-create') as Capture);
    expect(req?.body.RequestBody).toBeUndefined();
    expect(Number((req?.body.RequestHeaders as Record<string, string>)['Content-Length'])).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES);
    expect(captures.get('raw-oversize-create')?.status).toBe(201);
  });

  it('hides Transfer-Encoding and Content-Length of a chunked request from the plugin', () => {
    const [req] = requests(captures.get('raw-chunked-privileged-create') as Capture);
    expect(Object.keys(req?.body.RequestHeaders as object).sort()).toEqual(['Connection', 'Content-Type']);
    expect(typeof req?.body.RequestBody).toBe('string');
  });

  it('pulls what a form body names although the plugin only saw the query', () => {
    const c = captures.get('raw-form-body-pull') as Capture;
    expect(requests(c)[0]?.body.RequestBody).toBeUndefined();
    expect(c.stderr).toContain('127.0.0.1:9');
  });
});
