import { z } from 'zod';
import { HOST_NAMESPACES } from '../types.js';

/**
 * Roles and bindings of the Docker authorization plugin, as data (the `spec.roles` and
 * `spec.bindings` of an AuthzConfig document, see ../config/schema.ts):
 *
 *   roles:
 *     - name: developer
 *       actions: [container.*, exec.*, image.pull, image.list, volume.*, system.*]
 *       allow: {capabilities: [NET_BIND_SERVICE], bindMounts: ['/srv/work/**']}
 *   bindings:
 *     - {role: developer, groups: [devs], users: [carol]}
 *
 * A request is allowed when one role bound to the user grants its action and that same role
 * allows everything risky the request body asks for; nothing risky is allowed by default.
 */

const Name = z.string().regex(/^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/, 'lower-case letters, digits, dots, dashes and underscores (at most 64)');

/** `container.create`, `container.*`, `*`: a family, a verb, or a glob over them. */
const ActionPattern = z.string().regex(/^(\*|[a-z]+\.(\*|[a-z][a-z0-9-]*))$/, 'an action ("container.create"), a family ("container.*") or "*"');

const Capability = z
  .string()
  .regex(/^(CAP_)?[A-Za-z_]+$/, 'a capability name such as NET_ADMIN, or ALL')
  .transform((c) => c.toUpperCase().replace(/^CAP_/, ''));

/** Host paths, absolute, as globs: `/srv/**`; `*` stays within one path segment. */
const HostPathGlob = z.string().regex(/^\//, 'an absolute host path (glob)');

export const AllowSchema = z.strictObject({
  /** `--privileged` containers and privileged exec. */
  privileged: z.boolean().default(false),
  hostNamespaces: z.array(z.enum([...HOST_NAMESPACES, '*'])).default([]),
  /** Added capabilities the role may ask for; `ALL` allows any (and `--cap-add ALL`). */
  capabilities: z.array(Capability).default([]),
  /** Host paths the role may bind-mount. */
  bindMounts: z.array(HostPathGlob).default([]),
  /** Binds of, under or above a sensitive path (spec.sensitivePaths: /, /etc, the docker socket…); off unless set. */
  sensitiveMounts: z.boolean().default(false),
  devices: z.array(HostPathGlob).default([]),
  /** `seccomp=unconfined`, `apparmor=unconfined`, `label=disable`. */
  unconfined: z.boolean().default(false),
  /** Sharing another container's namespaces (`--pid container:x`) or volumes (`--volumes-from x`). */
  joinContainers: z.boolean().default(false),
});
export type Allow = z.infer<typeof AllowSchema>;

export const RoleSchema = z.strictObject({
  name: Name,
  description: z.string().max(2000).optional(),
  actions: z.array(ActionPattern).min(1).max(1000),
  allow: AllowSchema.default(AllowSchema.parse({})),
});
export type Role = z.infer<typeof RoleSchema>;

export const BindingSchema = z
  .strictObject({
    role: Name,
    users: z.array(z.string().min(1).max(256)).max(10_000).default([]),
    groups: z.array(z.string().min(1).max(256)).max(10_000).default([]),
  })
  .refine((b) => b.users.length + b.groups.length > 0, 'a binding names users and/or groups');
export type Binding = z.infer<typeof BindingSchema>;

/**
 * Paths whose bind mount hands the container the host: the path itself, anything under it,
 * and anything above it (so `/` and `/var` are sensitive too: they contain these).
 */
export const DEFAULT_SENSITIVE_PATHS = [
  '/etc',
  '/run/docker.sock',
  '/run/containerd',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib64',
] as const;
