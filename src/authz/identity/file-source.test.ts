import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PortcullisError } from '../../core/errors.js';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { loadGroupFile, MAX_GROUP_FILE_BYTES } from './file-source.js';

const dirs = tmpDirPool('identity-file');
afterAll(() => dirs.removeAll());

async function fileWith(text: string | Buffer): Promise<string> {
  const path = join(await dirs.make(), 'groups.yaml');
  await writeFile(path, text);
  return path;
}

describe('loadGroupFile', () => {
  it('merges the users and groups sections', async () => {
    const file = await loadGroupFile(join(import.meta.dirname, 'testdata', 'groups.yaml'));
    expect(file.groupsOf('alice')).toEqual(['admins', 'devs', 'operators']);
    expect(file.groupsOf('bob')).toEqual(['devs']);
    expect(file.groupsOf('ci-runner')).toEqual(['ci']);
    expect(file.groupsOf('carol')).toEqual([]); // listed, in no group: known
    expect(file.groupsOf('mallory')).toBeUndefined();
    expect(file.groupsOf('Alice')).toBeUndefined(); // names are exact
    expect(file.userCount).toBe(4);
  });

  it('treats an empty file and empty sections as nobody', async () => {
    expect((await loadGroupFile(await fileWith(''))).userCount).toBe(0);
    expect((await loadGroupFile(await fileWith('users:\ngroups:\n'))).userCount).toBe(0);
  });

  it('keeps object-prototype names as plain names', async () => {
    const file = await loadGroupFile(await fileWith('users:\n  constructor: [devs]\n  toString: []\n'));
    expect(file.groupsOf('constructor')).toEqual(['devs']);
    expect(file.groupsOf('hasOwnProperty')).toBeUndefined();
    expect(({} as Record<string, unknown>).devs).toBeUndefined();
  });

  it.each([
    ['a __proto__ user', 'users:\n  __proto__: [admins]\n', /__proto__ is reserved/],
    ['a duplicate user', 'users:\n  alice: [a]\n  alice: [b]\n', /not valid YAML.*unique/i],
    ['an unknown section', 'members:\n  alice: [a]\n', /Unrecognized key/i],
    ['a group list that is a string', 'users:\n  alice: admins\n', /users\.alice/],
    ['a nested group', 'groups:\n  devs: [[alice]]\n', /groups\.devs\.0/],
    ['an empty user name', 'users:\n  "": [a]\n', /users/],
    ['a top-level list', '- alice\n', /\(top\)/],
    ['truncated YAML', 'users:\n  alice: [admins, de', /not valid YAML/],
    ['a tab-indented file', 'users:\n\talice: [a]\n', /not valid YAML/],
  ])('rejects %s as AUTHZ_CONFIG', async (_name, text, message) => {
    const path = await fileWith(text);
    const err = await loadGroupFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortcullisError);
    expect((err as PortcullisError).code).toBe('AUTHZ_CONFIG');
    expect((err as PortcullisError).message).toContain(path);
    expect((err as PortcullisError).message).toMatch(message);
  });

  it('rejects an alias bomb without expanding it', async () => {
    // "billion laughs": each level repeats the previous one ten times (10^12 names if expanded).
    const lines = ['users:', '  a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`  ${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10).fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`).join(', ')}]`);
    const started = Date.now();
    const err = await loadGroupFile(await fileWith(`${lines.join('\n')}\n`)).catch((e: unknown) => e);
    expect((err as PortcullisError).code).toBe('AUTHZ_CONFIG');
    expect((err as PortcullisError).message).toMatch(/alias/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects a missing file, a directory and an oversized file', async () => {
    const dir = await dirs.make();
    await expect(loadGroupFile(join(dir, 'absent.yaml'))).rejects.toThrow(/cannot be read/);
    await expect(loadGroupFile(dir)).rejects.toThrow(/not a regular file/);
    const big = await fileWith(Buffer.alloc(MAX_GROUP_FILE_BYTES + 1, 0x20));
    await expect(loadGroupFile(big)).rejects.toThrow(/larger than/);
  });
});
