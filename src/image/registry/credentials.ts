import { execFile } from 'node:child_process';
import { access, constants, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { z } from 'zod';
import type { ImageSourceOptions } from '../types.js';

/** What we can authenticate with: user + password, or a Docker identity (refresh) token. */
export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  readonly identityToken?: string;
}

// ~/.docker/config.json, the parts that hold credentials
// (https://docs.docker.com/reference/cli/docker/#credentials).
const AuthEntry = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});
const DockerConfig = z.object({
  auths: z.record(z.string(), AuthEntry).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});

const HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
const MAX_CONFIG_BYTES = 1024 * 1024;

/** `https://host:port/v1/` → `host:port`, as docker matches config keys. */
function keyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

function candidates(registry: string): string[] {
  return registry === 'docker.io' ? HUB_KEYS : [registry];
}

function configPath(opts: ImageSourceOptions, env: NodeJS.ProcessEnv): string {
  if (opts.dockerConfig) return opts.dockerConfig;
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(homedir(), '.docker', 'config.json');
}

async function loadDockerConfig(path: string): Promise<z.infer<typeof DockerConfig> | undefined> {
  try {
    if ((await stat(path)).size > MAX_CONFIG_BYTES) return undefined;
    const parsed = DockerConfig.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // A missing or unreadable config means "no stored credentials", as for docker itself.
    return undefined;
  }
}

function fromEntry(entry: z.infer<typeof AuthEntry>): Credentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (entry.username !== undefined) return { username: entry.username, password: entry.password ?? '' };
  return undefined;
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Runs `docker-credential-<helper> get` (https://github.com/docker/docker-credential-helpers)
 * when the binary exists; a missing or failing helper means "no credentials".
 */
async function fromHelper(helper: string, host: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  if (!/^[\w.-]+$/.test(helper)) return undefined;
  const bin = await findOnPath(`docker-credential-${helper}`, env);
  if (!bin) return undefined;
  const out = await new Promise<string | undefined>((resolve) => {
    const child = execFile(bin, ['get'], { timeout: 10_000, maxBuffer: 64 * 1024, env }, (err, stdout) => resolve(err ? undefined : stdout));
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(host);
  });
  if (!out) return undefined;
  const parsed = z.object({ Username: z.string(), Secret: z.string() }).safeParse(JSON.parse(out.trim() || 'null'));
  if (!parsed.success) return undefined;
  // Helpers report identity tokens with the user name "<token>".
  if (parsed.data.Username === '<token>') return { identityToken: parsed.data.Secret };
  return { username: parsed.data.Username, password: parsed.data.Secret };
}

/**
 * Credentials for `registry`: flags, then PORTCULLIS_REGISTRY_USERNAME/PASSWORD, then the
 * docker config (credHelpers, auths, credsStore). Undefined means anonymous.
 */
export async function resolveCredentials(registry: string, opts: ImageSourceOptions, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  if (opts.username !== undefined) return { username: opts.username, password: opts.password ?? '' };
  if (env.PORTCULLIS_REGISTRY_USERNAME) return { username: env.PORTCULLIS_REGISTRY_USERNAME, password: env.PORTCULLIS_REGISTRY_PASSWORD ?? '' };
  const config = await loadDockerConfig(configPath(opts, env));
  if (!config) return undefined;
  const hosts = candidates(registry.toLowerCase());
  for (const [key, helper] of Object.entries(config.credHelpers ?? {})) {
    if (!hosts.includes(keyHost(key)) && !hosts.includes(key)) continue;
    const creds = await fromHelper(helper, key, env).catch(() => undefined);
    if (creds) return creds;
  }
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!hosts.includes(keyHost(key)) && !hosts.includes(key)) continue;
    const creds = fromEntry(entry);
    if (creds) return creds;
  }
  if (config.credsStore) {
    for (const host of hosts) {
      const creds = await fromHelper(config.credsStore, host, env).catch(() => undefined);
      if (creds) return creds;
    }
  }
  return undefined;
}
