import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryCataloger } from './index.js';

/**
 * The cataloger against the real runtimes installed on this machine (scripts/test-env.sh
 * installs openssl, busybox-static, python3 and openjdk-17-jre-headless), each compared with
 * what the runtime itself prints. Absent runtimes are skipped with the reason.
 */

function versionOf(path: string): string | undefined {
  const s = binaryCataloger.summarize?.({ path, content: readFileSync(path) });
  return typeof s?.version === 'string' ? s.version : undefined;
}

/** stdout + stderr of a command (`java -version` and busybox print on stderr), or undefined when it cannot run. */
function run(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return r.error ? undefined : `${r.stdout}${r.stderr}`;
}

/** Files in `dir` whose names match, as real paths (symlinks resolved, duplicates removed). */
function find(dirs: string[], name: RegExp): string[] {
  const out = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (name.test(f)) out.add(realpathSync(join(dir, f)));
  }
  return [...out].sort();
}

const LIB_DIRS = ['/usr/lib', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64'];

describe('binary cataloger on the real runtimes of this machine', () => {
  const opensslVersion = /OpenSSL (\S+)/.exec(run('openssl', ['version']) ?? '')?.[1];
  it.skipIf(!opensslVersion || !existsSync('/usr/bin/openssl'))('openssl and libcrypto: what `openssl version` prints (skip: no openssl)', () => {
    expect(versionOf('/usr/bin/openssl')).toBe(opensslVersion);
    // The libcrypto the program links against, as the dynamic loader resolves it.
    const libcrypto = /libcrypto\.so\S* => (\S+)/.exec(run('ldd', ['/usr/bin/openssl']) ?? '')?.[1];
    if (libcrypto) expect(versionOf(realpathSync(libcrypto)), libcrypto).toBe(opensslVersion);
    // OpenSSL 3 keeps no version text in libssl: nothing is invented for it.
    for (const lib of find(LIB_DIRS, /^libssl\.so\.3$/)) expect(versionOf(lib), lib).toBeUndefined();
  });

  const pythons = find(['/usr/bin'], /^python\d+\.\d+$/).filter((p) => lstatSync(p).isFile());
  it.skipIf(pythons.length === 0)('python3.X and its libpython: what the interpreter reports (skip: no /usr/bin/python3.X)', () => {
    for (const py of pythons) {
      const native = run(py, ['-c', 'import platform; print(platform.python_version())'])?.trim();
      expect(versionOf(py), py).toBe(native);
      const mm = /python(\d+\.\d+)$/.exec(py)?.[1] as string;
      for (const lib of find(LIB_DIRS, new RegExp(`^libpython${mm.replace('.', '\\.')}\\.so\\.1\\.0$`))) expect(versionOf(lib), lib).toBe(native);
    }
  });

  it('node: the runtime running this test (process.execPath, or its libnode)', () => {
    const candidates = [realpathSync(process.execPath), ...find(LIB_DIRS, /^libnode\.so\.\d+$/)];
    const found = candidates.map(versionOf).filter((v) => v !== undefined);
    expect(found.length, `no node version in ${candidates.join(', ')}`).toBeGreaterThan(0);
    expect(new Set(found)).toEqual(new Set([process.version.slice(1)]));
  });

  const busybox = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
  it.skipIf(!busybox)('busybox: the version its banner prints (skip: install busybox-static)', () => {
    const native = /BusyBox v(\d+\.\d+\.\d+)/.exec(run(busybox as string, []) ?? '')?.[1];
    expect(native).toBeDefined();
    expect(versionOf(busybox as string)).toBe(native);
  });

  const jvmHomes = existsSync('/usr/lib/jvm')
    ? readdirSync('/usr/lib/jvm')
        .map((d) => join('/usr/lib/jvm', d))
        .filter((d) => !lstatSync(d).isSymbolicLink() && existsSync(join(d, 'release')) && existsSync(join(d, 'bin', 'java')))
    : [];
  it.skipIf(jvmHomes.length === 0)('every JDK / JRE under /usr/lib/jvm: release, bin/java and libjvm.so give java.runtime.version (skip: no JVM)', () => {
    for (const home of jvmHomes) {
      const props = run(join(home, 'bin', 'java'), ['-XshowSettings:properties', '-version']) ?? '';
      const native = /java\.runtime\.version = (\S+)/.exec(props)?.[1];
      expect(native, `${home}: ${props.slice(0, 200)}`).toBeDefined();
      expect(versionOf(join(home, 'release')), `${home}/release`).toBe(native);
      expect(versionOf(join(home, 'bin', 'java')), `${home}/bin/java`).toBe(native);
      const libjvm = join(home, 'lib', 'server', 'libjvm.so');
      if (existsSync(libjvm)) expect(versionOf(libjvm), libjvm).toBe(native);
    }
  }, 120_000);
});
