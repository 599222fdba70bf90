import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { parseChallenge } from './auth.js';
import { checkScheme } from './http.js';
import { isLoopbackHost, parseReference } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['alpine', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['alpine:3.18', { registry: 'docker.io', repository: 'library/alpine', tag: '3.18' }],
    ['docker.io/alpine', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/alpine' }],
    ['index.docker.io/grafana/loki:2.9', { registry: 'docker.io', repository: 'grafana/loki', tag: '2.9' }],
    ['user/app', { registry: 'docker.io', repository: 'user/app', tag: 'latest' }],
    ['127.0.0.1:5000/team/app:v1', { registry: '127.0.0.1:5000', apiHost: '127.0.0.1:5000', repository: 'team/app', tag: 'v1' }],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest' }],
    ['[::1]:5000/app:1', { registry: '[::1]:5000', repository: 'app', tag: '1' }],
    ['ghcr.io/o/r/deep/name_x.y-z:T_1.0-rc', { registry: 'ghcr.io', repository: 'o/r/deep/name_x.y-z', tag: 'T_1.0-rc' }],
    [`quay.io/app@${D}`, { registry: 'quay.io', repository: 'app', digest: D }],
    [`quay.io/app:v1@${D}`, { repository: 'app', tag: 'v1', digest: D }],
  ])('%s', (ref, want) => {
    expect(parseReference(ref)).toMatchObject(want);
  });

  it('leaves the tag out when only a digest is given', () => {
    expect(parseReference(`app@${D}`).tag).toBeUndefined();
  });

  it.each(['', 'UPPER/case', 'app:', 'app:-bad', 'a//b', '/app', 'app@sha256:short', `app@md5:${'a'.repeat(32)}`, 'host:99999/app', 'my app', `x/${'a'.repeat(300)}`, 'app:t@', '-app'])(
    'rejects %j with IMAGE_REF_INVALID',
    (ref) => {
      let err: unknown;
      try {
        parseReference(ref);
      } catch (e) {
        err = e;
      }
      expect(isPortcullisError(err, 'IMAGE_REF_INVALID')).toBe(true);
    },
  );
});

describe('isLoopbackHost / checkScheme', () => {
  it.each([
    ['127.0.0.1:5000', true], ['127.9.8.7', true], ['localhost:80', true], ['[::1]:5000', true], ['::1', true],
    ['10.0.0.1:5000', false], ['127.example.com', false], ['localhost.example.com', false], ['[::2]:1', false], ['0.0.0.0', false],
  ])('%s → %s', (host, want) => {
    expect(isLoopbackHost(host)).toBe(want);
  });

  it('allows http only to loopback with insecure', () => {
    expect(() => checkScheme(new URL('http://127.0.0.1:1/'), true, {})).not.toThrow();
    expect(() => checkScheme(new URL('https://example.com/'), false, {})).not.toThrow();
    for (const [url, insecure] of [['http://127.0.0.1/', false], ['http://example.com/', true], ['ftp://127.0.0.1/', true]] as const) {
      expect(() => checkScheme(new URL(url), insecure, {})).toThrow(expect.objectContaining({ code: 'REGISTRY_INSECURE' }));
    }
  });
});

describe('parseChallenge', () => {
  it('reads a Bearer challenge with quoted, escaped and comma-holding values', () => {
    const c = parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push",error="say \\"hi\\""');
    expect(c).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push', error: 'say "hi"' },
    });
  });

  it('reads Basic, unquoted values and odd spacing; ignores unknown schemes', () => {
    expect(parseChallenge('basic realm=Registry')).toEqual({ scheme: 'basic', params: { realm: 'Registry' } });
    expect(parseChallenge('Bearer  realm = "r" , service=s')?.params).toEqual({ realm: 'r', service: 's' });
    expect(parseChallenge('Negotiate abc')).toBeUndefined();
    expect(parseChallenge('')).toBeUndefined();
  });
});
