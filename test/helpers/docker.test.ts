import { afterAll, describe, expect, it } from 'vitest';
import { bookwormBase } from './debian-image.js';
import { createContainer, docker, dockerUnavailableReason, imageExists, removeContainers, removeImages } from './docker.js';
import { CommandError } from './exec.js';

const skipReason = await dockerUnavailableReason();
if (skipReason) console.warn(`[skip] docker helpers: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('docker helpers', () => {
  const scratchTag = `portcullis-test/helper-scratch:${process.pid}`;
  afterAll(() => removeImages(scratchTag));

  it('docker() returns output and throws with docker\'s stderr', async () => {
    expect((await docker(['version', '--format', '{{.Server.Os}}'])).stdout.trim()).toBe('linux');
    const err = await docker(['image', 'inspect', 'portcullis-test/no-such-image:none']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).message).toMatch(/no such image/i);
  });

  it('tags, detects and removes images; removing a missing image is not an error', async () => {
    const base = await bookwormBase();
    await docker(['tag', base, scratchTag]);
    expect(await imageExists(scratchTag)).toBe(true);
    await removeImages(scratchTag, 'portcullis-test/no-such-image:none');
    expect(await imageExists(scratchTag)).toBe(false);
    expect(await imageExists(base)).toBe(true);
  });

  it('creates containers without a network and removes them', async () => {
    const id = await createContainer(await bookwormBase());
    try {
      const mode = (await docker(['inspect', '--format', '{{.HostConfig.NetworkMode}}', id])).stdout.trim();
      expect(mode).toBe('none');
    } finally {
      await removeContainers(id, 'portcullis-no-such-container');
    }
    await expect(docker(['inspect', id])).rejects.toThrow(/no such/i);
  });
});
