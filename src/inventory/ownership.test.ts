import { describe, expect, it } from 'vitest';
import type { Package } from '../core/package.js';
import { FileTree } from '../image/tree/file-tree.js';
import { keptPackages, linkOwnership } from './ownership.js';

const pkg = (over: Partial<Package> & Pick<Package, 'id' | 'type' | 'name'>): Package => ({
  version: '1',
  licenses: [],
  purl: `pkg:x/${over.name}`,
  foundBy: 'test@1',
  locations: [],
  ...over,
});

describe('linkOwnership', () => {
  it('links a language package to the OS package that owns its manifest, files or archive', () => {
    const tree = new FileTree();
    tree.applyLayer(0, {
      entries: [
        { path: '/usr/share/java/commons-lang3-3.12.0.jar', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1 },
        { path: '/usr/share/java/commons-lang3.jar', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, link: 'commons-lang3-3.12.0.jar' },
      ],
      whiteouts: [],
      opaqueDirs: [],
    });
    const packages = [
      pkg({ id: 'deb:python3-requests', type: 'deb', name: 'python3-requests', files: ['/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO'] }),
      pkg({ id: 'deb:libcommons-lang3-java', type: 'deb', name: 'libcommons-lang3-java', files: ['/usr/share/java/commons-lang3-3.12.0.jar'] }),
      pkg({ id: 'pypi:requests', type: 'pypi', name: 'requests', locations: [{ path: '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO' }] }),
      pkg({ id: 'maven:lang3', type: 'maven', name: 'org.apache.commons:commons-lang3', locations: [{ path: '/usr/share/java/commons-lang3.jar' }] }),
      pkg({ id: 'npm:lodash', type: 'npm', name: 'lodash', locations: [{ path: '/app/node_modules/lodash/package.json' }] }),
    ];
    expect(linkOwnership(packages, tree).relationships).toEqual([
      { from: 'pypi:requests', to: 'deb:python3-requests', type: 'owned-by' },
      { from: 'maven:lang3', to: 'deb:libcommons-lang3-java', type: 'owned-by' },
    ]);
  });

  it('returns nothing when no OS package lists files', () => {
    expect(linkOwnership([pkg({ id: 'npm:a', type: 'npm', name: 'a' })], undefined).relationships).toEqual([]);
  });

  it('flags packages from lockfiles an OS package ships, but not installed ones or a project lockfile', () => {
    const lock = '/usr/share/nodejs/postcss/pnpm-lock.yaml';
    const packages = [
      pkg({ id: 'deb:node-postcss', type: 'deb', name: 'node-postcss', files: [lock, '/usr/share/nodejs/postcss/package.json'] }),
      pkg({ id: 'npm:nanoid#lock', type: 'npm', name: 'nanoid', locations: [{ path: lock }], metadata: { source: 'lockfile' } }),
      pkg({ id: 'npm:postcss', type: 'npm', name: 'postcss', locations: [{ path: '/usr/share/nodejs/postcss/package.json' }], metadata: { source: 'installed' } }),
      pkg({ id: 'npm:app#lock', type: 'npm', name: 'express', locations: [{ path: '/app/package-lock.json' }], metadata: { source: 'lockfile' } }),
    ];
    const own = linkOwnership(packages, undefined);
    expect([...own.upstreamLockfilePackages]).toEqual(['npm:nanoid#lock']);
    expect(own.relationships).toEqual([{ from: 'npm:postcss', to: 'deb:node-postcss', type: 'owned-by' }]);
  });

  it('drops runtimes found by version strings in OS-owned files, through merged-/usr directory links', () => {
    const tree = new FileTree();
    tree.applyLayer(0, {
      entries: [
        { path: '/bin', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, link: 'usr/bin' },
        { path: '/usr/bin/busybox', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1 },
        { path: '/usr/bin/openssl', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1 },
        { path: '/opt/bb/busybox', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1 },
        { path: '/opt/ssl/openssl', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1 },
      ],
      whiteouts: [],
      opaqueDirs: [],
    });
    const evidence = (...files: string[]) => ({ confidence: 'low', evidence: files.map((file) => ({ classifier: 'x', file, match: 'm' })) });
    const packages = [
      // dpkg lists /bin/busybox; the merged-/usr image stores the file at /usr/bin/busybox.
      pkg({ id: 'deb:busybox-static', type: 'deb', name: 'busybox-static', files: ['/bin/busybox'] }),
      pkg({ id: 'deb:openssl', type: 'deb', name: 'openssl', files: ['/usr/bin/openssl'] }),
      pkg({ id: 'binary:busybox', type: 'binary', name: 'busybox', locations: [{ path: '/usr/bin/busybox' }], metadata: evidence('/usr/bin/busybox') }),
      pkg({
        id: 'binary:openssl',
        type: 'binary',
        name: 'openssl',
        locations: [{ path: '/usr/bin/openssl' }, { path: '/opt/ssl/openssl' }],
        metadata: evidence('/usr/bin/openssl', '/opt/ssl/openssl'),
      }),
      pkg({ id: 'binary:busybox@2', type: 'binary', name: 'busybox', version: '2', locations: [{ path: '/opt/bb/busybox' }] }),
    ];
    const owned = linkOwnership(packages, tree);
    expect(owned.relationships).toEqual([]);
    expect([...owned.ownedBinaries.keys()]).toEqual(['binary:busybox', 'binary:openssl']);
    const kept = keptPackages(packages, owned);
    expect([...kept.dropped]).toEqual(['binary:busybox']);
    expect(kept.packages.map((p) => p.id)).toEqual(['deb:busybox-static', 'deb:openssl', 'binary:openssl', 'binary:busybox@2']);
    const openssl = kept.packages.find((p) => p.id === 'binary:openssl');
    expect(openssl?.locations).toEqual([{ path: '/opt/ssl/openssl' }]);
    expect(openssl?.metadata?.evidence).toEqual([{ classifier: 'x', file: '/opt/ssl/openssl', match: 'm' }]);
  });

  it('keeps every runtime when no OS package lists files (scratch and distroless images)', () => {
    const packages = [pkg({ id: 'binary:node', type: 'binary', name: 'node', locations: [{ path: '/usr/local/bin/node' }] })];
    const owned = linkOwnership(packages, undefined);
    expect(keptPackages(packages, owned).packages).toEqual(packages);
  });
});
