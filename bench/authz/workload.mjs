// The decision bench's inputs: the plugin configuration (the roles of deploy/authz/authz.yaml,
// groups from a local file of 2,000 users) and a request mix replayed from the AuthZ requests
// Debian's dockerd really sent (src/authz/request/testdata/*.json), each exchange with the
// answer the policy must give. The expected answers come from reading the roles below, not
// from running the plugin, so a wrong decision shows up as a mismatch.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CAPTURES = join(import.meta.dirname, '../../src/authz/request/testdata');

/** Roles as in deploy/authz/authz.yaml (without image policies: they need a daemon to read images). */
const ROLES = `  roles:
    - name: admin
      actions: ['*']
      allow: {privileged: true, hostNamespaces: ['*'], capabilities: [ALL], bindMounts: ['/**'], sensitiveMounts: true, devices: ['/dev/**'], unconfined: true}
    - name: operator
      actions: [container.*, exec.*, image.*, volume.*, network.*, system.*]
      allow: {capabilities: [NET_ADMIN, NET_BIND_SERVICE], hostNamespaces: [network], bindMounts: ['/srv/**']}
    - name: developer
      actions: [container.*, exec.*, image.pull, image.list, image.inspect, image.history, image.tag, image.build, volume.*, system.ping, system.version, system.info, system.events]
      allow: {bindMounts: ['/home/*/work/**']}
    - name: auditor
      actions: [container.list, container.inspect, container.logs, container.top, image.list, image.inspect, image.history, volume.list, volume.inspect, network.list, network.inspect, system.*]
    - name: ci
      actions: [image.*, system.ping, system.version, system.info, system.auth]
  bindings:
    - {role: admin, users: [local-root], groups: [docker-admins]}
    - {role: operator, groups: [ops]}
    - {role: developer, groups: [devs]}
    - {role: auditor, groups: [audit]}
    - {role: ci, groups: [ci]}
`;

/** A YAML configuration for `portcullis authz serve`. */
export function authzConfigYaml({ groupsFile, auditDir, hmacKeyFile, socketUser = 'local-root' }) {
  const key = hmacKeyFile ? `, hmacKeyFile: ${JSON.stringify(hmacKeyFile)}` : '';
  return `apiVersion: portcullis.dev/v1
kind: AuthzConfig
metadata: {name: bench-authz}
spec:
  identity:
    socketUser: ${socketUser}
    groups: {file: ${JSON.stringify(groupsFile)}}
${ROLES}  audit: {dir: ${JSON.stringify(auditDir)}${key}}
`;
}

const GROUPS = ['devs', 'ops', 'audit', 'ci', 'docker-admins'];

/** A group file the size of a department: the named bench users plus `users` generated ones. */
export function groupsYaml(users = 2000) {
  const lines = ['users:', '  alice: [docker-admins, devs]', '  dave: [devs]', '  ann: [audit]', '  olga: [ops]'];
  for (let i = 0; i < users; i++) lines.push(`  user${String(i).padStart(5, '0')}: [${GROUPS[i % GROUPS.length]}${i % 7 === 0 ? ', audit' : ''}]`);
  lines.push('groups:', '  ci: [ci-bot]', '  devs: [bob]');
  return `${lines.join('\n')}\n`;
}

/**
 * What users do, with how often. `deny` names the request the policy refuses (a substring of
 * its URI, or `*` for the first one); dockerd asks nothing more after a denied request, so the
 * mix stops there, like the client does. mallory is in no group file (unknown user).
 */
export const SCENARIOS = [
  { capture: 'ps', user: 'ann', weight: 4, why: 'auditor: docker ps -a' },
  { capture: 'exec', user: 'dave', weight: 2, why: 'developer: docker exec (inspect, exec create/start/inspect)' },
  { capture: 'run-plain', user: 'dave', weight: 2, why: 'developer: docker run (create, attach, wait, start)' },
  { capture: 'run-privileged', user: 'dave', weight: 1, deny: '/containers/create', why: 'developer: docker run --privileged, denied' },
  { capture: 'run-bind-root', user: 'dave', weight: 1, deny: '/containers/create', why: 'developer: docker run -v /:/host, denied' },
  { capture: 'run-privileged', user: 'alice', weight: 1, why: 'admin: docker run --privileged' },
  { capture: 'info', user: 'ci-bot', weight: 1, why: 'ci: docker info' },
  { capture: 'volume-create', user: 'dave', weight: 1, why: 'developer: docker volume create' },
  { capture: 'version', user: 'mallory', weight: 1, deny: '*', why: 'unknown user: docker version, denied' },
];

/** The client certificate dockerd forwards with every TLS request (a real one, from tls-info.json). */
function peerCertificates() {
  const tls = JSON.parse(readFileSync(join(CAPTURES, 'tls-info.json'), 'utf8'));
  return tls.exchanges[0].body.RequestPeerCertificates;
}

/**
 * The flat mix: `[{ label, phase, body, allow }]`, scenarios repeated by weight and the users
 * made TLS users the way dockerd reports them (`User` = the certificate's CN).
 */
export function buildMix(scenarios = SCENARIOS) {
  const certs = peerCertificates();
  const mix = [];
  for (const s of scenarios) {
    const capture = JSON.parse(readFileSync(join(CAPTURES, `${s.capture}.json`), 'utf8'));
    const one = [];
    for (const [i, x] of capture.exchanges.entries()) {
      const body = { User: s.user, UserAuthNMethod: 'TLS', ...x.body, RequestPeerCertificates: certs };
      const denied = s.deny !== undefined && x.phase === 'request' && (s.deny === '*' || body.RequestUri.includes(s.deny));
      one.push({ label: `${s.capture}#${i} ${s.user} ${x.phase} ${body.RequestMethod} ${body.RequestUri.slice(0, 60)}`, phase: x.phase, body, allow: !denied });
      if (denied) break;
    }
    if (s.deny !== undefined && one.at(-1)?.allow !== false) throw new Error(`scenario ${s.capture}/${s.user}: no request matches deny ${s.deny}`);
    for (let w = 0; w < s.weight; w++) mix.push(...one);
  }
  return mix;
}

export function writeMix(file, mix = buildMix()) {
  writeFileSync(file, JSON.stringify(mix));
  return mix;
}
