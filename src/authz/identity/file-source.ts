import { readFile, stat } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { PortcullisError } from '../../core/errors.js';

/** A group file bigger than this is a mistake, not a directory (a million users fit in less). */
export const MAX_GROUP_FILE_BYTES = 16 * 1024 * 1024;

const Name = z.string().min(1).max(256);
const GroupFileSchema = z.strictObject({
  /** user → the groups it belongs to */
  users: z.record(Name, z.array(Name).nullable()).nullable().optional(),
  /** group → its members */
  groups: z.record(Name, z.array(Name).nullable()).nullable().optional(),
});

/** The local group file, read once: user → groups, both directions of the file merged. */
export interface GroupFile {
  readonly path: string;
  /** Undefined when the file does not name the user at all. */
  groupsOf(user: string): readonly string[] | undefined;
  readonly userCount: number;
}

function invalid(path: string, message: string, cause?: unknown): PortcullisError {
  return new PortcullisError('AUTHZ_CONFIG', `group file ${path}: ${message}`, { path }, { cause });
}

/** Builds the user → groups map from the file's two sections (a user may appear in both). */
export function buildGroupFile(path: string, doc: unknown): GroupFile {
  // zod drops `__proto__` keys without a word; refuse them rather than lose a user silently.
  for (const section of ['users', 'groups'] as const) {
    const raw = (doc as Record<string, unknown> | null)?.[section];
    if (raw !== null && typeof raw === 'object' && Object.hasOwn(raw, '__proto__')) throw invalid(path, `${section}: the name __proto__ is reserved`);
  }
  const parsed = GroupFileSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw invalid(path, `${first?.path.join('.') || '(top)'}: ${first?.message ?? 'invalid'}`);
  }
  // A Map, not an object: user names such as `__proto__` or `constructor` are plain keys here.
  const map = new Map<string, Set<string>>();
  const add = (user: string, group?: string) => {
    let set = map.get(user);
    if (set === undefined) map.set(user, (set = new Set()));
    if (group !== undefined) set.add(group);
  };
  for (const [user, groups] of Object.entries(parsed.data.users ?? {})) {
    add(user);
    for (const group of groups ?? []) add(user, group);
  }
  for (const [group, members] of Object.entries(parsed.data.groups ?? {})) {
    for (const user of members ?? []) add(user, group);
  }
  const frozen = new Map([...map].map(([user, set]) => [user, Object.freeze([...set].sort())] as const));
  return {
    path,
    groupsOf: (user) => frozen.get(user),
    userCount: frozen.size,
  };
}

/** Reads and validates the YAML group file; a missing, oversized or malformed file is AUTHZ_CONFIG. */
export async function loadGroupFile(path: string): Promise<GroupFile> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw invalid(path, 'not a regular file');
    if (info.size > MAX_GROUP_FILE_BYTES) throw invalid(path, `larger than ${MAX_GROUP_FILE_BYTES} bytes`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    throw invalid(path, `cannot be read: ${(err as Error).message}`, err);
  }
  let doc: unknown;
  try {
    // uniqueKeys: a user listed twice is a mistake the file's author should hear about.
    doc = parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw invalid(path, `not valid YAML: ${(err as Error).message.split('\n')[0]}`, err);
  }
  return buildGroupFile(path, doc);
}
