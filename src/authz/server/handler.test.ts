import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthzConfig } from '../config/load.js';
import { makeGroupResolver } from '../identity/index.js';
import { compileRbac } from '../rbac/compile.js';
import type { AuditEntry } from '../types.js';
import { handleAuthz } from './handler.js';
import type { AuthzState } from './state.js';

const ping = (JSON.parse(readFileSync(join(import.meta.dirname, '../request/testdata/run-plain.json'), 'utf8')) as { exchanges: { body: object }[] }).exchanges[0]?.body;

async function state(): Promise<AuthzState> {
  const config = parseAuthzConfig(
    `apiVersion: portcullis.dev/v1
kind: AuthzConfig
metadata: {name: h}
spec:
  identity: {socketUser: root}
  roles: [{name: admin, actions: ['*']}]
  bindings: [{role: admin, users: [root]}]
  audit: {dir: /nonexistent}
`,
    '/etc/portcullis/authz.yaml',
  );
  const { rbac } = compileRbac(config.spec.roles, config.spec.bindings, config.spec.sensitivePaths);
  return { generation: 1, loaded: { file: 'authz.yaml', config, rbac, policies: [], files: [] }, groups: await makeGroupResolver({}) };
}

describe('handleAuthz', () => {
  it('allows only what is on record: an audit write that fails denies', async () => {
    const s = await state();
    const written: AuditEntry[] = [];
    const ok = await handleAuthz(ping, 'request', { state: () => s, mark: 'm', audit: { append: async (e) => void written.push(e) } });
    expect(ok).toEqual({ Allow: true });
    expect(written).toMatchObject([{ phase: 'request', user: 'root', action: 'system.ping', decision: 'allow', rule: 'role admin: system.ping', uri: '/_ping' }]);
    const failing = await handleAuthz(ping, 'request', { state: () => s, mark: 'm', audit: { append: async () => Promise.reject(new Error('disk full')) } });
    expect(failing).toEqual({ Allow: false, Msg: expect.stringContaining('audit log cannot be written: disk full') });
  });

  it('denies when a part of the decision throws', async () => {
    const s = await state();
    const broken: AuthzState = { ...s, groups: { groupsOf: () => Promise.reject(new Error('boom')), close: async () => {} } };
    const written: AuditEntry[] = [];
    const r = await handleAuthz(ping, 'request', { state: () => broken, mark: 'm', audit: { append: async (e) => void written.push(e) } });
    expect(r.Allow).toBe(false);
    expect(r.Msg).toContain('boom');
    expect(written[0]?.decision).toBe('deny');
  });

  it('resolves relative paths against the configuration file', async () => {
    const s = await state();
    expect(s.loaded?.config.spec.audit.dir).toBe('/nonexistent');
    const c = parseAuthzConfig('apiVersion: portcullis.dev/v1\nkind: AuthzConfig\nmetadata: {name: r}\nspec: {roles: [{name: a, actions: ["*"]}], images: {policies: [p.yaml]}, audit: {dir: audit}}\n', '/etc/portcullis/authz.yaml');
    expect(c.spec.audit.dir).toBe('/etc/portcullis/audit');
    expect(c.spec.images.policies).toEqual(['/etc/portcullis/p.yaml']);
  });
});
