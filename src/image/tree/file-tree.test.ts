import { describe, expect, it } from 'vitest';
import type { LayerAnalysis, LayerEntry } from '../layers/analysis.js';
import { FileTree } from './file-tree.js';

const f = (path: string, extra: Partial<LayerEntry> = {}): LayerEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, ...extra });
const d = (path: string): LayerEntry => ({ path, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 });
const layer = (entries: LayerEntry[], whiteouts: string[] = [], opaqueDirs: string[] = []): Pick<LayerAnalysis, 'entries' | 'whiteouts' | 'opaqueDirs'> => ({
  entries,
  whiteouts,
  opaqueDirs,
});
const paths = (t: FileTree): string[] => [...t.walk()].map((x) => x.path);

describe('FileTree', () => {
  it('applies file whiteouts to lower layers only, and lets the same path return later', () => {
    const t = new FileTree();
    t.applyLayer(0, layer([d('/a'), f('/a/foo'), f('/a/bar'), f('/b')]));
    t.applyLayer(1, layer([], ['/a']));
    t.applyLayer(2, layer([f('/a/baz')]));
    expect(paths(t)).toEqual(['/a', '/a/baz', '/b']);
    expect(t.get('/a/baz')?.layer).toBe(2);
    expect(t.get('/b')?.layer).toBe(0);
    expect(t.size).toBe(3);
  });

  it('hides lower content of an opaque directory but keeps what the same layer adds', () => {
    const t = new FileTree();
    t.applyLayer(0, layer([d('/opt'), f('/opt/old'), d('/opt/sub'), f('/opt/sub/x')]));
    // tar order puts the new entry before the marker; the result must not depend on it
    t.applyLayer(1, layer([f('/opt/new')], [], ['/opt']));
    expect(paths(t)).toEqual(['/opt', '/opt/new']);
    expect(t.get('/opt')?.layer).toBe(0);
  });

  it('records the layer that last wrote each file', () => {
    const t = new FileTree();
    t.applyLayer(0, layer([f('/etc/passwd'), f('/etc/hosts')]));
    t.applyLayer(1, layer([f('/etc/passwd', { size: 99 })]));
    expect(t.get('/etc/passwd')).toMatchObject({ layer: 1, entry: { size: 99 } });
    expect(t.get('/etc/hosts')?.layer).toBe(0);
    expect(t.get('/etc')?.entry.type).toBe('dir');
  });

  it('replaces a directory with a file or symlink, dropping its subtree', () => {
    const t = new FileTree();
    t.applyLayer(0, layer([d('/x'), f('/x/1'), f('/x/2')]));
    t.applyLayer(1, layer([f('/x', { type: 'symlink', link: '/y' })]));
    expect(paths(t)).toEqual(['/x']);
    expect(t.size).toBe(1);
  });

  it('keeps entries that follow a directory replaced by a file within one layer', () => {
    const t = new FileTree();
    t.applyLayer(0, layer([d('/a'), d('/a/b'), f('/a/b/c'), f('/a/b'), f('/a/b/d'), f('/a/e'), f('/a/b/g')]));
    expect(t.exists('/a/b/c')).toBe(false);
    expect(t.exists('/a/b/d')).toBe(true);
    expect(t.exists('/a/b/g')).toBe(true);
    expect(t.get('/a/e')?.layer).toBe(0);
    expect(paths(t)).toEqual(['/a', '/a/b', '/a/b/d', '/a/b/g', '/a/e']);
    expect(t.size).toBe(5);
  });

  it('resolves symlinks confined to the root and detects loops', () => {
    const t = new FileTree();
    t.applyLayer(
      0,
      layer([
        f('/usr/lib/os-release'),
        f('/etc/os-release', { type: 'symlink', link: '../usr/lib/os-release' }),
        f('/bin', { type: 'symlink', link: 'usr/bin' }),
        f('/usr/bin/sh'),
        f('/evil', { type: 'symlink', link: '../../../../usr/bin/sh' }),
        f('/loop1', { type: 'symlink', link: '/loop2' }),
        f('/loop2', { type: 'symlink', link: '/loop1' }),
      ]),
    );
    expect(t.resolve('/etc/os-release')).toBe('/usr/lib/os-release');
    expect(t.resolve('/bin/sh')).toBe('/usr/bin/sh');
    // ".." above the root stays at the root, as in a chroot
    expect(t.resolve('/evil')).toBe('/usr/bin/sh');
    expect(t.resolve('/loop1')).toBeUndefined();
    expect(t.resolve('/missing')).toBeUndefined();
  });
});
