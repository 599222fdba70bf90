import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distroQualifier } from '../../core/os.js';
import { detectOs, OS_FILES, osPurlNamespace, wantsOsFile } from './index.js';
import { parseKeyValues } from './os-release.js';

const TESTDATA = join(import.meta.dirname, 'testdata');

/** A root directory of testdata seen the way an image view sees it. */
function tree(name: string) {
  const root = join(TESTDATA, name);
  const read = (path: string): Buffer | undefined => {
    const p = join(root, path);
    return existsSync(p) && statSync(p).isFile() ? readFileSync(p) : undefined;
  };
  const exists = (path: string): boolean => existsSync(join(root, path));
  return { read, exists };
}

function detect(name: string) {
  const { read, exists } = tree(name);
  return detectOs(read, exists);
}

describe('detectOs on release-file trees', () => {
  const cases = [
    ['debian-12', { id: 'debian', versionId: '12', versionCodename: 'bookworm', source: '/etc/os-release' }, 'debian-12'],
    ['debian-sid', { id: 'debian', versionId: '', versionCodename: 'trixie', source: '/etc/os-release' }, 'debian'],
    ['debian-sid-fallback', { id: 'debian', versionId: '', versionCodename: 'trixie', source: '/etc/debian_version' }, 'debian'],
    ['ubuntu-22.04', { id: 'ubuntu', versionId: '22.04', versionCodename: 'jammy', idLike: ['debian'], source: '/etc/os-release' }, 'ubuntu-22.04'],
    ['ubuntu-fallback', { id: 'ubuntu', versionId: '22.04', versionCodename: 'jammy', source: '/etc/lsb-release' }, 'ubuntu-22.04'],
    ['alpine-3.20', { id: 'alpine', versionId: '3.20.3', source: '/etc/os-release' }, 'alpine-3.20.3'],
    ['alpine-fallback', { id: 'alpine', versionId: '3.20.3', source: '/etc/alpine-release' }, 'alpine-3.20.3'],
    ['rhel-9', { id: 'rhel', versionId: '9.4', idLike: ['fedora'], source: '/etc/os-release' }, 'rhel-9.4'],
    ['rocky-9', { id: 'rocky', versionId: '9.3', idLike: ['rhel', 'centos', 'fedora'], source: '/etc/os-release' }, 'rocky-9.3'],
    ['oracle-fallback', { id: 'ol', versionId: '8.9', source: '/etc/oracle-release' }, 'ol-8.9'],
    ['amazon-2023', { id: 'amzn', versionId: '2023', source: '/usr/lib/os-release' }, 'amzn-2023'],
    ['amazon-2023-fallback', { id: 'amzn', versionId: '2023', source: '/usr/lib/system-release' }, 'amzn-2023'],
    ['amazon-2-fallback', { id: 'amzn', versionId: '2', source: '/etc/system-release' }, 'amzn-2'],
  ] as const;
  for (const [name, expected, qualifier] of cases) {
    it(`detects ${name}`, () => {
      const { os, problems } = detect(name);
      expect(problems).toEqual([]);
      expect(os).toMatchObject(expected);
      expect(os?.distroless).toBeUndefined();
      expect(distroQualifier(os)).toBe(qualifier);
    });
  }

  it('detects distroless: Debian os-release, status.d and no dpkg status', () => {
    const { os } = detect('distroless');
    expect(os).toMatchObject({ id: 'debian', versionId: '12', distroless: true });
    // Without the exists callback the layout cannot be seen, and a plain Debian is reported.
    expect(detectOs(tree('distroless').read).os?.distroless).toBeUndefined();
  });

  it('reports no OS and no problem for a busybox-only tree', () => {
    expect(detect('busybox')).toEqual({ os: undefined, problems: [] });
  });

  it('does not depend on the order files are read in', () => {
    const { read, exists } = tree('ubuntu-22.04');
    const seen: string[] = [];
    const first = detectOs((p) => {
      seen.push(p);
      return read(p);
    }, exists);
    // A reader that hides os-release still lets lsb-release beat debian_version.
    const second = detectOs((p) => (p.endsWith('os-release') ? undefined : read(p)), exists);
    expect(first.os?.id).toBe('ubuntu');
    expect(second.os?.id).toBe('ubuntu');
    expect(seen).toEqual([...OS_FILES]);
  });
});

describe('os-release syntax (freedesktop spec)', () => {
  it('handles quotes, escapes, comments and bad lines', () => {
    const text = [
      '# a comment',
      'ID=debian',
      'NAME="Debian \\"GNU\\"/Linux \\$HOME \\\\ \\`x\\`"',
      "PRETTY_NAME='single \\n quoted'",
      'VERSION_ID="12"',
      'BROKEN="unterminated',
      'no equals sign here',
      '  ',
      'ID_LIKE="ubuntu debian"\r',
    ].join('\n');
    const { values, badLines } = parseKeyValues(text);
    expect(values.get('ID')).toBe('debian');
    expect(values.get('NAME')).toBe('Debian "GNU"/Linux $HOME \\ `x`');
    expect(values.get('PRETTY_NAME')).toBe('single \\n quoted');
    expect(values.get('ID_LIKE')).toBe('ubuntu debian');
    expect(values.has('BROKEN')).toBe(false);
    expect(badLines).toEqual([6, 7]);
  });

  it('turns a garbage os-release into a problem, not a crash', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));
    for (const content of [garbage, Buffer.from('ID=\0\0\0\nVERSION_ID=1'), Buffer.from('ID="Debian Linux"')]) {
      const { os, problems } = detectOs((p) => (p === '/etc/os-release' ? content : undefined));
      expect(os).toBeUndefined();
      expect(problems).toMatchObject([{ code: 'CATALOG_PARSE', path: '/etc/os-release', source: 'os' }]);
    }
  });

  it('ignores an oversized os-release and falls back', () => {
    const files: Record<string, Buffer> = {
      '/etc/os-release': Buffer.alloc(1024 * 1024, 'A'),
      '/etc/alpine-release': Buffer.from('3.19.1\n'),
    };
    const { os, problems } = detectOs((p) => files[p]);
    expect(os).toMatchObject({ id: 'alpine', versionId: '3.19.1' });
    expect(problems).toMatchObject([{ code: 'FILE_TOO_LARGE', path: '/etc/os-release' }]);
  });

  it('reports unknown release strings only when nothing was detected', () => {
    const { os, problems } = detectOs((p) => (p === '/etc/redhat-release' ? Buffer.from('Something else 1') : undefined));
    expect(os).toBeUndefined();
    expect(problems).toMatchObject([{ code: 'CATALOG_PARSE', path: '/etc/redhat-release' }]);
  });
});

describe('helpers', () => {
  it('wants exactly the release files', () => {
    expect(wantsOsFile('/etc/os-release')).toBe(true);
    expect(wantsOsFile('/usr/lib/system-release')).toBe(true);
    expect(wantsOsFile('/etc/passwd')).toBe(false);
    expect(wantsOsFile('etc/os-release')).toBe(false);
  });

  it('uses the OS id as purl namespace', () => {
    expect(osPurlNamespace(detect('ubuntu-22.04').os, 'debian')).toBe('ubuntu');
    expect(osPurlNamespace(undefined, 'alpine')).toBe('alpine');
  });
});
