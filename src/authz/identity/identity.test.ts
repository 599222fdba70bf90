import { describe, expect, it } from 'vitest';
import { identityFromRequest } from './identity.js';

describe('identityFromRequest', () => {
  it.each([
    ['a verified TLS client', { User: 'alice', UserAuthNMethod: 'TLS' }, undefined, { user: 'alice', authn: 'TLS' }],
    ['TLS ignores socketUser', { User: 'alice', UserAuthNMethod: 'TLS' }, 'root', { user: 'alice', authn: 'TLS' }],
    ['a TLS certificate without CN', { User: '', UserAuthNMethod: 'TLS' }, 'root', undefined],
    ['the unix socket without socketUser', { User: '', UserAuthNMethod: '' }, undefined, undefined],
    ['the unix socket with socketUser', {}, 'local-admin', { user: 'local-admin', authn: 'none' }],
    ['an empty socketUser', {}, '', undefined],
    ['a user from another authn method', { User: 'mallory', UserAuthNMethod: 'Basic' }, 'root', undefined],
    ['a user without an authn method', { User: 'mallory' }, 'root', undefined],
    ['an authn method without user', { UserAuthNMethod: 'Basic' }, 'root', undefined],
  ] as const)('%s', (_name, req, socketUser, expected) => {
    expect(identityFromRequest(req, socketUser)).toEqual(expected);
  });
});
