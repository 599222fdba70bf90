import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PortcullisError } from '../core/errors.js';
import { MAX_POLICY_BYTES, type PolicySource } from './load.js';

/**
 * Reads `--policy` arguments: files, or directories whose `.yaml`, `.yml` and `.json` files
 * (recursively, sorted) are policies. A path that cannot be read, or a directory without
 * policy files, is POLICY_INVALID: asking for a policy and getting none must not allow.
 */

const EXT = /\.(ya?ml|json)$/i;
const MAX_DEPTH = 8;
const MAX_FILES = 10_000;

function listDir(dir: string, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) throw new PortcullisError('POLICY_INVALID', `${dir}: policy directories nest deeper than ${MAX_DEPTH}`, { path: dir });
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) listDir(p, depth + 1, out);
    else if (e.isFile() && EXT.test(e.name)) out.push(p);
    if (out.length > MAX_FILES) throw new PortcullisError('POLICY_INVALID', `${dir}: more than ${MAX_FILES} policy files`, { path: dir });
  }
}

export function readPolicySources(paths: readonly string[], cwd: string): PolicySource[] {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      throw new PortcullisError('POLICY_INVALID', `cannot read policy ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { path: p });
    }
    if (st.isDirectory()) {
      const before = files.length;
      listDir(abs, 0, files);
      if (files.length === before) throw new PortcullisError('POLICY_INVALID', `no policy files (.yaml, .yml, .json) in ${p}`, { path: p });
    } else files.push(abs);
  }
  return files.map((f) => {
    const size = statSync(f).size;
    if (size > MAX_POLICY_BYTES) throw new PortcullisError('POLICY_INVALID', `${f} is larger than ${MAX_POLICY_BYTES} bytes`, { path: f });
    try {
      return { file: f, text: readFileSync(f, 'utf8') };
    } catch (err) {
      throw new PortcullisError('POLICY_INVALID', `cannot read policy ${f}: ${(err as Error).message}`, { path: f });
    }
  });
}
