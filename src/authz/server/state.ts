import type { LoadedAuthzConfig } from '../config/load.js';
import type { GroupResolver } from '../identity/index.js';
import type { ImageGate } from '../images/gate.js';

/**
 * One immutable snapshot of everything a decision reads. A reload builds a whole new one and
 * swaps it in with one assignment, so a request in flight finishes on the snapshot it began
 * with and none is dropped. A snapshot with `failure` set denies everything (fail closed).
 */
export interface AuthzState {
  readonly loaded?: LoadedAuthzConfig;
  readonly groups?: GroupResolver;
  readonly images?: ImageGate;
  /** Why nothing can be allowed: the configuration or a policy failed to load. */
  readonly failure?: string;
  /** Counts reloads, for logs and tests. */
  readonly generation: number;
}

export async function closeState(s: AuthzState): Promise<void> {
  await Promise.allSettled([s.groups?.close(), s.images?.close()]);
}
