import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, parseAuthzRequest } from './parse.js';
import { matchRoute, ROUTES } from './routes.js';

const q = (s = ''): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(s)) (out[k] ??= []).push(v);
  return out;
};

/** A concrete path for a template: every variable becomes `x`. */
const instantiate = (path: string) => path.replace(/\{[^}]+\}/g, 'x');

describe('route table', () => {
  it('names every action <family>.<verb>', () => {
    for (const r of ROUTES) expect(r.action).toMatch(/^[a-z]+\.[a-z]+(?:-[a-z]+)*$/);
  });

  it('lists each method and path once', () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('reaches every route: no route is shadowed by an earlier one', () => {
    for (const r of ROUTES) {
      const method = r.method === 'ANY' ? 'GET' : r.method;
      expect(matchRoute(method, instantiate(r.path), {}, !r.unversioned)?.route, `${r.method} ${r.path}`).toBe(r);
    }
  });

  it('covers the actions the policy names', () => {
    const actions = new Set(ROUTES.map((r) => r.action));
    // /images/create resolves to image.import without fromImage.
    for (const r of ROUTES) if (r.resolve) actions.add(r.resolve({ vars: {}, query: { fromSrc: ['-'] } }));
    const wanted = ['container.create', 'container.exec', 'container.attach', 'container.archive-put', 'container.commit', 'exec.start', 'exec.resize', 'exec.inspect', 'image.pull', 'image.import', 'image.push', 'image.build', 'image.build-prune', 'image.load', 'image.save', 'image.search', 'image.tag', 'image.delete', 'volume.create', 'volume.delete', 'network.create', 'network.connect', 'network.disconnect', 'system.info', 'system.version', 'system.ping', 'system.events', 'system.df', 'system.auth', 'system.session', 'distribution.inspect', 'plugin.install', 'plugin.set', 'swarm.init', 'service.create', 'node.update', 'task.list', 'secret.create', 'config.create'];
    expect(wanted.filter((a) => !actions.has(a))).toEqual([]);
  });

  it('requires the JSON body on every create or update whose body grants host access', () => {
    const required = ROUTES.filter((r) => r.body === 'required').map((r) => `${r.method} ${r.path}`);
    for (const p of ['POST /containers/create', 'POST /containers/{name:.*}/exec', 'POST /containers/{name:.*}/update', 'POST /plugins/pull', 'POST /plugins/{name:.*}/upgrade', 'POST /plugins/{name:.*}/set', 'POST /services/create', 'POST /services/{id}/update', 'POST /swarm/init', 'POST /swarm/update', 'POST /volumes/create', 'POST /networks/create']) {
      expect(required).toContain(p);
    }
  });
});

describe('matching like dockerd', () => {
  const cases: [string, string, string, string, string | undefined][] = [
    ['GET', '/containers/json', '', 'container.list', undefined],
    ['GET', '/containers/web/json', '', 'container.inspect', 'web'],
    // `{name:.*}` takes slashes: the last matching suffix decides, as in mux.
    ['POST', '/containers/a/exec/start', '', 'container.start', 'a/exec'],
    ['GET', '/containers/web/attach/ws', '', 'container.attach', 'web'],
    ['HEAD', '/containers/web/archive', 'path=/etc', 'container.archive-head', 'web'],
    ['PUT', '/containers/web/archive', 'path=/', 'container.archive-put', 'web'],
    ['DELETE', '/containers/web', 'force=1', 'container.delete', 'web'],
    ['POST', '/containers/create', 'name=web', 'container.create', 'web'],
    // The checkpoint router comes first, so DELETE of a checkpoint is not a container delete…
    ['DELETE', '/containers/web/checkpoints/c1', '', 'container.checkpoint-delete', 'web'],
    // …unless the container part has a slash, which `{name}` does not match.
    ['DELETE', '/containers/a/b/checkpoints/c1', '', 'container.delete', 'a/b/checkpoints/c1'],
    ['POST', '/exec/e1/start', '', 'exec.start', 'e1'],
    ['POST', '/commit', 'container=web&repo=x', 'container.commit', 'web'],
    ['GET', '/images/json', '', 'image.list', undefined],
    ['GET', '/images/get', 'names=a&names=b', 'image.save', 'a,b'],
    ['GET', '/images/busybox/get', '', 'image.save', 'busybox'],
    ['GET', '/images/search', 'term=a b', 'image.search', 'a b'],
    ['POST', '/images/reg:5000/app/push', 'tag=1', 'image.push', 'reg:5000/app:1'],
    ['POST', '/images/reg:5000/app/push', '', 'image.push', 'reg:5000/app'],
    ['POST', '/images/busybox/tag', 'repo=reg/app&tag=1', 'image.tag', 'busybox'],
    ['DELETE', '/images/sha256:abc', '', 'image.delete', 'sha256:abc'],
    ['POST', '/build', 't=a:1&t=b:2', 'image.build', 'a:1,b:2'],
    ['GET', '/distribution/busybox:1/json', '', 'distribution.inspect', 'busybox:1'],
    ['GET', '/_ping', '', 'system.ping', undefined],
    ['HEAD', '/_ping', '', 'system.ping', undefined],
    ['OPTIONS', '/containers/json', '', 'system.options', undefined],
    ['GET', '/volumes/v1', '', 'volume.inspect', 'v1'],
    ['PUT', '/volumes/v1', 'version=3', 'volume.update', 'v1'],
    ['GET', '/networks/', '', 'network.list', undefined],
    ['GET', '/networks/n1', '', 'network.inspect', 'n1'],
    ['POST', '/networks/n1/connect', '', 'network.connect', 'n1'],
    ['POST', '/plugins/pull', 'remote=vieux/sshfs&name=sshfs', 'plugin.install', 'vieux/sshfs'],
    ['GET', '/plugins/privileges', 'remote=vieux/sshfs', 'plugin.privileges', 'vieux/sshfs'],
    ['POST', '/plugins/sshfs:latest/enable', '', 'plugin.enable', 'sshfs:latest'],
    ['GET', '/services/s1/logs', '', 'service.logs', 's1'],
    ['POST', '/swarm/unlock', '', 'swarm.unlock', undefined],
    ['GET', '/debug/pprof/heap', '', 'system.debug', 'heap'],
    ['PUT', '/debug/vars', '', 'system.debug', undefined],
  ];
  it.each(cases)('%s %s?%s → %s %s', (method, path, query, action, object) => {
    const m = matchRoute(method, path, q(query), !path.startsWith('/debug'));
    expect([m?.action, m?.object]).toEqual([action, object]);
  });
});

describe('image create: pull or import, and which reference', () => {
  const cases: [string, string, string | undefined][] = [
    ['fromImage=busybox&tag=1.36', 'image.pull', 'busybox:1.36'],
    ['fromImage=busybox', 'image.pull', 'busybox'],
    // `docker pull -a` sends a trailing colon.
    ['fromImage=busybox%3A&tag=', 'image.pull', 'busybox'],
    ['fromImage=reg%3A5000%2Fapp&tag=latest', 'image.pull', 'reg:5000/app:latest'],
    // A tag replaces the one in fromImage; a digest tag pins the bare name.
    ['fromImage=reg:5000/app:1&tag=2', 'image.pull', 'reg:5000/app:2'],
    [`fromImage=busybox:1&tag=sha256:${'a'.repeat(64)}`, 'image.pull', `busybox@sha256:${'a'.repeat(64)}`],
    [`fromImage=busybox@sha256:${'b'.repeat(64)}&tag=1`, 'image.pull', `busybox:1@sha256:${'b'.repeat(64)}`],
    // Go's r.Form.Get reads the first value; dockerd pulls whenever fromImage is set.
    ['fromImage=first&fromImage=second&tag=1', 'image.pull', 'first:1'],
    ['fromSrc=-&fromImage=evil', 'image.pull', 'evil'],
    ['fromSrc=-&repo=capture%2Fbusybox%3A1&tag=', 'image.import', 'capture/busybox:1'],
    ['fromSrc=-&repo=app%3A1&tag=2', 'image.import', 'app:2'],
    ['fromSrc=http%3A%2F%2Fx%2Fa.tar', 'image.import', undefined],
  ];
  it.each(cases)('%s → %s %s', (query, action, object) => {
    const r = parseAuthzRequest({ RequestMethod: 'POST', RequestUri: `/v1.41/images/create?${query}`, RequestHeaders: { 'Content-Length': '0' } }, { maxBodyBytes: DEFAULT_MAX_BODY_BYTES });
    expect(r.ok && [r.facts.action, r.facts.object]).toEqual([action, object]);
  });
});

describe('objects named in the body', () => {
  it('takes a volume, network or service create object from the body Name', () => {
    for (const [uri, body, object] of [
      ['/v1.41/volumes/create', '{"Name":"data","Driver":"local"}', 'data'],
      ['/v1.41/networks/create', '{"name":"back"}', 'back'],
      ['/v1.41/services/create', '{"Name":"web","TaskTemplate":{}}', 'web'],
    ] as const) {
      const r = parseAuthzRequest({ RequestMethod: 'POST', RequestUri: uri, RequestBody: Buffer.from(body).toString('base64'), RequestHeaders: { 'Content-Length': String(body.length), 'Content-Type': 'application/json' } }, { maxBodyBytes: DEFAULT_MAX_BODY_BYTES });
      expect(r.ok && r.facts.object).toBe(object);
    }
  });
});
