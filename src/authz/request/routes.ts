import type { RouteContext, RouteSpec } from './route-spec.js';
import { CHECKPOINT_ROUTES, CONTAINER_ROUTES } from './routes-container.js';
import { BUILD_ROUTES, DISTRIBUTION_ROUTES, IMAGE_ROUTES } from './routes-image.js';
import { SWARM_ROUTES } from './routes-swarm.js';
import { DEBUG_ROUTES, NETWORK_ROUTES, PLUGIN_ROUTES, SESSION_ROUTES, SYSTEM_ROUTES, VOLUME_ROUTES } from './routes-system.js';

/**
 * The whole Docker Engine API (v1.41, dockerd 20.10, plus the routes newer engines added),
 * in dockerd's registration order (moby cmd/dockerd initRouter, then server.createMux's
 * debug routes): for `{name:.*}` templates the first match decides, as in gorilla/mux.
 * A method and path not listed here is `unknown`, which the policy denies.
 */
export const ROUTES: readonly RouteSpec[] = [
  ...CHECKPOINT_ROUTES,
  ...CONTAINER_ROUTES,
  ...IMAGE_ROUTES,
  ...SYSTEM_ROUTES,
  ...VOLUME_ROUTES,
  ...BUILD_ROUTES,
  ...SESSION_ROUTES,
  ...SWARM_ROUTES,
  ...PLUGIN_ROUTES,
  ...DISTRIBUTION_ROUTES,
  ...NETWORK_ROUTES,
  ...DEBUG_ROUTES,
];

export const UNKNOWN_ACTION = 'unknown';

export interface RouteMatch {
  readonly route: RouteSpec;
  readonly action: string;
  readonly object?: string;
  readonly vars: Readonly<Record<string, string>>;
}

interface Compiled {
  readonly route: RouteSpec;
  readonly regex: RegExp;
  readonly names: readonly string[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `/containers/{name:.*}/json` → /^\/containers\/(.*)\/json$/ with names [name]. */
function compile(route: RouteSpec): Compiled {
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const m of route.path.matchAll(/\{(\w+)(?::([^}]+))?\}/g)) {
    source += escapeRegex(route.path.slice(last, m.index));
    names.push(m[1] ?? '');
    const pattern = m[2] ?? '[^/]+';
    if (!['.*', '.+', '[^/]+'].includes(pattern)) throw new Error(`route ${route.path}: unsupported pattern ${pattern}`);
    source += `(${pattern})`;
    last = m.index + m[0].length;
  }
  source += escapeRegex(route.path.slice(last));
  return { route, regex: new RegExp(`^${source}$`, 's'), names };
}

const COMPILED = ROUTES.map(compile);

/**
 * The route dockerd dispatches `method path` to. `versioned` says whether the client sent a
 * /vX.Y prefix (the /debug routes exist only without one). Method names are compared exactly:
 * mux never matches `get`, and such a request never reaches the plugin (raw-lowercase-method.json).
 */
export function matchRoute(method: string, path: string, query: RouteContext['query'], versioned: boolean): RouteMatch | undefined {
  for (const c of COMPILED) {
    if (c.route.method !== 'ANY' && c.route.method !== method) continue;
    if (c.route.unversioned && versioned) continue;
    const m = c.regex.exec(path);
    if (!m) continue;
    const vars: Record<string, string> = {};
    c.names.forEach((n, i) => (vars[n] = m[i + 1] ?? ''));
    const ctx: RouteContext = { vars, query };
    const object = c.route.object ? c.route.object(ctx) : c.names[0] !== undefined ? vars[c.names[0]] : undefined;
    const action = c.route.resolve ? c.route.resolve(ctx) : c.route.action;
    return { route: c.route, action, vars, ...(object !== undefined && object !== '' ? { object } : {}) };
  }
  return undefined;
}
