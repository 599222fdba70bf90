import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Known, known, unknown } from '../outcome.js';

/**
 * Host files read under a root prefix: `/` for the real host, a fake tree in tests, or the
 * host's root mounted into an agent container (`/host`). Reads are bounded; nothing follows
 * a path out of the prefix except the kernel's own symlink resolution inside it.
 */
export interface HostFs {
  readonly root: string;
  /** Text of a small file, or why it cannot be read (`absent` when it does not exist). */
  readText(path: string, max?: number): Known<string> & { readonly absent?: boolean };
  stat(path: string): FileFact;
  list(dir: string): string[];
}

export interface FileFact {
  readonly path: string;
  readonly exists: boolean;
  /** Why the file could not be examined (permission, I/O), when it exists but is unreadable. */
  readonly error?: string;
  readonly type?: 'file' | 'dir' | 'socket' | 'symlink' | 'other';
  /** Permission bits (0o7777). */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly user?: string;
  readonly group?: string;
  /** Why this path was examined, when the path itself was worked out (e.g. from dockerd's flags). */
  readonly origin?: string;
}

const MAX_TEXT = 4 * 1024 * 1024;

function idNames(text: string | undefined): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of (text ?? '').split('\n')) {
    const [name, , id] = line.split(':');
    const n = Number(id);
    if (name && Number.isInteger(n) && !out.has(n)) out.set(n, name);
  }
  return out;
}

export function hostFs(root: string): HostFs {
  const abs = (p: string) => join(root, p);
  const readText = (path: string, max = MAX_TEXT): Known<string> & { absent?: boolean } => {
    try {
      const st = statSync(abs(path));
      if (!st.isFile()) return unknown(`${path} is not a regular file`);
      if (st.size > max) return unknown(`${path} is larger than ${max} bytes`);
      return known(readFileSync(abs(path), 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { ...unknown(`${path} does not exist`), absent: true };
      return unknown(`cannot read ${path}: ${code ?? (err as Error).message}`);
    }
  };
  let users: Map<number, string> | undefined;
  let groups: Map<number, string> | undefined;
  const names = () => {
    if (!users || !groups) {
      const p = readText('/etc/passwd');
      const g = readText('/etc/group');
      users = idNames(p.known ? p.value : undefined);
      groups = idNames(g.known ? g.value : undefined);
    }
    return { users, groups };
  };
  return {
    root,
    readText,
    stat(path) {
      try {
        const st = statSync(abs(path));
        const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSocket() ? 'socket' : 'other';
        const { users: u, groups: g } = names();
        const user = u.get(st.uid);
        const group = g.get(st.gid);
        return { path, exists: true, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, ...(user ? { user } : {}), ...(group ? { group } : {}) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return { path, exists: false };
        return { path, exists: true, error: code ?? (err as Error).message };
      }
    },
    list(dir) {
      try {
        return readdirSync(abs(dir)).sort();
      } catch {
        return [];
      }
    },
  };
}

/** `0o644` as text, for evidence. */
export function modeText(mode: number | undefined): string {
  return mode === undefined ? '?' : `0${mode.toString(8).padStart(3, '0')}`;
}

/** Members of a group in /etc/group content (the supplementary list; primary members are in passwd). */
export function groupMembers(groupText: string, passwdText: string | undefined, name: string): string[] | undefined {
  for (const line of groupText.split('\n')) {
    const [gname, , gid, list] = line.split(':');
    if (gname !== name) continue;
    const members = new Set((list ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    for (const p of (passwdText ?? '').split('\n')) {
      const parts = p.split(':');
      if (parts[3] === gid && parts[0]) members.add(parts[0]);
    }
    return [...members].sort();
  }
  return undefined;
}
