import { z } from 'zod';
import { API_VERSION } from '../../policy/index.js';
import { SyslogOptionsSchema } from '../audit/forward/syslog.js';
import { WebhookOptionsSchema } from '../audit/forward/webhook.js';
import { GroupsConfigSchema } from '../identity/index.js';
import { BindingSchema, DEFAULT_SENSITIVE_PATHS, RoleSchema } from '../rbac/model.js';

/**
 * The plugin's configuration, one YAML document (docs/authz.md shows a whole one):
 *
 *   apiVersion: portcullis.dev/v1
 *   kind: AuthzConfig
 *   metadata: {name: docker-rbac}
 *   spec:
 *     identity: {socketUser: local-admin, groups: {file: groups.yaml, ldap: {...}}}
 *     roles: [...]            # rbac/model.ts
 *     bindings: [...]
 *     images: {policies: [policies/]}   # the CI gate's policy files, evaluated at stage deploy
 *     audit: {dir: /var/lib/portcullis/audit}
 *
 * Relative paths are relative to the configuration file.
 */

const Name = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?$/, 'lower-case letters, digits, dots and dashes (at most 128)');

export const MAX_BODY_DEFAULT = 1024 * 1024;

const AuditSchema = z.strictObject({
  dir: z.string().min(1),
  /** Start a new file beyond this size. */
  rotateBytes: z.number().int().min(4096).default(64 * 1024 * 1024),
  /** 32-byte key (made 0600 when missing) that keys the hash chain. */
  hmacKeyFile: z.string().min(1).optional(),
  maxFileAgeHours: z.number().positive().optional(),
  retainFiles: z.number().int().min(1).optional(),
  syslog: SyslogOptionsSchema.optional(),
  webhook: WebhookOptionsSchema.optional(),
});

export const AuthzConfigSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('AuthzConfig'),
  metadata: z.strictObject({ name: Name, description: z.string().max(2000).optional() }),
  spec: z.strictObject({
    identity: z
      .strictObject({
        /** Who requests on the unix socket (no client certificate) act as; nobody (denied) when absent. */
        socketUser: z.string().min(1).max(256).optional(),
        groups: GroupsConfigSchema.default({}),
      })
      .default({ groups: {} }),
    roles: z.array(RoleSchema).min(1).max(1000),
    bindings: z.array(BindingSchema).max(10_000).default([]),
    sensitivePaths: z.array(z.string().regex(/^\//, 'an absolute host path')).default([...DEFAULT_SENSITIVE_PATHS]),
    limits: z.strictObject({ maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(MAX_BODY_DEFAULT) }).default({ maxBodyBytes: MAX_BODY_DEFAULT }),
    images: z
      .strictObject({
        /** Policy files or directories (the same as `portcullis image --policy`). */
        policies: z.array(z.string().min(1)).default([]),
        /** The daemon the plugin reads images from: the one it serves (unix:///var/run/docker.sock when absent, or $DOCKER_HOST). */
        dockerHost: z.string().regex(/^(unix:\/\/\/|tcp:\/\/)/, 'unix:///path or tcp://host:port').optional(),
        /** Vulnerability database for rules that need findings; the default location (or the demo DB) when absent. */
        db: z.string().min(1).optional(),
        cacheDir: z.string().min(1).optional(),
        maxCached: z.number().int().min(1).max(100_000).default(64),
      })
      .default({ policies: [], maxCached: 64 }),
    audit: AuditSchema,
  }),
});

export type AuthzConfig = z.output<typeof AuthzConfigSchema>;
export type AuditConfig = z.output<typeof AuditSchema>;
