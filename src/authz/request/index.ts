/**
 * Docker AuthZ wire requests → RequestFacts, failing closed (see parse.ts). The route table
 * is routes.ts; the wire schemas are wire.ts.
 */
export { DEFAULT_MAX_BODY_BYTES, parseAuthzRequest, parseAuthzResponse, type ParsedRequest, type ParsedResponse, type ParseFailure, type ParseOptions } from './parse.js';
export { matchRoute, ROUTES, UNKNOWN_ACTION, type RouteMatch } from './routes.js';
export type { RouteSpec } from './route-spec.js';
export { normalizeHostPath } from './host-path.js';
export { AuthzPluginResponseSchema, AuthzWireRequestSchema, type AuthzPluginResponse, type AuthzWireRequest } from './wire.js';
