import { first, none, type RouteSpec } from './route-spec.js';

/**
 * moby api/server/router/system, /volume, /network, /plugin, /session, /grpc and the debug
 * router. Volume and network creates name their object in the body; parse.ts fills it in.
 */
export const SYSTEM_ROUTES: readonly RouteSpec[] = [
  // dockerd's CORS preflight route answers any path; it reaches the plugin (raw-options.json).
  { method: 'OPTIONS', path: '/{anyroute:.*}', action: 'system.options', object: none },
  { method: 'GET', path: '/_ping', action: 'system.ping' },
  { method: 'HEAD', path: '/_ping', action: 'system.ping' },
  { method: 'GET', path: '/events', action: 'system.events' },
  { method: 'GET', path: '/info', action: 'system.info' },
  { method: 'GET', path: '/version', action: 'system.version' },
  { method: 'GET', path: '/system/df', action: 'system.df' },
  // dockerd never forwards this body (registry credentials); nothing to read.
  { method: 'POST', path: '/auth', action: 'system.auth' },
];

export const VOLUME_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/volumes', action: 'volume.list' },
  { method: 'GET', path: '/volumes/{name:.*}', action: 'volume.inspect' },
  { method: 'POST', path: '/volumes/create', action: 'volume.create', body: 'required', nameInBody: true },
  { method: 'POST', path: '/volumes/prune', action: 'volume.prune' },
  { method: 'DELETE', path: '/volumes/{name:.*}', action: 'volume.delete' },
  // API 1.42: cluster volume update.
  { method: 'PUT', path: '/volumes/{name:.*}', action: 'volume.update', body: 'required' },
];

export const SESSION_ROUTES: readonly RouteSpec[] = [
  // BuildKit's session and gRPC tunnels (HTTP upgrade, h2c): no body to read.
  { method: 'POST', path: '/session', action: 'system.session' },
  { method: 'POST', path: '/grpc', action: 'system.grpc' },
];

export const PLUGIN_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/plugins', action: 'plugin.list' },
  { method: 'GET', path: '/plugins/{name:.*}/json', action: 'plugin.inspect' },
  { method: 'GET', path: '/plugins/privileges', action: 'plugin.privileges', object: (c) => first(c, 'remote') },
  { method: 'DELETE', path: '/plugins/{name:.*}', action: 'plugin.delete' },
  { method: 'POST', path: '/plugins/{name:.*}/enable', action: 'plugin.enable' },
  { method: 'POST', path: '/plugins/{name:.*}/disable', action: 'plugin.disable' },
  // The body lists the privileges (host mounts, devices, capabilities) the user accepted.
  { method: 'POST', path: '/plugins/pull', action: 'plugin.install', body: 'required', bodyShape: 'array', object: (c) => first(c, 'remote') },
  { method: 'POST', path: '/plugins/{name:.*}/push', action: 'plugin.push' },
  { method: 'POST', path: '/plugins/{name:.*}/upgrade', action: 'plugin.upgrade', body: 'required', bodyShape: 'array' },
  // `docker plugin set p mount.source=/`: settings can point mounts and devices at the host.
  { method: 'POST', path: '/plugins/{name:.*}/set', action: 'plugin.set', body: 'required', bodyShape: 'array' },
  { method: 'POST', path: '/plugins/create', action: 'plugin.create', object: (c) => first(c, 'name') },
];

export const NETWORK_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/networks', action: 'network.list' },
  { method: 'GET', path: '/networks/', action: 'network.list' },
  { method: 'GET', path: '/networks/{id:.+}', action: 'network.inspect' },
  { method: 'POST', path: '/networks/create', action: 'network.create', body: 'required', nameInBody: true },
  { method: 'POST', path: '/networks/{id:.*}/connect', action: 'network.connect', body: 'required' },
  { method: 'POST', path: '/networks/{id:.*}/disconnect', action: 'network.disconnect', body: 'required' },
  { method: 'POST', path: '/networks/prune', action: 'network.prune' },
  { method: 'DELETE', path: '/networks/{id:.*}', action: 'network.delete' },
];

/** Mounted at /debug without a version prefix and without a method matcher (moby api/server/server.go). */
export const DEBUG_ROUTES: readonly RouteSpec[] = [
  { method: 'ANY', path: '/debug/vars', action: 'system.debug', unversioned: true, object: none },
  { method: 'ANY', path: '/debug/pprof/', action: 'system.debug', unversioned: true, object: none },
  { method: 'ANY', path: '/debug/pprof/{name}', action: 'system.debug', unversioned: true },
];
