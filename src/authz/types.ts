/**
 * The contracts between the parts of the Docker authorization plugin (src/authz):
 *
 *   request/   AuthZ wire request → RequestFacts (action, object, body facts, integrity)
 *   identity/  user → groups (local file, LDAP with a TTL cache)
 *   rbac/      roles × identity × RequestFacts → decision (+ the image policy for creates)
 *   audit/     every decision → hash-chained, fsynced log; syslog / webhook forwarding
 *   server/    the plugin's HTTP endpoints on a unix socket; fail closed; hot reload
 *
 * Docker's protocol: https://docs.docker.com/engine/extend/plugins_authorization/
 */

/** Host namespaces a container create can join. */
export const HOST_NAMESPACES = ['pid', 'ipc', 'network', 'uts', 'userns', 'cgroup'] as const;
export type HostNamespace = (typeof HOST_NAMESPACES)[number];

/** What a `POST /containers/create` body asks for, read from Config and HostConfig. */
export interface ContainerCreateFacts {
  /** The image as the client named it (`Config.Image`). */
  readonly image: string;
  readonly privileged: boolean;
  /** Upper-case, without the CAP_ prefix: `SYS_ADMIN`; `ALL` stays `ALL`. */
  readonly capAdd: readonly string[];
  readonly hostNamespaces: readonly HostNamespace[];
  /** Host paths bind-mounted into the container (HostConfig.Binds and Mounts of type bind), normalized (no trailing /, no `..`). */
  readonly bindMounts: readonly string[];
  /** Host device paths (HostConfig.Devices[].PathOnHost). */
  readonly devices: readonly string[];
  /** `seccomp=unconfined`, `apparmor=unconfined`, `no-new-privileges`…, as given. */
  readonly securityOpt: readonly string[];
  /**
   * Other containers this one shares with: namespace modes `container:<id>` (`pid=container:x`)
   * and `VolumesFrom` (`volumes-from=x`). Joining a container that has host namespaces or binds
   * hands those over, so roles must allow it explicitly.
   */
  readonly joins: readonly string[];
  /** `Config.User`; absent when the image's user applies. */
  readonly user?: string;
}

/** What a `POST /volumes/create` body asks for: a local-driver volume with `o=bind` is a bind of `device`. */
export interface VolumeCreateFacts {
  readonly driver: string;
  /** The host path the volume binds (normalized), when it is such a volume. */
  readonly bindSource?: string;
}

/** What a `POST /containers/{id}/exec` body asks for. */
export interface ExecCreateFacts {
  readonly privileged: boolean;
  readonly user?: string;
  readonly cmd: readonly string[];
}

/** One Docker API request as the RBAC layer sees it. */
export interface RequestFacts {
  readonly method: string;
  /** The path without the `/vX.Y` API version prefix and without the query: `/containers/create`. */
  readonly path: string;
  readonly apiVersion?: string;
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** `container.create`, `image.pull`, `system.info`… (request/routes.ts lists every one). */
  readonly action: string;
  /** The object acted on: container id or name, image reference, volume or network name; absent for list/system calls. */
  readonly object?: string;
  readonly create?: ContainerCreateFacts;
  readonly exec?: ExecCreateFacts;
  readonly volume?: VolumeCreateFacts;
}

/** Who is asking. `user` is the TLS client certificate's common name as dockerd reports it. */
export interface Identity {
  readonly user: string;
  /** `TLS` when dockerd verified a client certificate; `none` for requests on the unix socket. */
  readonly authn: 'TLS' | 'none';
  readonly groups: readonly string[];
}

export type Phase = 'request' | 'response';
export type Decision = 'allow' | 'deny';

/** One audit record's content (audit/ adds the sequence number, time and hash chain). */
export interface AuditEntry {
  readonly phase: Phase;
  readonly user: string;
  readonly groups: readonly string[];
  readonly method: string;
  readonly uri: string;
  readonly action: string;
  readonly object?: string;
  readonly decision: Decision;
  /** The role and rule that decided (`role developer: container.create`), or the check that denied (`fail-closed: body missing`). */
  readonly rule: string;
  readonly reason: string;
  /** The daemon's response status, for the response phase. */
  readonly status?: number;
}
