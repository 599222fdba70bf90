import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import type { ContainerCreateFacts, Identity, RequestFacts } from '../types.js';
import { compileRbac } from './compile.js';
import { decideRbac } from './decide.js';
import { BindingSchema, DEFAULT_SENSITIVE_PATHS, RoleSchema } from './model.js';
import { touches } from './risks.js';

const doc = z
  .object({ roles: z.array(RoleSchema), bindings: z.array(BindingSchema) })
  .parse(parse(readFileSync(join(import.meta.dirname, 'testdata/roles.yaml'), 'utf8')));
const { rbac, diagnostics } = compileRbac(doc.roles, doc.bindings, DEFAULT_SENSITIVE_PATHS);

const who = (user: string, ...groups: string[]): Identity => ({ user, authn: 'TLS', groups });
const req = (action: string, extra: Partial<RequestFacts> = {}): RequestFacts => ({ method: 'POST', path: '/x', query: {}, action, ...extra });
const create = (c: Partial<ContainerCreateFacts> = {}): RequestFacts =>
  req('container.create', { create: { image: 'busybox', privileged: false, capAdd: [], hostNamespaces: [], bindMounts: [], devices: [], securityOpt: [], joins: [], ...c } });

interface Case {
  readonly name: string;
  readonly id: Identity;
  readonly facts: RequestFacts;
  readonly allow: boolean;
  /** Part of the reason the docker client shows. */
  readonly says?: string;
}

const CASES: readonly Case[] = [
  { name: 'a user with no role', id: who('mallory', 'visitors'), facts: req('system.ping'), allow: false, says: 'has no role' },
  { name: 'developer ps', id: who('dave', 'devs'), facts: req('container.list'), allow: true },
  { name: 'developer bound by name', id: who('carol'), facts: req('container.list'), allow: true },
  { name: 'developer push', id: who('dave', 'devs'), facts: req('image.push'), allow: false, says: 'may not image.push' },
  { name: 'developer plain run', id: who('dave', 'devs'), facts: create(), allow: true },
  { name: 'developer privileged', id: who('dave', 'devs'), facts: create({ privileged: true }), allow: false, says: 'privileged containers are not allowed' },
  { name: 'developer --pid host', id: who('dave', 'devs'), facts: create({ hostNamespaces: ['pid'] }), allow: false, says: 'host namespaces are not allowed: pid' },
  { name: 'developer --cap-add', id: who('dave', 'devs'), facts: create({ capAdd: ['SYS_ADMIN'] }), allow: false, says: 'added capabilities are not allowed: SYS_ADMIN' },
  { name: 'developer -v /:/host', id: who('dave', 'devs'), facts: create({ bindMounts: ['/'] }), allow: false, says: 'bind mount of / is not allowed' },
  { name: 'developer docker socket', id: who('dave', 'devs'), facts: create({ bindMounts: ['/run/docker.sock'] }), allow: false, says: 'sensitive' },
  { name: 'developer workspace bind', id: who('dave', 'devs'), facts: create({ bindMounts: ['/home/dave/work/src'] }), allow: true },
  { name: 'developer other bind', id: who('dave', 'devs'), facts: create({ bindMounts: ['/home/dave/secrets'] }), allow: false, says: 'bind mount of /home/dave/secrets' },
  { name: 'developer seccomp unconfined', id: who('dave', 'devs'), facts: create({ securityOpt: ['seccomp=unconfined'] }), allow: false, says: 'security options' },
  { name: 'developer device', id: who('dave', 'devs'), facts: create({ devices: ['/dev/sda'] }), allow: false, says: 'host devices' },
  { name: 'developer privileged exec', id: who('dave', 'devs'), facts: req('container.exec', { exec: { privileged: true, cmd: ['sh'] } }), allow: false, says: 'privileged exec' },
  { name: 'developer plain exec', id: who('dave', 'devs'), facts: req('container.exec', { exec: { privileged: false, cmd: ['sh'] } }), allow: true },
  { name: 'operator NET_ADMIN and host network', id: who('olga', 'ops'), facts: create({ capAdd: ['NET_ADMIN', 'NET_RAW'], hostNamespaces: ['network'] }), allow: true },
  { name: 'operator --cap-add ALL', id: who('olga', 'ops'), facts: create({ capAdd: ['ALL'] }), allow: false, says: 'ALL' },
  { name: 'operator /srv bind', id: who('olga', 'ops'), facts: create({ bindMounts: ['/srv/data'] }), allow: true },
  { name: 'operator /var/log/* bind one level', id: who('olga', 'ops'), facts: create({ bindMounts: ['/var/log/nginx'] }), allow: true },
  { name: 'operator /var/log/* is not two levels', id: who('olga', 'ops'), facts: create({ bindMounts: ['/var/log/nginx/x'] }), allow: false },
  { name: 'operator /var is above /var/lib/docker', id: who('olga', 'ops'), facts: create({ bindMounts: ['/var'] }), allow: false, says: 'touches /var/lib/docker' },
  { name: 'admin anything', id: who('alice', 'docker-admins'), facts: create({ privileged: true, bindMounts: ['/'], capAdd: ['ALL'], hostNamespaces: ['pid', 'network'] }), allow: true },
  { name: 'auditor cannot create', id: who('ann', 'audit'), facts: create(), allow: false, says: 'may not container.create' },
  { name: 'auditor system.info', id: who('ann', 'audit'), facts: req('system.info'), allow: true },
  { name: 'ci pushes', id: who('ci-bot'), facts: req('image.push'), allow: true },
  { name: 'ci cannot run', id: who('ci-bot'), facts: create(), allow: false },
  { name: 'developer --pid container:x', id: who('dave', 'devs'), facts: create({ joins: ['pid=container:x'] }), allow: false, says: "sharing other containers' namespaces" },
  { name: 'admin --volumes-from', id: who('alice', 'docker-admins'), facts: create({ joins: ['volumes-from=x'] }), allow: true },
  { name: 'developer bind volume of /etc', id: who('dave', 'devs'), facts: req('volume.create', { volume: { driver: 'local', bindSource: '/etc' } }), allow: false, says: 'volume: bind mount of /etc' },
  { name: 'developer plain volume', id: who('dave', 'devs'), facts: req('volume.create', { volume: { driver: 'local' } }), allow: true },
  { name: 'operator bind volume of /srv', id: who('olga', 'ops'), facts: req('volume.create', { volume: { driver: 'local', bindSource: '/srv/data' } }), allow: true },
  // Two roles: the one that allows every risk decides.
  { name: 'dev + ops privileged? neither', id: who('eve', 'devs', 'ops'), facts: create({ privileged: true }), allow: false },
  { name: 'dev + ops: ops allows NET_ADMIN', id: who('eve', 'devs', 'ops'), facts: create({ capAdd: ['NET_ADMIN'] }), allow: true },
];

describe('decideRbac', () => {
  it('compiles the test roles without diagnostics', () => expect(diagnostics).toEqual([]));

  it.each(CASES)('$name', (c) => {
    const d = decideRbac(rbac, c.id, c.facts);
    expect(d.allow, d.reason).toBe(c.allow);
    if (c.says) expect(d.reason).toContain(c.says);
    if (d.allow) expect(d.role).toBeDefined();
  });

  it('reports bindings to unknown roles and bad globs', () => {
    const r = compileRbac([RoleSchema.parse({ name: 'x', actions: ['*'], allow: { bindMounts: ['/a/[b'] } })], [BindingSchema.parse({ role: 'nope', users: ['u'] })], []);
    expect(r.diagnostics.map((d) => d.path)).toEqual(['spec.roles[0].allow.bindMounts[0]', 'spec.bindings[0].role']);
  });

  it('rejects malformed roles at the schema', () => {
    expect(RoleSchema.safeParse({ name: 'x', actions: ['container'] }).success).toBe(false);
    expect(RoleSchema.safeParse({ name: 'x', actions: ['*'], allow: { bindMounts: ['relative'] } }).success).toBe(false);
    expect(RoleSchema.safeParse({ name: 'x', actions: ['*'], allow: { hostNamespaces: ['mnt'] } }).success).toBe(false);
    expect(BindingSchema.safeParse({ role: 'x' }).success).toBe(false);
  });
});

describe('touches', () => {
  it.each([
    ['/', '/etc', true],
    ['/etc', '/etc', true],
    ['/etc/ssl', '/etc', true],
    ['/etcetera', '/etc', false],
    ['/var', '/var/lib/docker', true],
    ['/var/lib/dockerd', '/var/lib/docker', false],
    ['/srv', '/etc', false],
  ])('%s vs %s → %s', (path, s, want) => expect(touches(path, s)).toBe(want));
});
