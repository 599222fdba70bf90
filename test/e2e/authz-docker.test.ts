import { copyFileSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../helpers/exec.js';
import { runCli } from '../helpers/cli.js';
import { type TmpDir, tmpDir } from '../helpers/tmp.js';
import { authzConfig, authzUnavailable, type AuthzWorld, startAuthzWorld } from './authz-env.js';

/**
 * The Docker authorization plugin against a real dockerd (Debian's 20.10) that asks it about
 * every request, real TLS client certificates for identity, a real slapd for groups and a
 * local registry: per-role docker CLI commands, the CVE-2024-41110 and CVE-2026-34040 request
 * shapes, the plugin killed and restarted, the audit log, hot reload.
 */

const skip = authzUnavailable();
const DENIED = /authorization denied by plugin/;

interface AuditLine {
  readonly seq: number;
  readonly phase: string;
  readonly user: string;
  readonly uri: string;
  readonly decision: string;
  readonly action: string;
  readonly rule: string;
}

function auditRecords(dir: string): AuditLine[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditLine),
    );
}

describe.skipIf(skip !== undefined)('docker authz plugin on a real dockerd (TLS users, slapd groups)', () => {
  let tmp: TmpDir;
  let w: AuthzWorld;
  let reg: string;

  beforeAll(async () => {
    tmp = await tmpDir('authz-e2e');
    w = await startAuthzWorld(tmp.path);
    reg = w.registry.host;
    // The unix socket acts as local-root (admin): push the test image to the trusted registry.
    await w.daemon.docker(['tag', 'local/busybox:1', `${reg}/busybox:1`]);
    await w.daemon.docker(['push', `${reg}/busybox:1`]);
  }, 240_000);

  afterAll(async () => {
    if (process.env.AUTHZ_E2E_DEBUG) console.log(readFileSync(join(tmp.path, 'plugin.log'), 'utf8').slice(-3000));
    await w?.stop();
    await tmp?.remove();
  }, 120_000);

  it('lets each role do what the policy grants and shows the reason for the rest', async () => {
    // admin (alice, LDAP group docker-admins): everything, privileged included.
    expect((await w.as('alice', ['info', '--format', '{{.ServerVersion}}'])).code).toBe(0);
    expect((await w.as('alice', ['volume', 'create', 'alice-vol'])).code).toBe(0);
    const priv = await w.as('alice', ['create', '--privileged', '--network', 'none', `${reg}/busybox:1`, 'true']);
    expect(priv.code, priv.stderr).toBe(0);
    expect((await w.as('alice', ['tag', `${reg}/busybox:1`, `${reg}/alice:1`])).code).toBe(0);
    expect((await w.as('alice', ['push', `${reg}/alice:1`])).code).toBe(0);

    // developer (dave): ps, run, exec, pull, volume create; not privileged, not push.
    expect((await w.as('dave', ['ps', '-a'])).code).toBe(0);
    const run = await w.as('dave', ['run', '-d', '--name', 'dave-box', '--network', 'none', `${reg}/busybox:1`, 'sleep', '300']);
    expect(run.code, run.stderr).toBe(0);
    const ex = await w.as('dave', ['exec', 'dave-box', 'echo', 'hello']);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout.trim()).toBe('hello');
    expect((await w.as('dave', ['pull', `${reg}/alice:1`])).code).toBe(0);
    expect((await w.as('dave', ['volume', 'create', 'dave-vol'])).code).toBe(0);
    const davePriv = await w.as('dave', ['run', '--privileged', '--network', 'none', `${reg}/busybox:1`, 'true']);
    expect(davePriv.code).not.toBe(0);
    expect(davePriv.stderr).toMatch(DENIED);
    expect(davePriv.stderr).toContain('privileged containers are not allowed');
    const daveRoot = await w.as('dave', ['create', '--network', 'none', '-v', '/:/host', `${reg}/busybox:1`]);
    expect(daveRoot.stderr).toContain('bind mount of / is not allowed');
    const daveSock = await w.as('dave', ['create', '--network', 'none', '-v', '/var/run/docker.sock:/var/run/docker.sock', `${reg}/busybox:1`]);
    expect(daveSock.stderr).toMatch(/bind mount of \/run\/docker.sock is not allowed/);
    const davePid = await w.as('dave', ['create', '--network', 'none', '--pid', 'host', `${reg}/busybox:1`]);
    expect(davePid.stderr).toContain('host namespaces are not allowed: pid');
    const daveCap = await w.as('dave', ['create', '--network', 'none', '--cap-add', 'SYS_ADMIN', `${reg}/busybox:1`]);
    expect(daveCap.stderr).toContain('added capabilities are not allowed: SYS_ADMIN');
    const davePush = await w.as('dave', ['push', `${reg}/alice:1`]);
    expect(davePush.code).not.toBe(0);
    expect(davePush.stderr).toMatch(/may not image.push/);

    // auditor (ann): ps and info, nothing that changes state.
    expect((await w.as('ann', ['ps'])).code).toBe(0);
    expect((await w.as('ann', ['info'])).code).toBe(0);
    const annRun = await w.as('ann', ['run', '--network', 'none', `${reg}/busybox:1`, 'true']);
    expect(annRun.stderr).toMatch(/may not container.create/);
    expect((await w.as('ann', ['volume', 'create', 'ann-vol'])).stderr).toMatch(/may not volume.create/);
    expect((await w.as('ann', ['pull', `${reg}/alice:1`])).stderr).toMatch(/may not image.pull/);

    // ci (ci-bot, posixGroup memberUid): pull and push, not run, not ps.
    expect((await w.as('ci-bot', ['pull', `${reg}/busybox:1`])).code).toBe(0);
    expect((await w.as('ci-bot', ['tag', `${reg}/busybox:1`, `${reg}/ci:1`])).code).toBe(0);
    expect((await w.as('ci-bot', ['push', `${reg}/ci:1`])).code).toBe(0);
    expect((await w.as('ci-bot', ['ps'])).stderr).toMatch(/may not container.list/);

    // mallory has a certificate from the CA but no directory entry: no access at all.
    const m = await w.as('mallory', ['ps']);
    expect(m.code).not.toBe(0);
    expect(m.stderr).toMatch(/user "mallory" is unknown/);
    await w.as('alice', ['rm', '-f', 'dave-box']);
  }, 600_000);

  it('decides creates by the image policy shared with the CI gate', async () => {
    const untrusted = await w.as('dave', ['create', '--network', 'none', 'local/busybox:1']);
    expect(untrusted.code, JSON.stringify(auditRecords(w.auditDir).filter((r) => r.action === 'container.create').slice(-2))).not.toBe(0);
    expect(untrusted.stderr).toMatch(/blocked by policy: e2e-deploy\/trusted-registry/);
    const trusted = await w.as('dave', ['create', '--network', 'none', `${reg}/busybox:1`]);
    expect(trusted.code, trusted.stderr).toBe(0);
    // The demo image (lodash 4.17.4 among its npm libraries, with advisories in the demo DB), pushed to the trusted registry.
    const demo = join(import.meta.dirname, '../../examples/images/demo.oci.tar');
    await exec('skopeo', ['copy', '--dest-tls-verify=false', `oci-archive:${demo}`, `docker://${reg}/demo:1`], { timeoutMs: 120_000 });
    expect((await w.as('dave', ['pull', `${reg}/demo:1`])).code).toBe(0);
    const vulnerable = await w.as('dave', ['create', '--network', 'none', `${reg}/demo:1`], 300_000);
    expect(vulnerable.code).not.toBe(0);
    expect(vulnerable.stderr).toMatch(/blocked by policy: e2e-deploy\/vulnerable-lodash/);
  }, 600_000);

  it('denies the CVE-2024-41110 and CVE-2026-34040 request shapes', async () => {
    const privileged = JSON.stringify({ Image: `${reg}/busybox:1`, Cmd: ['true'], HostConfig: { Privileged: true, NetworkMode: 'none' } });
    // Content-Length: 0 with a privileged create body behind it.
    const cl0 = await w.raw('dave', `POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n${privileged}`);
    expect(cl0).toMatch(/^HTTP\/1.1 403/);
    expect(cl0).toMatch(DENIED);
    // A create whose body is over 1 MiB: dockerd passes it on without the body.
    const padded = JSON.stringify({ Image: `${reg}/busybox:1`, Cmd: ['true'], Labels: { pad: 'x'.repeat(1_100_000) }, HostConfig: { Privileged: true, NetworkMode: 'none' } });
    const big = await w.api('dave', 'POST', '/v1.41/containers/create', padded);
    expect(big.status).toBe(403);
    expect(big.body).toMatch(DENIED);
    // Chunked with no length: the body never reaches the plugin either.
    const chunk = Buffer.from(privileged);
    const chunked = await w.raw('dave', `POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${privileged}\r\n0\r\n\r\n`);
    expect(chunked).toMatch(/^HTTP\/1.1 403/);
    // None of them created anything.
    const ps = await w.as('alice', ['ps', '-a', '--filter', 'label=pad', '-q']);
    expect(ps.stdout.trim()).toBe('');
  }, 300_000);

  it('audits every request: N requests, N records each way, and the chain verifies', async () => {
    const marker = `audit-${Date.now()}`;
    const N = 25;
    for (let i = 0; i < N; i++) expect((await w.api('ann', 'GET', `/v1.41/containers/json?filters=${encodeURIComponent(JSON.stringify({ label: [`${marker}=${i}`] }))}`)).status).toBe(200);
    const all = auditRecords(w.auditDir);
    const mine = all.filter((r) => r.uri.includes(marker));
    expect(mine.filter((r) => r.phase === 'request'), JSON.stringify(all.slice(-3))).toHaveLength(N);
    expect(mine.filter((r) => r.phase === 'response')).toHaveLength(N);
    expect(new Set(mine.map((r) => r.user))).toEqual(new Set(['ann']));
    expect(mine.every((r) => r.decision === 'allow' && r.action === 'container.list')).toBe(true);
    const verified = await runCli(['audit', 'verify', w.auditDir]);
    expect(verified.code, verified.stderr).toBe(0);
  }, 300_000);

  it('loses no answered record to SIGKILL, refuses requests while the plugin is gone, and recovers on restart', async () => {
    const marker = `kill-${Date.now()}`;
    const res = await w.api('ann', 'GET', `/v1.41/containers/json?filters=${encodeURIComponent(JSON.stringify({ label: [marker] }))}`);
    expect(res.status).toBe(200);
    await w.killPlugin('SIGKILL');
    try {
      const mine = auditRecords(w.auditDir).filter((r) => r.uri.includes(marker));
      expect(mine.map((r) => r.phase).sort()).toEqual(['request', 'response']);
      // dockerd retries the plugin for a while, then refuses.
      const gone = await w.as('alice', ['ps'], 120_000);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toMatch(/plugin|authorization/i);
    } finally {
      await w.startPlugin();
    }
    expect((await w.as('alice', ['ps'])).code).toBe(0);
    const verified = await runCli(['audit', 'verify', w.auditDir]);
    expect(verified.code, verified.stderr).toBe(0);
  }, 300_000);

  it('reloads the configuration without a restart', async () => {
    const before = await w.as('ann', ['volume', 'create', 'ann-reload']);
    expect(before.stderr).toMatch(/may not volume.create/);
    const original = readFileSync(w.configFile, 'utf8');
    const policy = /policies: \[([^\]]+)\]/.exec(original)?.[1] as string;
    writeFileSync(w.configFile, authzConfig({ slapd: w.slapd, policy, auditDir: w.auditDir, dockerHost: w.dockerHost, extraRoleActions: ', volume.create' }));
    let after = before;
    for (let i = 0; i < 50 && after.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await w.as('ann', ['volume', 'create', 'ann-reload']);
    }
    expect(after.code, after.stderr).toBe(0);
    writeFileSync(w.configFile, original);
  }, 120_000);

  it('detects one changed byte in the audit log', async () => {
    await w.killPlugin('SIGTERM');
    const files = readdirSync(w.auditDir).filter((f) => f.endsWith('.jsonl')).sort();
    const file = join(w.auditDir, files[files.length - 1] as string);
    const copy = `${file}.orig`;
    copyFileSync(file, copy);
    const bytes = readFileSync(file);
    const at = bytes.indexOf('"ann"');
    expect(at).toBeGreaterThan(0);
    bytes[at + 1] = 'A'.charCodeAt(0);
    writeFileSync(file, bytes);
    const tampered = await runCli(['audit', 'verify', w.auditDir]);
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toContain('AUDIT_TAMPERED');
    copyFileSync(copy, file);
    unlinkSync(copy);
    expect((await runCli(['audit', 'verify', w.auditDir])).code).toBe(0);
    await w.startPlugin();
  }, 120_000);
});
