import { posix } from 'node:path';

/**
 * A host path as the RBAC layer compares it against `/`, `/etc`, `/run/docker.sock`:
 * POSIX-normalized (`//`, `.` and `..` resolved, lexically, as dockerd cleans bind sources),
 * no trailing slash, and `/var/run/…` rewritten to `/run/…`. On Debian (and every systemd
 * distribution) /var/run is a symlink to /run, so `-v /var/run/docker.sock:…` and
 * `-v /run/docker.sock:…` mount the same socket; one spelling lets one rule cover both.
 *
 * Lexical only: a bind of a symlink the caller controls (`/tmp/l -> /etc`) is not resolved
 * here, because the link can change between our check and dockerd's mount.
 */
export function normalizeHostPath(p: string): string {
  const n = posix.normalize(p);
  const trimmed = n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
  if (trimmed === '/var/run') return '/run';
  return trimmed.startsWith('/var/run/') ? `/run/${trimmed.slice('/var/run/'.length)}` : trimmed;
}

// moby volume/mounts linux_parser.go: the modes a `-v` spec's last part may hold.
const MOUNT_MODES = new Set(['ro', 'rw', 'z', 'Z', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'nocopy']);
const isMode = (s: string) => s !== '' && s.split(',').every((m) => MOUNT_MODES.has(m));

/**
 * The host path of a `HostConfig.Binds` entry, or undefined when it is not a host bind.
 * dockerd's Linux parser splits `src:dst[:mode]` on `:`: one part is an anonymous volume;
 * two parts are `dst:mode` when the second is a valid mode, else `src:dst`; an absolute
 * `src` is a host path, any other a named volume.
 */
export function bindSource(spec: string): string | undefined {
  const parts = spec.split(':');
  if (parts.length < 2) return undefined;
  if (parts.length === 2 && isMode(parts[1] ?? '')) return undefined;
  const src = parts[0] ?? '';
  return src.startsWith('/') ? normalizeHostPath(src) : undefined;
}
