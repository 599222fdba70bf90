import { describe, expect, it } from 'vitest';
import { dpkgCataloger } from '../catalog/dpkg/index.js';
import type { LayerRef } from '../core/package.js';
import type { LayerAnalysis } from '../image/layers/analysis.js';
import { catalogLayers } from './catalog-layers.js';

const stanza = (name: string, version: string): string =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nMaintainer: x <x@example.org>\nDescription: ${name}\n`;

function statusLayer(pkgs: [string, string][], extra: Partial<LayerAnalysis> = {}): LayerAnalysis {
  const status = Buffer.from(pkgs.map(([n, v]) => stanza(n, v)).join('\n'));
  return {
    diffId: 'x',
    size: 0,
    entries: [{ path: '/var/lib/dpkg/status', type: 'file', mode: 0o644, uid: 0, gid: 0, size: status.length }],
    whiteouts: [],
    opaqueDirs: [],
    captured: new Map([['/var/lib/dpkg/status', status]]),
    capturedBy: new Map([['/var/lib/dpkg/status', { wantedBy: ['dpkg'] }]]),
    problems: [],
    ...extra,
  };
}

const empty: LayerAnalysis = { diffId: 'x', size: 0, entries: [], whiteouts: [], opaqueDirs: [], captured: new Map(), capturedBy: new Map(), problems: [] };
const refs = (n: number): LayerRef[] => Array.from({ length: n }, (_, i) => ({ index: i, diffId: `sha256:${String(i).repeat(64)}`, createdBy: `step ${i}` }));
const os = { id: 'debian', versionId: '12', source: '/etc/os-release' };

describe('catalogLayers attribution', () => {
  it('attributes each package to the layer that introduced its current version', () => {
    const layers = [
      statusLayer([['base', '1'], ['old', '1'], ['upg', '1']]),
      statusLayer([['base', '1'], ['old', '1'], ['upg', '1'], ['added', '2']]),
      empty, // a layer that does not touch dpkg
      statusLayer([['base', '1'], ['upg', '2'], ['added', '2']]), // purge old, upgrade upg
      statusLayer([['base', '1'], ['upg', '2'], ['added', '2']]), // rewrite without change
    ];
    const out = catalogLayers(layers, refs(5), [dpkgCataloger], os);
    const got = Object.fromEntries(out.packages.map((p) => [`${p.name}@${p.version}`, p.layer?.index]));
    expect(got).toEqual({ 'base@1': 0, 'added@2': 1, 'upg@2': 3 });
    const base = out.packages.find((p) => p.name === 'base');
    expect(base?.layer).toEqual({ index: 0, diffId: `sha256:${'0'.repeat(64)}`, createdBy: 'step 0' });
    // the package database location names the layer that last wrote the file
    expect(base?.locations[0]?.layerDiffId).toBe(`sha256:${'4'.repeat(64)}`);
  });

  it('re-attributes a package purged and installed again to the reinstalling layer', () => {
    const layers = [statusLayer([['a', '1'], ['b', '1']]), statusLayer([['a', '1']]), statusLayer([['a', '1'], ['b', '1']])];
    const out = catalogLayers(layers, refs(3), [dpkgCataloger], os);
    expect(out.packages.find((p) => p.name === 'b')?.layer?.index).toBe(2);
  });

  it('drops packages whose database a later layer deletes', () => {
    const layers = [statusLayer([['a', '1']]), { ...empty, whiteouts: ['/var/lib/dpkg'] }];
    const out = catalogLayers(layers, refs(2), [dpkgCataloger], os);
    expect(out.packages).toEqual([]);
  });

  it('hides captured files under an opaque directory but keeps what the same layer adds', () => {
    const opaque = { ...statusLayer([['new', '2']]), opaqueDirs: ['/var/lib/dpkg'] };
    const out = catalogLayers([statusLayer([['old', '1']]), opaque], refs(2), [dpkgCataloger], os);
    expect(out.packages.map((p) => `${p.name}@${p.layer?.index}`)).toEqual(['new@1']);
    const above = { ...empty, opaqueDirs: ['/var/lib/dpkg/status'] }; // opaque marks only hide children
    expect(catalogLayers([statusLayer([['a', '1']]), above], refs(2), [dpkgCataloger], os).packages).toHaveLength(1);
  });

  it('uses the purl distro qualifier from the detected OS', () => {
    const out = catalogLayers([statusLayer([['libssl3', '3.0.15-1~deb12u1']])], refs(1), [dpkgCataloger], os);
    expect(out.packages[0]?.purl).toBe('pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12');
  });
});

describe('captureFor', () => {
  it('keeps bytes only for catalogers that do not summarize, and records who wanted the file', async () => {
    const { captureFor } = await import('./scan-image.js');
    const summarizer = {
      id: 'sizer',
      version: '1',
      wants: (_p: string, info?: { mode: number }) => (info?.mode ?? 0) & 0o111 ? true : false,
      summarize: (f: { content: Buffer }) => ({ bytes: f.content.length }),
      catalog: () => ({ packages: [], relationships: [], problems: [] }),
    };
    const exec = captureFor([summarizer, dpkgCataloger], '/usr/bin/tool', Buffer.alloc(1000), { mode: 0o755, size: 1000 });
    expect(exec.keep.length).toBe(0);
    expect(exec.info).toEqual({ wantedBy: ['sizer'], summaries: { sizer: { bytes: 1000 } } });
    const status = captureFor([summarizer, dpkgCataloger], '/var/lib/dpkg/status', Buffer.from('x'), { mode: 0o644, size: 1 });
    expect(status.keep.toString()).toBe('x');
    expect(status.info).toEqual({ wantedBy: ['dpkg'] });
    const failing = { ...summarizer, summarize: () => { throw new Error('boom'); } };
    expect(captureFor([failing], '/bin/x', Buffer.alloc(1), { mode: 0o755, size: 1 }).info.summaries).toEqual({ sizer: { error: 'summarize failed: boom' } });
  });
});
