import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private temporary directory; `remove()` is idempotent. */
export interface TmpDir {
  readonly path: string;
  remove(): Promise<void>;
}

// Every directory made here is removed on process exit too, so a test that throws before its
// own cleanup (or a helper whose caller forgot it) leaves nothing behind in /tmp.
const live = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const dir of live) rmSync(dir, { recursive: true, force: true });
  });
}

/** Creates `/tmp/portcullis-<prefix>-XXXXXX`, mode 0700 (mkdtemp), tracked for cleanup. */
export async function tmpDir(prefix = 'test'): Promise<TmpDir> {
  installExitHook();
  const path = await mkdtemp(join(tmpdir(), `portcullis-${prefix}-`));
  live.add(path);
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true });
      live.delete(path);
    },
  };
}

/** Runs `fn` with a fresh temporary directory and removes it afterwards, whatever happens. */
export async function withTmpDir<T>(fn: (dir: string) => Promise<T>, prefix = 'test'): Promise<T> {
  const dir = await tmpDir(prefix);
  try {
    return await fn(dir.path);
  } finally {
    await dir.remove();
  }
}

/**
 * Collects temporary directories for one test file: call `make()` in hooks or tests and
 * `removeAll()` in afterAll.
 */
export function tmpDirPool(prefix = 'test'): { make(): Promise<string>; removeAll(): Promise<void> } {
  const dirs: TmpDir[] = [];
  return {
    async make() {
      const dir = await tmpDir(prefix);
      dirs.push(dir);
      return dir.path;
    },
    async removeAll() {
      await Promise.all(dirs.splice(0).map((d) => d.remove()));
    },
  };
}

/** Paths of directories created by tmpDir() and not yet removed (for tests of the helpers). */
export function liveTmpDirs(): readonly string[] {
  return [...live];
}
