import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortcullisError } from '../../core/errors.js';
import { hostArchitecture, openRootfsDir } from './rootfs-dir.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-rootfs-'));
  writeFileSync(join(dir, 'os-release'), 'ID=test\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('openRootfsDir', () => {
  it('exposes the directory as rootDir with no layers and a minimal config', async () => {
    const img = await openRootfsDir(dir, {});
    expect(img.rootDir).toBe(dir);
    expect(img.metadata).toMatchObject({ source: 'dir', reference: `dir:${dir}`, tags: [], layers: [] });
    expect(img.metadata.config.os).toBe('linux');
    expect(img.metadata.config.architecture).toBe(hostArchitecture());
    const seen: unknown[] = [];
    await img.readLayers(
      () => true,
      async (_blob, meta) => {
        seen.push(meta);
      },
    );
    expect(seen).toEqual([]);
  });

  it('maps Node architectures to image-config names', () => {
    const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386' };
    if (expected[process.arch]) expect(hostArchitecture()).toBe(expected[process.arch]);
    expect(hostArchitecture()).not.toMatch(/^(x64|ia32)$/);
  });

  it('rejects a missing path with IMAGE_NOT_FOUND and a file with IMAGE_FORMAT', async () => {
    const missing = await openRootfsDir(join(dir, 'absent'), {}).catch((e: unknown) => e);
    expect(isPortcullisError(missing, 'IMAGE_NOT_FOUND')).toBe(true);
    const file = await openRootfsDir(join(dir, 'os-release'), {}).catch((e: unknown) => e);
    expect(isPortcullisError(file, 'IMAGE_FORMAT')).toBe(true);
  });
});
