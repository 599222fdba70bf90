import { none, type RouteSpec } from './route-spec.js';

/**
 * moby api/server/router/swarm: swarm, services, nodes, tasks, secrets, configs. `{id}` here
 * is one path segment (mux's default pattern), unlike the `.*` names of containers.
 * Every create and update carries a spec the policy may read (a service spec holds a whole
 * container template: mounts, capabilities, privileges), so its body is required.
 */
export const SWARM_ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/swarm/init', action: 'swarm.init', body: 'required', object: none },
  { method: 'POST', path: '/swarm/join', action: 'swarm.join', body: 'required', object: none },
  { method: 'POST', path: '/swarm/leave', action: 'swarm.leave', object: none },
  { method: 'GET', path: '/swarm', action: 'swarm.inspect', object: none },
  { method: 'GET', path: '/swarm/unlockkey', action: 'swarm.unlockkey', object: none },
  { method: 'POST', path: '/swarm/update', action: 'swarm.update', body: 'required', object: none },
  { method: 'POST', path: '/swarm/unlock', action: 'swarm.unlock', body: 'required', object: none },

  { method: 'GET', path: '/services', action: 'service.list' },
  { method: 'GET', path: '/services/{id}', action: 'service.inspect' },
  { method: 'POST', path: '/services/create', action: 'service.create', body: 'required', nameInBody: true },
  { method: 'POST', path: '/services/{id}/update', action: 'service.update', body: 'required' },
  { method: 'DELETE', path: '/services/{id}', action: 'service.delete' },
  { method: 'GET', path: '/services/{id}/logs', action: 'service.logs' },

  { method: 'GET', path: '/nodes', action: 'node.list' },
  { method: 'GET', path: '/nodes/{id}', action: 'node.inspect' },
  { method: 'DELETE', path: '/nodes/{id}', action: 'node.delete' },
  { method: 'POST', path: '/nodes/{id}/update', action: 'node.update', body: 'required' },

  { method: 'GET', path: '/tasks', action: 'task.list' },
  { method: 'GET', path: '/tasks/{id}', action: 'task.inspect' },
  { method: 'GET', path: '/tasks/{id}/logs', action: 'task.logs' },

  { method: 'GET', path: '/secrets', action: 'secret.list' },
  { method: 'POST', path: '/secrets/create', action: 'secret.create', body: 'required', nameInBody: true },
  { method: 'DELETE', path: '/secrets/{id}', action: 'secret.delete' },
  { method: 'GET', path: '/secrets/{id}', action: 'secret.inspect' },
  { method: 'POST', path: '/secrets/{id}/update', action: 'secret.update', body: 'required' },

  { method: 'GET', path: '/configs', action: 'config.list' },
  { method: 'POST', path: '/configs/create', action: 'config.create', body: 'required', nameInBody: true },
  { method: 'DELETE', path: '/configs/{id}', action: 'config.delete' },
  { method: 'GET', path: '/configs/{id}', action: 'config.inspect' },
  { method: 'POST', path: '/configs/{id}/update', action: 'config.update', body: 'required' },
];
