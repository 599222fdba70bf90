import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRootfsDir } from '../../image/rootfs/rootfs-dir.js';
import { scanImage } from '../../inventory/scan-image.js';
import { encodeSbom, SBOM_FORMATS } from '../../sbom/index.js';
import { CATALOGERS } from '../registry.js';

/**
 * The whole pipeline on a merged-/usr Debian-like root filesystem: runtimes dpkg installed
 * are left to dpkg, copies outside any package are reported. Built from the committed snippets.
 */
const SNIPPETS = join(import.meta.dirname, 'testdata', 'snippets');
const root = mkdtempSync(join(tmpdir(), 'portcullis-binary-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(path: string, from: string, mode = 0o755): void {
  const dest = join(root, path);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(join(SNIPPETS, from), dest);
  chmodSync(dest, mode);
}

function write(path: string, text: string): void {
  const dest = join(root, path);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, text);
}

const stanza = (name: string, version: string) =>
  `Package: ${name}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: ${version}\nDescription: x\n`;

write('/etc/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
symlinkSync('usr/bin', join(root, 'bin'));
write('/var/lib/dpkg/status', [stanza('busybox-static', '1:1.35.0-4+deb12u1+b1'), stanza('openssl', '3.0.19-1~deb12u2')].join('\n'));
// dpkg records the path the package shipped: /bin/busybox, which merged /usr stores under /usr/bin.
write('/var/lib/dpkg/info/busybox-static.list', '/.\n/bin\n/bin/busybox\n');
write('/var/lib/dpkg/info/openssl.list', '/.\n/usr\n/usr/bin\n/usr/bin/openssl\n');
put('/usr/bin/busybox', 'busybox-1.35.0/busybox');
put('/usr/bin/openssl', 'openssl-3.0.19/openssl');
put('/opt/tools/busybox', 'busybox-1.35.0/busybox');
put('/opt/ssl/bin/openssl', 'openssl-3.0.19/openssl');
put('/opt/ssl/lib/libcrypto.so.3', 'openssl-3.0.19/libcrypto.so.3', 0o644);
put('/opt/jdk/bin/java', 'java-17.0.15/java');
put('/opt/jdk/lib/server/libjvm.so', 'java-17.0.15/libjvm.so', 0o644);
put('/opt/jdk/release', 'java-17.0.15/release', 0o644);

describe('binary cataloger in a scan: only runtimes no OS package owns', () => {
  it('reports the copies under /opt and leaves dpkg-owned /usr/bin files to dpkg', async () => {
    const image = await openRootfsDir(root, {});
    const { inventory } = await scanImage(image, { catalogers: CATALOGERS, toolVersion: 'test' });
    expect(inventory.os?.id).toBe('debian');
    expect(inventory.packages.filter((p) => p.type === 'deb').map((p) => p.name)).toEqual(['busybox-static', 'openssl']);
    const runtimes = inventory.packages
      .filter((p) => p.type === 'binary')
      .map((p) => ({ purl: p.purl, paths: p.locations.map((l) => l.path).sort(), evidence: (p.metadata?.evidence as { file: string }[]).map((e) => e.file).sort() }))
      .sort((a, b) => a.purl.localeCompare(b.purl));
    expect(runtimes).toEqual([
      { purl: 'pkg:generic/busybox@1.35.0', paths: ['/opt/tools/busybox'], evidence: ['/opt/tools/busybox'] },
      {
        purl: 'pkg:generic/java@17.0.15+6-Debian-1deb12u1',
        paths: ['/opt/jdk/bin/java', '/opt/jdk/lib/server/libjvm.so', '/opt/jdk/release'],
        evidence: ['/opt/jdk/bin/java', '/opt/jdk/lib/server/libjvm.so', '/opt/jdk/release'],
      },
      { purl: 'pkg:generic/openssl@3.0.19', paths: ['/opt/ssl/bin/openssl', '/opt/ssl/lib/libcrypto.so.3'], evidence: ['/opt/ssl/bin/openssl', '/opt/ssl/lib/libcrypto.so.3'] },
    ]);
    expect(inventory.relationships.filter((r) => r.from.startsWith('binary:'))).toEqual([]);
    expect(inventory.problems.filter((p) => p.source === 'binary')).toEqual([]);
    // Every SBOM format carries the generic purls (the native JSON also the evidence).
    for (const format of SBOM_FORMATS) {
      const text = encodeSbom(inventory, format, { deterministic: true });
      for (const r of runtimes) expect(text, format).toContain(r.purl);
    }
    expect(encodeSbom(inventory, 'json')).toContain('"confidence": "low"');
  });
});
