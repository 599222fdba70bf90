import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tmpDirPool } from '../../../test/helpers/tmp.js';
import { GroupsConfigSchema } from './config.js';
import { makeGroupResolver } from './resolver.js';

const dirs = tmpDirPool('identity-resolver');
afterAll(() => dirs.removeAll());

async function groupFile(text: string): Promise<string> {
  const path = join(await dirs.make(), 'groups.yaml');
  await writeFile(path, text);
  return path;
}

describe('makeGroupResolver with a group file only', () => {
  it('answers from the file; users it does not name are unknown', async () => {
    const r = await makeGroupResolver(GroupsConfigSchema.parse({ file: join(import.meta.dirname, 'testdata', 'groups.yaml') }));
    expect(await r.groupsOf('alice')).toEqual({ known: true, groups: ['admins', 'devs', 'operators'], source: 'file' });
    expect(await r.groupsOf('carol')).toEqual({ known: true, groups: [], source: 'file' });
    expect(await r.groupsOf('mallory')).toEqual({ known: false, groups: [], source: 'none' });
    expect(await r.groupsOf('')).toEqual({ known: false, groups: [], source: 'none' });
    expect((await r.groupsOf('alice\r')).problem?.code).toBe('AUTHZ_REQUEST');
    await r.close();
  });

  it('no sources: everybody is unknown', async () => {
    const r = await makeGroupResolver(GroupsConfigSchema.parse({}));
    expect(await r.groupsOf('alice')).toEqual({ known: false, groups: [], source: 'none' });
  });

  it('reload = build a new resolver: the new file applies, a broken file throws and leaves the old one working', async () => {
    const path = await groupFile('users:\n  bob: [devs]\n');
    const config = GroupsConfigSchema.parse({ file: path });
    const old = await makeGroupResolver(config);
    await writeFile(path, 'users:\n  bob: [devs, admins]\n');
    expect((await old.groupsOf('bob')).groups).toEqual(['devs']); // read once, at build
    const reloaded = await makeGroupResolver(config, { reuseCacheOf: old });
    expect((await reloaded.groupsOf('bob')).groups).toEqual(['admins', 'devs']);
    await writeFile(path, 'users:\n  bob: [devs, admins\n');
    await expect(makeGroupResolver(config, { reuseCacheOf: reloaded })).rejects.toMatchObject({ code: 'AUTHZ_CONFIG' });
    expect((await reloaded.groupsOf('bob')).groups).toEqual(['admins', 'devs']);
  });

  it('a missing group file stops the build with AUTHZ_CONFIG', async () => {
    const path = join(await dirs.make(), 'absent.yaml');
    await expect(makeGroupResolver(GroupsConfigSchema.parse({ file: path }))).rejects.toMatchObject({ code: 'AUTHZ_CONFIG' });
  });
});
