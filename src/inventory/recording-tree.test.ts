import { describe, expect, it } from 'vitest';
import type { EntryType, LayerAnalysis, LayerEntry } from '../image/layers/analysis.js';
import { FileTree } from '../image/tree/file-tree.js';
import { layerChangesSeen, presentAncestors, RecordingTree } from './recording-tree.js';

type Layer = Pick<LayerAnalysis, 'entries' | 'whiteouts' | 'opaqueDirs'>;
const e = (path: string, type: EntryType = 'file', link?: string): LayerEntry => ({ path, type, mode: 0o644, uid: 0, gid: 0, size: 0, ...(link !== undefined ? { link } : {}) });
const layer = (entries: LayerEntry[], whiteouts: string[] = [], opaqueDirs: string[] = []): Layer => ({ entries, whiteouts, opaqueDirs });

const BASE = layer([
  e('/usr', 'dir'),
  e('/usr/lib', 'dir'),
  e('/usr/lib/os-release'),
  e('/usr/bin', 'dir'),
  e('/usr/bin/tool'),
  e('/bin', 'symlink', 'usr/bin'),
  e('/etc', 'dir'),
  e('/etc/os-release', 'symlink', '../usr/lib/os-release'),
  e('/loop/a', 'symlink', 'b'),
  e('/loop/b', 'symlink', 'a'),
  e('/abs', 'symlink', '/usr/lib'),
  e('/dangling', 'symlink', 'nowhere'),
]);
const QUERIES = ['/bin/tool', '/etc/os-release', '/abs/os-release', '/loop/a', '/dangling', '/usr/../usr/bin/./tool', '/nope/x', '/bin/../lib/x', '/', '/usr/lib'];

function treeOf(...layers: Layer[]): FileTree {
  const t = new FileTree();
  layers.forEach((l, i) => t.applyLayer(i, l));
  return t;
}

describe('RecordingTree', () => {
  it('answers exists and resolve exactly as FileTree does', () => {
    const tree = treeOf(BASE);
    const rec = new RecordingTree(tree);
    for (const q of QUERIES) {
      expect(rec.resolve(q), q).toBe(tree.resolve(q));
      expect(rec.exists(q), q).toBe(tree.exists(q));
    }
  });

  it('records what each looked-up path was', () => {
    const rec = new RecordingTree(treeOf(BASE));
    rec.resolve('/etc/os-release');
    rec.exists('/var/lib/dpkg/status.d');
    expect(Object.fromEntries(rec.seen)).toEqual({
      '/etc': 'P',
      '/etc/os-release': 'L../usr/lib/os-release',
      '/usr': 'P',
      '/usr/lib': 'P',
      '/usr/lib/os-release': 'P',
      '/var/lib/dpkg/status.d': 'A',
    });
  });
});

describe('layerChangesSeen', () => {
  const seenOf = (...queries: string[]) => {
    const rec = new RecordingTree(treeOf(BASE));
    for (const q of queries) rec.resolve(q);
    return rec.seen;
  };
  const changes = (l: Layer, ...queries: string[]) => {
    const seen = seenOf(...queries);
    return layerChangesSeen(seen, presentAncestors(seen), l);
  };

  it.each([
    ['an unrelated file', layer([e('/srv/app/VERSION')]), false],
    ['a directory entry over a directory', layer([e('/usr', 'dir'), e('/usr/lib', 'dir')]), false],
    ['a file where a looked-up path was absent', layer([e('/etc/lsb-release')]), true],
    ['a file below an absent looked-up path', layer([e('/etc/lsb-release/x')]), true],
    ['a retargeted symlink', layer([e('/etc/os-release', 'symlink', '/usr/lib/os-release')]), true],
    ['a directory replacing a symlink', layer([e('/etc/os-release', 'dir')]), true],
    ['a file replacing a directory on the way', layer([e('/usr/lib')]), true],
    ['a whiteout of a looked-up path', layer([], ['/usr/lib/os-release']), true],
    ['a whiteout of a directory on the way', layer([], ['/usr']), true],
    ['a whiteout of an absent path', layer([], ['/etc/lsb-release']), false],
    ['an opaque directory above a looked-up path', layer([], [], ['/usr/lib']), true],
    ['an opaque directory elsewhere', layer([], [], ['/srv']), false],
  ] as const)('%s: %s', (_name, l, expected) => {
    expect(changes(l, '/etc/os-release', '/etc/lsb-release')).toBe(expected);
  });

  it('is sound: when it says nothing changed, every recorded answer is the same after the layer', () => {
    // A small universe of paths, random lower trees and random layers on top.
    const names = ['/a', '/a/b', '/a/b/c', '/a/d', '/e', '/e/f'];
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
    const randomEntry = (): LayerEntry => {
      const kind = rnd(4);
      if (kind === 0) return e(pick(names), 'dir');
      if (kind === 1) return e(pick(names), 'symlink', pick(['/a', 'b', '../e', '/e/f', 'c']));
      return e(pick(names));
    };
    const randomLayer = (): Layer =>
      layer(
        Array.from({ length: rnd(4) }, randomEntry),
        rnd(3) === 0 ? [pick(names)] : [],
        rnd(4) === 0 ? [pick(names)] : [],
      );
    let unchanged = 0;
    for (let round = 0; round < 400; round++) {
      const lower = [randomLayer(), randomLayer()];
      const rec = new RecordingTree(treeOf(...lower));
      const answers = names.map((q) => [rec.resolve(q), rec.exists(q)]);
      const top = randomLayer();
      if (layerChangesSeen(rec.seen, presentAncestors(rec.seen), top)) continue;
      unchanged++;
      const after = treeOf(...lower, top);
      expect(names.map((q) => [after.resolve(q), after.exists(q)]), JSON.stringify({ lower, top })).toEqual(answers);
    }
    expect(unchanged).toBeGreaterThan(50); // the property was really exercised
  });
});
