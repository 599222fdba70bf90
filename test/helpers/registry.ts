/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) on a free
 * 127.0.0.1 port with private storage, anonymous, htpasswd (Basic) or token (Bearer) auth.
 * Plus `writeOciLayout`, which writes a small test image as an OCI layout, and `pushImage`,
 * a thin skopeo wrapper to put images into the registry.
 *
 *   const reg = await startRegistry({ auth: 'token' });
 *   await pushImage(`oci:${dir}:v1`, reg, 'app:v1');
 *   // … openRegistryImage(`${reg.host}/app:v1`, { insecure: true, username: reg.username, password: reg.password })
 *   await reg.stop();
 *
 * Needs the Debian packages docker-registry, apache2-utils (htpasswd), openssl and skopeo.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, createSign, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import tarStream from 'tar-stream';
import { exec } from './exec.js';
import { tmpDir } from './tmp.js';

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface StartRegistryOptions {
  /** `none` (default): anonymous push and pull. `basic`: htpasswd. `token`: a token server in this process. */
  readonly auth?: RegistryAuth;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, to use as the registry part of references (plain HTTP: pass `insecure`). */
  readonly host: string;
  /** Credentials accepted by the registry (basic and token auth only). */
  readonly username?: string;
  readonly password?: string;
  /** The token service URL (token auth only). */
  readonly realm?: string;
  /** Stops the registry (and token server) and removes its storage. Idempotent. */
  stop(): Promise<void>;
}

// Registries still running when the test process exits (a crashed or timed-out test) are
// killed then, so no docker-registry outlives its test run.
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (bound, read, released: a short race we accept in tests). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * Distribution's token format (https://distribution.github.io/distribution/spec/auth/jwt/):
 * an RS256 JWT whose `x5c` header carries our self-signed certificate, which the registry
 * trusts through `rootcertbundle`.
 */
function signToken(keyPem: string, certDer: Buffer, claims: object): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] }));
  const payload = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(keyPem);
  return `${header}.${payload}.${b64url(signature)}`;
}

/** `repository:app:pull,push` → the JWT access entry. */
function accessFor(scopes: readonly string[]): object[] {
  return scopes.flatMap((scope) => {
    const [type, name, actions] = scope.split(':');
    return type && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
  });
}

async function startTokenServer(dir: string, user: string, pass: string, service: string, issuer: string): Promise<{ server: Server; realm: string }> {
  const key = join(dir, 'token.key');
  const cert = join(dir, 'token.crt');
  await exec('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=portcullis-test-token']);
  const keyPem = await readFile(key, 'utf8');
  const certDer = Buffer.from((await readFile(cert, 'utf8')).replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const expected = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = req.headers.authorization;
    if (url.pathname !== '/token') return void res.writeHead(404).end();
    // Wrong credentials are refused; no credentials get a token with no access (anonymous).
    if (given !== undefined && given !== expected) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: given ? user : '',
      aud: service,
      exp: now + 600,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: given ? accessFor(url.searchParams.getAll('scope')) : [],
    };
    const token = signToken(keyPem, certDer, claims);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 600 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, realm: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token` };
}

async function waitReady(host: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = (await readFile(log, 'utf8').catch(() => '')).slice(-2000);
  throw new Error(`docker-registry on ${host} did not become ready:\n${tail}`);
}

/** Starts `docker-registry serve` on 127.0.0.1 with the requested authentication. */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const auth = opts.auth ?? 'none';
  const dir = await tmpDir('registry');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const username = 'portcullis';
  const password = randomBytes(9).toString('base64url');
  let tokenServer: Server | undefined;
  let authYaml = '';
  let realm: string | undefined;
  if (auth === 'basic') {
    const { stdout } = await exec('htpasswd', ['-Bbn', username, password]);
    await writeFile(join(dir.path, 'htpasswd'), stdout);
    authYaml = `auth:\n  htpasswd:\n    realm: portcullis-test\n    path: ${join(dir.path, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    const service = 'portcullis-test-registry';
    const issuer = 'portcullis-test-issuer';
    const started = await startTokenServer(dir.path, username, password, service, issuer);
    tokenServer = started.server;
    realm = started.realm;
    authYaml = `auth:\n  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${issuer}\n    rootcertbundle: ${join(dir.path, 'token.crt')}\n`;
  }
  const config = join(dir.path, 'config.yml');
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir.path, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n  secret: ${randomBytes(16).toString('hex')}\n${authYaml}`,
  );
  const log = join(dir.path, 'registry.log');
  const fd = openSync(log, 'a');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  liveChildren.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => liveChildren.delete(child));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await new Promise<void>((resolve) => (tokenServer ? tokenServer.close(() => resolve()) : resolve()));
    await dir.remove();
  };
  try {
    await waitReady(host, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, ...(auth !== 'none' ? { username, password } : {}), ...(realm ? { realm } : {}), stop };
}

/**
 * `skopeo copy SRC docker://HOST/DEST` over plain HTTP, with the registry's credentials when
 * it has some. `extraArgs` go before the image names (e.g. `--format v2s2`, `--all`).
 */
export async function pushImage(src: string, reg: RunningRegistry, dest: string, extraArgs: readonly string[] = []): Promise<void> {
  const creds = reg.username !== undefined ? ['--dest-creds', `${reg.username}:${reg.password ?? ''}`] : [];
  await exec('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', ...creds, ...extraArgs, src, `docker://${reg.host}/${dest}`], { timeoutMs: 120_000 });
}

/** One layer of a test image: file path → content. */
export interface TestLayer {
  readonly files: Readonly<Record<string, string>>;
  /** Blob compression in the layout (default gzip; zstd runs the `zstd` tool). */
  readonly compression?: 'gzip' | 'zstd' | 'none';
  readonly createdBy?: string;
}

export interface TestImage {
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
  readonly layers: readonly TestLayer[];
  readonly env?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly cmd?: readonly string[];
}

export interface WrittenImage {
  /** sha256 of each uncompressed layer tar, bottom to top. */
  readonly diffIds: readonly string[];
  readonly layerTars: readonly Buffer[];
  readonly configDigest: string;
  readonly manifestDigest: string;
}

/** A tar of regular files (tar-stream, an independent writer), as a layer's uncompressed bytes. */
export async function buildLayerTar(files: Readonly<Record<string, string>>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644, mtime: new Date(0) }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Writes an OCI image layout (image-spec image-layout.md) at `dir` holding `images` under
 * the ref name `tag`: one image → a manifest; several → an index of platform manifests, so
 * `skopeo copy --all oci:DIR:TAG …` pushes a multi-platform image.
 */
export async function writeOciLayout(dir: string, tag: string, images: readonly TestImage[]): Promise<{ images: WrittenImage[]; indexDigest?: string }> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (bytes: Buffer | string, mediaType: string, extra: object = {}) => {
    const digest = sha(bytes);
    await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return { mediaType, digest, size: Buffer.byteLength(bytes), ...extra };
  };
  const written: WrittenImage[] = [];
  const descriptors = [];
  for (const image of images) {
    const layerTars: Buffer[] = [];
    const layerDescs = [];
    for (const layer of image.layers) {
      const tar = await buildLayerTar(layer.files);
      layerTars.push(tar);
      const compression = layer.compression ?? 'gzip';
      if (compression === 'none') layerDescs.push(await put(tar, 'application/vnd.oci.image.layer.v1.tar'));
      else if (compression === 'zstd') layerDescs.push(await put(execFileSync('zstd', ['-q', '-c'], { input: tar }), 'application/vnd.oci.image.layer.v1.tar+zstd'));
      else layerDescs.push(await put(gzipSync(tar), 'application/vnd.oci.image.layer.v1.tar+gzip'));
    }
    const platform = { os: image.os ?? 'linux', architecture: image.architecture ?? 'amd64', ...(image.variant ? { variant: image.variant } : {}) };
    const config = JSON.stringify({
      ...platform,
      created: '2026-01-02T03:04:05Z',
      config: { Env: image.env ?? ['PATH=/usr/bin'], Labels: image.labels ?? {}, Cmd: image.cmd ?? ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: layerTars.map((t) => sha(t)) },
      // An empty_layer step in the middle checks that createdBy skips it.
      history: image.layers.flatMap((l, i) => [
        { created_by: l.createdBy ?? `layer ${i}` },
        ...(i === 0 ? [{ created_by: 'ENV x=y', empty_layer: true }] : []),
      ]),
    });
    const configDesc = await put(config, 'application/vnd.oci.image.config.v1+json');
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: layerDescs });
    const manifestDesc = await put(manifest, 'application/vnd.oci.image.manifest.v1+json', { platform });
    descriptors.push(manifestDesc);
    written.push({ diffIds: layerTars.map((t) => sha(t)), layerTars, configDigest: configDesc.digest, manifestDigest: manifestDesc.digest });
  }
  const refName = { annotations: { 'org.opencontainers.image.ref.name': tag } };
  let top: object;
  let indexDigest: string | undefined;
  if (descriptors.length === 1) {
    const { platform: _p, ...only } = descriptors[0] as { platform?: unknown };
    top = { ...only, ...refName };
  } else {
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descriptors });
    top = await put(index, 'application/vnd.oci.image.index.v1+json', refName);
    indexDigest = sha(index);
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [top] }));
  return { images: written, ...(indexDigest ? { indexDigest } : {}) };
}

/** Minimal shape of an opened image, so this helper does not import the code under test. */
interface LayerSource {
  readLayers(wanted: (l: { digest?: string; diffId: string }) => boolean, visit: (blob: NodeJS.ReadableStream, meta: { digest?: string; mediaType?: string } | undefined) => Promise<void>): Promise<void>;
}

export interface ReadLayer {
  readonly digest: string | undefined;
  readonly mediaType: string | undefined;
  readonly compression: 'gzip' | 'zstd' | 'none';
  /** The decompressed tar and its sha256 (to compare with the config's diff_ids). */
  readonly tar: Buffer;
  readonly diffId: string;
}

/** Reads every layer through `readLayers`, sniffing and undoing gzip / zstd like a scanner would. */
export async function readLayerTars(image: LayerSource): Promise<ReadLayer[]> {
  const out: ReadLayer[] = [];
  await image.readLayers(() => true, async (blob, meta) => {
    const chunks: Buffer[] = [];
    for await (const c of blob) chunks.push(Buffer.from(c as Buffer));
    const raw = Buffer.concat(chunks);
    const compression = raw[0] === 0x1f && raw[1] === 0x8b ? 'gzip' : raw.readUInt32LE(0) === 0xfd2fb528 ? 'zstd' : 'none';
    const tar = compression === 'gzip' ? gunzipSync(raw) : compression === 'zstd' ? Buffer.from(zstdDecompress(raw)) : raw;
    out.push({ digest: meta?.digest, mediaType: meta?.mediaType, compression, tar, diffId: sha(tar) });
  });
  return out;
}
