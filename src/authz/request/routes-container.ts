import { first, none, type RouteSpec } from './route-spec.js';

/**
 * moby api/server/router/checkpoint and /container. The checkpoint router is registered
 * first in dockerd ("or the DELETE gets masked" by DELETE /containers/{name:.*}), so it is
 * first here too.
 */
export const CHECKPOINT_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/containers/{name:.*}/checkpoints', action: 'container.checkpoint-list' },
  { method: 'POST', path: '/containers/{name:.*}/checkpoints', action: 'container.checkpoint-create', body: 'optional' },
  { method: 'DELETE', path: '/containers/{name}/checkpoints/{checkpoint}', action: 'container.checkpoint-delete' },
];

export const CONTAINER_ROUTES: readonly RouteSpec[] = [
  { method: 'HEAD', path: '/containers/{name:.*}/archive', action: 'container.archive-head' },
  { method: 'GET', path: '/containers/json', action: 'container.list', object: none },
  { method: 'GET', path: '/containers/{name:.*}/export', action: 'container.export' },
  { method: 'GET', path: '/containers/{name:.*}/changes', action: 'container.changes' },
  { method: 'GET', path: '/containers/{name:.*}/json', action: 'container.inspect' },
  { method: 'GET', path: '/containers/{name:.*}/top', action: 'container.top' },
  { method: 'GET', path: '/containers/{name:.*}/logs', action: 'container.logs' },
  { method: 'GET', path: '/containers/{name:.*}/stats', action: 'container.stats' },
  { method: 'GET', path: '/containers/{name:.*}/attach/ws', action: 'container.attach' },
  { method: 'GET', path: '/exec/{id:.*}/json', action: 'exec.inspect' },
  { method: 'GET', path: '/containers/{name:.*}/archive', action: 'container.archive-get' },
  // The name a create asks for (?name=); the image and host access are in RequestFacts.create.
  // dockerd stores names with one leading slash and accepts them with or without it.
  { method: 'POST', path: '/containers/create', action: 'container.create', body: 'required', object: (c) => first(c, 'name')?.replace(/^\//, '') },
  { method: 'POST', path: '/containers/{name:.*}/kill', action: 'container.kill' },
  { method: 'POST', path: '/containers/{name:.*}/pause', action: 'container.pause' },
  { method: 'POST', path: '/containers/{name:.*}/unpause', action: 'container.unpause' },
  { method: 'POST', path: '/containers/{name:.*}/restart', action: 'container.restart' },
  { method: 'POST', path: '/containers/{name:.*}/start', action: 'container.start' },
  { method: 'POST', path: '/containers/{name:.*}/stop', action: 'container.stop' },
  { method: 'POST', path: '/containers/{name:.*}/wait', action: 'container.wait' },
  { method: 'POST', path: '/containers/{name:.*}/resize', action: 'container.resize' },
  { method: 'POST', path: '/containers/{name:.*}/attach', action: 'container.attach' },
  { method: 'POST', path: '/containers/{name:.*}/exec', action: 'container.exec', body: 'required' },
  { method: 'POST', path: '/exec/{name:.*}/start', action: 'exec.start' },
  { method: 'POST', path: '/exec/{name:.*}/resize', action: 'exec.resize' },
  { method: 'POST', path: '/containers/{name:.*}/rename', action: 'container.rename' },
  // Resources, restart policy: nothing the policy reads yet, but never unseen.
  { method: 'POST', path: '/containers/{name:.*}/update', action: 'container.update', body: 'required' },
  { method: 'POST', path: '/containers/prune', action: 'container.prune', object: none },
  // The body is the new image's Config; the object is the container committed.
  { method: 'POST', path: '/commit', action: 'container.commit', body: 'optional', object: (c) => first(c, 'container') },
  { method: 'PUT', path: '/containers/{name:.*}/archive', action: 'container.archive-put' },
  { method: 'DELETE', path: '/containers/{name:.*}', action: 'container.delete' },
];
