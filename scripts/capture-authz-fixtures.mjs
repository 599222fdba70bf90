#!/usr/bin/env node
/**
 * Captures the real AuthZ plugin traffic of Debian's dockerd 20.10 into
 * src/authz/request/testdata/*.json, the fixtures of the request parser's tests.
 *
 *   sudo node scripts/capture-authz-fixtures.mjs [--out DIR]
 *
 * It starts, all private to one temporary directory and stopped by pid at the end:
 *  - a recording AuthZ plugin (this process) on a unix socket: allows everything, records
 *    every /AuthZPlugin.AuthZReq and /AuthZPlugin.AuthZRes body exactly as dockerd sent it;
 *  - Debian's docker-registry on a free 127.0.0.1 port (pull and push);
 *  - a SECOND dockerd (own data root, exec root, pid file and socket, --bridge=none,
 *    --iptables=false) with `--authorization-plugin=<unique name>`, plus a TLS listener on
 *    127.0.0.1 with client certificates made here (to record User / UserAuthNMethod for TLS).
 * dockerd finds plugins only by name: a socket /run/docker/plugins/NAME.sock, or a spec file in
 * /etc/docker/plugins or /usr/lib/docker/plugins. The plugin listens on
 * /run/docker/plugins/portcullis-capture-<pid>.sock (a name no other dockerd uses), which is
 * unlinked when it closes.
 *
 * Then it runs Debian's docker CLI (/usr/bin/docker) for run (plain, --privileged, --cap-add,
 * --pid host, -v /:/host, the docker socket), exec, pull, push, volume create, ps, info and
 * version, and sends hand-made raw HTTP requests (chunked bodies, oversized bodies, path
 * tricks) to see which of them reach the plugin and with what.
 * Needs root, dockerd, docker-registry, openssl and a static busybox (Debian busybox-static).
 */
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createConnection, createServer as createNetServer } from 'node:net';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RAW_CASES } from './capture-authz-raw-cases.mjs';

const OUT = resolve(process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'src/authz/request/testdata');
const DOCKER = '/usr/bin/docker';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

if (process.getuid?.() !== 0) throw new Error('run as root: it starts a dockerd');
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
if (!busybox) throw new Error('install busybox-static');

const dir = mkdtempSync('/tmp/pc-authz-');
const name = `portcullis-capture-${process.pid}`;
const cleanups = [];

// ---- the recording plugin -------------------------------------------------------------
let step = 'startup';
const records = [];
const pluginSock = `/run/docker/plugins/${name}.sock`;
const plugin = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    if (req.url === '/AuthZPlugin.AuthZReq' || req.url === '/AuthZPlugin.AuthZRes') {
      records.push({ step, phase: req.url.endsWith('Req') ? 'request' : 'response', body: JSON.parse(text) });
    }
    const answer = req.url === '/Plugin.Activate' ? { Implements: ['authz'] } : { Allow: true };
    res.writeHead(200, { 'Content-Type': 'application/vnd.docker.plugins.v1.2+json' });
    res.end(JSON.stringify(answer));
  });
});
mkdirSync('/run/docker/plugins', { recursive: true });
await new Promise((r) => plugin.listen(pluginSock, r));
// Closing the server unlinks its socket file, so nothing of ours stays in /run/docker/plugins.
cleanups.push(() => new Promise((r) => plugin.close(() => r())));

// ---- helpers ---------------------------------------------------------------------------
async function freePort() {
  const srv = createNetServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Runs a command; resolves with {code, stdout, stderr}, never rejects (a denied or failed run is data too). */
function run(cmd, args, input) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { env: { ...process.env, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: join(dir, 'cli') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => (clearTimeout(timer), done({ code, stdout, stderr })));
    if (input) input.pipe(child.stdin);
    else child.stdin.end();
  });
}

function spawnDetached(cmd, args, logName) {
  const log = openSync(join(dir, logName), 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  return child;
}

function tcpOpen(port) {
  return new Promise((done) => {
    const c = createConnection(port, '127.0.0.1');
    c.on('connect', () => (c.destroy(), done(true)));
    c.on('error', () => done(false));
  });
}

async function waitFor(what, ms, probe) {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(200)) if (await probe()) return;
  throw new Error(`timed out waiting for ${what}`);
}

// ---- TLS material: a CA, the daemon's server certificate, a client certificate CN=alice ---
function makeCerts(certDir) {
  mkdirSync(certDir);
  const ssl = (...a) => execFileSync('openssl', a, { cwd: certDir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=portcullis-capture-ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  writeFileSync(join(certDir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(certDir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [who, cn] of [['server', '127.0.0.1'], ['client', 'alice']]) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${who}-key.pem`, '-out', `${who}.csr`);
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', `${who}.ext`, '-out', `${who}.pem`);
  }
}

// ---- registry and daemon -----------------------------------------------------------------
const regPort = await freePort();
writeFileSync(join(dir, 'reg.yml'), `version: 0.1\nstorage: {filesystem: {rootdirectory: ${dir}/reg}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:${regPort}}\n`);
const registry = spawnDetached('docker-registry', ['serve', join(dir, 'reg.yml')], 'registry.log');
cleanups.push(async () => registry.exitCode === null && process.kill(registry.pid, 'SIGTERM'));
const reg = `127.0.0.1:${regPort}`;

const certs = join(dir, 'certs');
makeCerts(certs);
const tlsPort = await freePort();
const sock = join(dir, 'docker.sock');
const pidfile = join(dir, 'docker.pid');
const daemonArgs = ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', pidfile, '-H', `unix://${sock}`, '-H', `tcp://127.0.0.1:${tlsPort}`,
  '--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'server.pem'), '--tlskey', join(certs, 'server-key.pem'),
  '--bridge=none', '--iptables=false', '--ip6tables=false', '--config-file', join(dir, 'daemon.json'), `--authorization-plugin=${name}`];
writeFileSync(join(dir, 'daemon.json'), '{}');
const daemon = spawnDetached('dockerd', daemonArgs, 'dockerd.log');
cleanups.push(async () => {
  const pid = existsSync(pidfile) ? Number(readFileSync(pidfile, 'utf8')) : daemon.pid;
  if (alive(pid)) process.kill(pid, 'SIGTERM');
  await waitFor('dockerd to stop', 30_000, async () => !alive(pid)).catch(() => process.kill(pid, 'SIGKILL'));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m]);
});
const docker = (...args) => run(DOCKER, ['-H', `unix://${sock}`, ...args]);
const tlsDocker = (...args) => run(DOCKER, ['--tlsverify', '--tlscacert', join(certs, 'ca.pem'), '--tlscert', join(certs, 'client.pem'), '--tlskey', join(certs, 'client-key.pem'), '-H', `tcp://127.0.0.1:${tlsPort}`, ...args]);

// ---- scenarios -----------------------------------------------------------------------------
const IMG = 'capture/busybox:1';
const fixtures = [];
/** Runs one CLI scenario and keeps what the plugin saw while it ran. */
async function scenario(id, cli, fn) {
  step = id;
  const from = records.length;
  const result = await fn();
  await sleep(300); // the response phase of the last request may arrive after the CLI exits
  // Raw requests record the daemon's HTTP status; CLI scenarios the CLI's exit code.
  fixtures.push({ id, cli, ...(id.startsWith('raw-') ? { status: result.code } : { exit: result.code }), stderr: result.stderr.trim().slice(0, 500), exchanges: records.slice(from).map(({ phase, body }) => ({ phase, body })) });
  console.log(`${id}: exit ${result.code}, ${records.length - from} plugin calls${result.code ? ` (${result.stderr.trim().split('\n').pop()})` : ''}`);
}

async function main() {
  await waitFor('dockerd', 60_000, async () => {
    if (daemon.exitCode !== null) throw new Error(`dockerd exited: ${readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
    return (await docker('version', '--format', '{{.Server.Version}}')).code === 0;
  });
  await waitFor('registry', 20_000, () => tcpOpen(regPort));
  const serverVersion = (await docker('version', '--format', '{{.Server.Version}}')).stdout.trim();

  // A one-file image: busybox-static and a few applet links.
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(busybox, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  for (const applet of ['sh', 'true', 'sleep', 'echo', 'id']) symlinkSync('busybox', join(root, 'bin', applet));
  const tar = spawn('tar', ['-C', root, '-c', '.']);
  await scenario('image-import', `docker import - ${IMG}`, () => run(DOCKER, ['-H', `unix://${sock}`, 'import', '-', IMG], tar.stdout));

  await scenario('version', 'docker version', () => docker('version'));
  await scenario('info', 'docker info', () => docker('info'));
  await scenario('ps', 'docker ps -a', () => docker('ps', '-a'));
  await scenario('volume-create', 'docker volume create capvol', () => docker('volume', 'create', 'capvol'));
  await scenario('run-plain', `docker run --name plain --network none ${IMG} true`, () => docker('run', '--name', 'plain', '--network', 'none', IMG, 'true'));
  await scenario('run-privileged', `docker run -d --privileged --network none ${IMG} sleep 1`, () => docker('run', '-d', '--privileged', '--network', 'none', IMG, 'sleep', '1'));
  await scenario('run-cap-add', `docker run -d --cap-add SYS_ADMIN --network none ${IMG} sleep 1`, () => docker('run', '-d', '--cap-add', 'SYS_ADMIN', '--network', 'none', IMG, 'sleep', '1'));
  await scenario('run-pid-host', `docker run -d --pid host --network none ${IMG} sleep 1`, () => docker('run', '-d', '--pid', 'host', '--network', 'none', IMG, 'sleep', '1'));
  await scenario('run-bind-root', `docker run -d -v /:/host --network none ${IMG} sleep 1`, () => docker('run', '-d', '-v', '/:/host', '--network', 'none', IMG, 'sleep', '1'));
  // `create`, not `run`: starting would make dockerd mkdir /var/run/docker.sock on this host
  // when no main dockerd runs here. The create request the plugin sees is the same as run's.
  await scenario('create-docker-sock', `docker create -v /var/run/docker.sock:/var/run/docker.sock --network none ${IMG} sleep 1`, () => docker('create', '-v', '/var/run/docker.sock:/var/run/docker.sock', '--network', 'none', IMG, 'sleep', '1'));
  await docker('run', '-d', '--name', 'capexec', '--network', 'none', IMG, 'sleep', '300');
  await scenario('exec', 'docker exec capexec echo hi', () => docker('exec', 'capexec', 'echo', 'hi'));
  await scenario('exec-privileged', 'docker exec --privileged -u 0 capexec id', () => docker('exec', '--privileged', '-u', '0', 'capexec', 'id'));
  const mounts = ['--mount', 'type=bind,source=/etc,target=/host-etc,readonly', '--mount', 'type=volume,source=capvol,target=/data', '-v', 'capvol2:/v', '--device', '/dev/null:/dev/xnull', '--security-opt', 'seccomp=unconfined', '--cap-add', 'cap_net_admin', '-u', '0'];
  await scenario('create-mounts-devices', `docker create ${mounts.join(' ')} --network none ${IMG} sleep 1`, () => docker('create', ...mounts, '--network', 'none', IMG, 'sleep', '1'));
  const namespaces = ['--network', 'host', '--ipc', 'host', '--uts', 'host', '--cgroupns', 'host', '--userns', 'host', '--pid', 'container:capexec'];
  await scenario('create-host-namespaces', `docker create ${namespaces.join(' ')} ${IMG} sleep 1`, () => docker('create', ...namespaces, IMG, 'sleep', '1'));
  await docker('tag', IMG, `${reg}/capture/busybox:1`);
  await scenario('push', `docker push ${reg}/capture/busybox:1`, () => docker('push', `${reg}/capture/busybox:1`));
  await docker('rmi', `${reg}/capture/busybox:1`);
  await scenario('pull', `docker pull ${reg}/capture/busybox:1`, () => docker('pull', `${reg}/capture/busybox:1`));
  await scenario('tls-info', 'docker --tlsverify (client certificate CN=alice) info', () => tlsDocker('info'));

  for (const c of RAW_CASES) await scenario(`raw-${c.id}`, c.note, () => rawRequest(c));

  step = 'cleanup';
  await docker('rm', '-f', ...(await docker('ps', '-aq')).stdout.split('\n').filter(Boolean));
  mkdirSync(OUT, { recursive: true });
  for (const f of fixtures) {
    writeFileSync(join(OUT, `${f.id}.json`), `${JSON.stringify({ ...f, dockerd: serverVersion, client: 'Debian docker.io 20.10 CLI' }, null, 1)}\n`);
  }
  console.log(`wrote ${fixtures.length} fixtures to ${OUT}`);
}

/** Sends exact bytes to the daemon's socket and resolves with the HTTP status line's code (or the error). */
function rawRequest(c) {
  return new Promise((done) => {
    const conn = createConnection(sock);
    let answer = '';
    const timer = setTimeout(() => conn.destroy(), 20_000);
    conn.on('data', (d) => (answer += d.toString('latin1')));
    conn.on('error', (e) => (answer += `\n${e.message}`));
    conn.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      done({ code: status ? Number(status) : -1, stdout: answer.slice(0, 300), stderr: answer.split('\r\n\r\n')[1]?.slice(0, 300) ?? '' });
    });
    // Not end(): a half-closed connection makes dockerd cancel streaming handlers (pull).
    conn.write(c.bytes(IMG));
  });
}

try {
  await main();
} finally {
  for (const clean of cleanups.reverse()) await Promise.resolve(clean()).catch((e) => console.error(`cleanup: ${e.message}`));
  rmSync(dir, { recursive: true, force: true });
}
