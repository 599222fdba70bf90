import { CommandError, type ExecOptions, type ExecResult, exec } from './exec.js';

/**
 * Thin wrappers over the docker CLI for tests. dockerd itself is started by CI (.ci/run:
 * `dockerd --bridge=none --iptables=false`); these helpers never start it, and every
 * container they create has `--network none`, so nothing reaches a private address.
 */

// The Debian docker.io client has no buildx plugin; without this `docker build` refuses to run.
// The legacy builder is also the one ENVIRONMENT.md documents as working with `--network host`.
const DOCKER_ENV = { DOCKER_BUILDKIT: '0' } as const;

/** Runs `docker ARGS`; throws a CommandError whose message carries docker's stderr. */
export function docker(args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return exec('docker', args, { ...opts, env: { ...DOCKER_ENV, ...opts.env } });
}

let availability: Promise<string | undefined> | undefined;

/** Why dockerd cannot be used, or undefined when it answers. Cached per process. */
export function dockerUnavailableReason(): Promise<string | undefined> {
  availability ??= docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 }).then(
    (r) => (r.stdout.trim() ? undefined : 'docker version printed no server version'),
    (err: unknown) => `dockerd is not reachable: ${err instanceof Error ? err.message : String(err)}`,
  );
  return availability;
}

/** True when the docker CLI is installed and dockerd answers on its socket. */
export async function dockerAvailable(): Promise<boolean> {
  return (await dockerUnavailableReason()) === undefined;
}

/** True when `ref` (tag or id) exists in the local image store. */
export async function imageExists(ref: string): Promise<boolean> {
  try {
    await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { timeoutMs: 30_000 });
    return true;
  } catch (err) {
    if (err instanceof CommandError && /no such image/i.test(err.stderr)) return false;
    throw err;
  }
}

/** Removes images by tag or id; images that do not exist are ignored. */
export async function removeImages(...refs: string[]): Promise<void> {
  for (const ref of refs) {
    try {
      await docker(['image', 'rm', '--force', ref], { timeoutMs: 60_000 });
    } catch (err) {
      if (err instanceof CommandError && /no such image/i.test(err.stderr)) continue;
      throw err;
    }
  }
}

/** Creates (never starts) a container with no network; returns its id. */
export async function createContainer(image: string, extraArgs: readonly string[] = []): Promise<string> {
  const { stdout } = await docker(['create', '--network', 'none', ...extraArgs, image, '/bin/true']);
  return stdout.trim();
}

/** Removes containers; missing ones are ignored. */
export async function removeContainers(...ids: string[]): Promise<void> {
  for (const id of ids) {
    try {
      await docker(['rm', '--force', '--volumes', id], { timeoutMs: 60_000 });
    } catch (err) {
      if (err instanceof CommandError && /no such container/i.test(err.stderr)) continue;
      throw err;
    }
  }
}

/** Runs `fn` with a created container and removes the container afterwards. */
export async function withContainer<T>(image: string, fn: (id: string) => Promise<T>): Promise<T> {
  const id = await createContainer(image);
  try {
    return await fn(id);
  } finally {
    await removeContainers(id);
  }
}

/** `docker save -o FILE REF` (a docker-archive; with dockerd 20.10 the legacy layout). */
export async function saveImage(ref: string, file: string): Promise<void> {
  await docker(['save', '-o', file, ref]);
}
