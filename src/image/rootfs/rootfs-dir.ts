import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import type { ImageSourceOptions, OpenedImage } from '../types.js';

/** Node's `process.arch` → the GOARCH names image configs use (image-spec config.md). */
const ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostArchitecture(): string {
  return ARCH[process.arch] ?? process.arch;
}

/**
 * `dir:PATH`: an unpacked root filesystem. It has no layers and no config, so the metadata is
 * minimal and the caller walks `rootDir` itself.
 */
export async function openRootfsDir(path: string, _opts: ImageSourceOptions): Promise<OpenedImage> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new PortcullisError('IMAGE_NOT_FOUND', `no such directory: ${path}`, { path });
  if (!st.isDirectory()) throw new PortcullisError('IMAGE_FORMAT', `not a directory: ${path}`, { path });
  return {
    metadata: {
      source: 'dir',
      reference: `dir:${path}`,
      tags: [],
      config: { os: 'linux', architecture: hostArchitecture(), env: [], labels: {}, history: [] },
      layers: [],
    },
    rootDir: resolve(path),
    problems: [],
    readLayers: async () => {},
    close: async () => {},
  };
}
