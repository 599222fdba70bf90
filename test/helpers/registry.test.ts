import { afterAll, describe, expect, it } from 'vitest';
import { pushImage, type RunningRegistry, startRegistry, writeOciLayout } from './registry.js';
import { tmpDirPool } from './tmp.js';

const dirs = tmpDirPool('registry-helper');
const running: RunningRegistry[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await dirs.removeAll();
});

async function start(auth: 'none' | 'basic' | 'token'): Promise<RunningRegistry> {
  const reg = await startRegistry({ auth });
  running.push(reg);
  return reg;
}

describe('startRegistry', () => {
  it.each(['none', 'basic', 'token'] as const)('auth %s: accepts a skopeo push and serves the manifest', async (auth) => {
    const reg = await start(auth);
    expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const ping = await fetch(`http://${reg.host}/v2/`);
    expect(ping.status).toBe(auth === 'none' ? 200 : 401);
    if (auth === 'basic') expect(ping.headers.get('www-authenticate')).toMatch(/^Basic /);
    if (auth === 'token') expect(ping.headers.get('www-authenticate')).toContain(`realm="${reg.realm}"`);

    const dir = await dirs.make();
    await writeOciLayout(dir, 'v1', [{ layers: [{ files: { 'etc/hello': 'hi\n' } }] }]);
    await pushImage(`oci:${dir}:v1`, reg, 'hello:v1');
    // The registry refuses anonymous pulls unless it is open.
    const anon = await fetch(`http://${reg.host}/v2/hello/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(anon.status).toBe(auth === 'none' ? 200 : 401);
  });

  it('stop() removes the storage and frees the port', async () => {
    const reg = await startRegistry();
    await reg.stop();
    await expect(fetch(`http://${reg.host}/v2/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    await reg.stop(); // idempotent
  });
});
