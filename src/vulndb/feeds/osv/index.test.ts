import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fakeFetchContext } from '../../../../test/helpers/feed-sink.js';
import { DEFAULT_ECOSYSTEMS, osvFeed } from './index.js';

describe('osv feed', () => {
  it('is named after its folder and carries a version, licence and base URL', () => {
    expect(osvFeed.id).toBe(basename(dirname(fileURLToPath(import.meta.url))));
    expect(osvFeed.version).toMatch(/^\d+$/);
    expect(osvFeed.license).toContain('CC-BY-4.0');
    expect(osvFeed.baseUrl).toBe('https://osv-vulnerabilities.storage.googleapis.com');
  });

  it("downloads each default ecosystem's all.zip, URL-encoded, into <ecosystem>/all.zip, and remembers nothing", async () => {
    const ctx = fakeFetchContext({ dir: '/nonexistent' });
    expect(await osvFeed.fetch(ctx)).toEqual({});
    expect(ctx.calls.map((c) => [c.url, c.file])).toEqual(
      DEFAULT_ECOSYSTEMS.map((eco) => [`https://osv-vulnerabilities.storage.googleapis.com/${encodeURIComponent(eco)}/all.zip`, `${eco}/all.zip`]),
    );
    expect(ctx.calls.find((c) => c.file === 'Rocky Linux/all.zip')?.url).toBe('https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip');
  });

  it('uses the base URL the context overrides', async () => {
    const ctx = fakeFetchContext({ dir: '/nonexistent', baseUrl: 'http://127.0.0.1:8080/osv/' });
    await osvFeed.fetch(ctx);
    expect(ctx.calls[0]?.url).toBe('http://127.0.0.1:8080/osv/npm/all.zip');
  });

  it('lets a download failure end the fetch (the orchestrator keeps the old data)', async () => {
    const ctx = fakeFetchContext({ dir: '/nonexistent', bodies: {} });
    await expect(osvFeed.fetch(ctx)).rejects.toMatchObject({ code: 'FEED_FETCH' });
    expect(ctx.calls).toHaveLength(1);
  });
});
