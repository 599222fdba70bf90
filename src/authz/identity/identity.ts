import type { Identity } from '../types.js';

/** The parts of dockerd's AuthZ request that say who is asking. */
export interface AuthzRequestUser {
  readonly User?: string | undefined;
  readonly UserAuthNMethod?: string | undefined;
}

/**
 * Who sent a Docker API request, before groups are looked up. dockerd sets `User` to the
 * client certificate's common name and `UserAuthNMethod` to `TLS` when it verified one
 * (moby api/server/server.go); every other request (the unix socket, or a TCP listener
 * without --tlsverify) arrives with both empty and gets `socketUser` when one is configured.
 * Undefined means "unknown", which the RBAC layer denies.
 */
export function identityFromRequest(req: AuthzRequestUser, socketUser?: string): Omit<Identity, 'groups'> | undefined {
  const user = req.User ?? '';
  const method = req.UserAuthNMethod ?? '';
  if (method === 'TLS') return user !== '' ? { user, authn: 'TLS' } : undefined;
  // A user name without TLS comes from something we do not trust (another authn scheme).
  if (user !== '' || method !== '') return undefined;
  return socketUser !== undefined && socketUser !== '' ? { user: socketUser, authn: 'none' } : undefined;
}
