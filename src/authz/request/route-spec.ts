/**
 * One Docker Engine API route as dockerd registers it (moby api/server/router/<family>), and
 * what authorization calls it.
 *
 * `path` uses gorilla/mux templates exactly as moby writes them: `{name:.*}` matches anything,
 * slashes included (a container "a/b" is `/containers/a/b/json`), `{id:.+}` likewise but not
 * empty, and a bare `{id}` one path segment. Routes are tried in dockerd's registration
 * order and the first match wins, as in mux.
 */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';

/**
 * Whether the policy needs the JSON body, so a missing or withheld one is refused:
 * `required` — the request means nothing without it (container create, exec create…);
 * `optional` — may come without one, but one that was sent and withheld is refused.
 * Routes without `body` never have theirs read (tar streams, or nothing to decide on).
 */
export type BodyNeed = 'required' | 'optional';

export interface RouteContext {
  /** Template variables, decoded: `{ name: 'web' }`. */
  readonly vars: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, readonly string[]>>;
}

export interface RouteSpec {
  /** `ANY` only for /debug, which dockerd mounts without a method matcher. */
  readonly method: Method | 'ANY';
  readonly path: string;
  /** `<family>.<verb>`. */
  readonly action: string;
  readonly body?: BodyNeed;
  /** The JSON body's top-level shape when `body` is set (plugin privileges and settings are arrays). */
  readonly bodyShape?: 'object' | 'array';
  /** The object is the body's `Name` (volume, network, service, secret and config creates). */
  readonly nameInBody?: boolean;
  /** dockerd mounts it only without the /vX.Y prefix (the /debug routes). */
  readonly unversioned?: boolean;
  /** The object acted on; default: the first template variable. */
  object?(ctx: RouteContext): string | undefined;
  /** Overrides `action` when the query decides it (`/images/create`: pull or import). */
  resolve?(ctx: RouteContext): string;
}

/** The first value, as Go's r.Form.Get returns it; undefined when missing or empty. */
export function first(ctx: RouteContext, key: string): string | undefined {
  const v = ctx.query[key]?.[0];
  return v === undefined || v === '' ? undefined : v;
}

/** Every non-empty value joined with `,` (image references never contain one). */
export function all(ctx: RouteContext, key: string): string | undefined {
  const values = (ctx.query[key] ?? []).filter((v) => v !== '');
  return values.length ? values.join(',') : undefined;
}

/** A route without an object (lists, system calls). */
export const none = (): undefined => undefined;
