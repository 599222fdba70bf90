import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { type TmpDir, tmpDir } from '../../../test/helpers/tmp.js';

const ROOT = join(import.meta.dirname, '../../..');

describe('portcullis authz', () => {
  let tmp: TmpDir;
  beforeEach(async () => {
    tmp = await tmpDir('authz-cli');
  });
  afterEach(async () => tmp.remove());

  it('checks the shipped example configuration and its policies', async () => {
    const r = await runCli(['authz', 'check', '--config', join(ROOT, 'deploy/authz/authz.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid: 5 roles, 5 bindings, 2 image policies/);
  });

  it('reports every problem of an invalid configuration with its path', async () => {
    const file = join(tmp.path, 'bad.yaml');
    writeFileSync(file, 'apiVersion: portcullis.dev/v1\nkind: AuthzConfig\nmetadata: {name: bad}\nspec:\n  roles: [{name: dev, actions: [container]}]\n  bindings: [{role: dev}]\n  audit: {dir: a}\n');
    const r = await runCli(['authz', 'check', '--config', file]);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('[AUTHZ_CONFIG]');
    expect(r.stderr).toContain('spec.roles.0.actions.0');
    expect(r.stderr).toContain('spec.bindings.0');
  });

  it('installs a systemd unit and adds the plugin to daemon.json, keeping its settings', async () => {
    const daemonJson = join(tmp.path, 'daemon.json');
    writeFileSync(daemonJson, JSON.stringify({ 'log-driver': 'journald', 'authorization-plugins': ['other'] }));
    const args = ['authz', 'install', '--config', join(ROOT, 'deploy/authz/authz.yaml'), '--daemon-json', daemonJson, '--unit-dir', tmp.path];
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(daemonJson, 'utf8'))).toEqual({ 'log-driver': 'journald', 'authorization-plugins': ['other', 'portcullis'] });
    const unit = readFileSync(join(tmp.path, 'portcullis-authz-portcullis.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=.+ authz serve --config .+deploy\/authz\/authz.yaml --name portcullis$/m);
    expect(unit).toContain('Restart=always');
    expect((await runCli(args)).stdout).toContain('already lists "portcullis"');
    writeFileSync(daemonJson, '{not json');
    expect((await runCli(args)).code).toBe(2);
  });
});
