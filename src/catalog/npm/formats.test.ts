import { describe, expect, it } from 'vitest';
import { parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseBerry, parseClassic } from './yarn-lock.js';

/** Format corners the generated fixtures do not reach: aliases, protocols, peer suffixes. */
const names = (r: { found: Array<{ name: string; version: string }> }) => r.found.map((f) => `${f.name}@${f.version}`);

describe('lockfile format corners', () => {
  it('package-lock v3 aliases take the real name from `name`', () => {
    const r = parsePackageLock(
      JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/str': { name: 'string-width', version: '4.2.3', devOptional: true } } }),
    );
    expect(r.found).toMatchObject([{ name: 'string-width', version: '4.2.3', metadata: { alias: 'str', devOptional: true } }]);
  });

  it('package-lock v1 aliases are written as npm:real@version', () => {
    const r = parsePackageLock(JSON.stringify({ lockfileVersion: 1, dependencies: { str: { version: 'npm:string-width@4.2.3', dev: true } } }));
    expect(r.found).toMatchObject([{ name: 'string-width', version: '4.2.3', dev: true, metadata: { alias: 'str' } }]);
  });

  it('yarn v1 reads quoted multi-spec headers, aliases and CRLF line ends', () => {
    const text = [
      '# yarn lockfile v1',
      '',
      '"@s/a@^1.0.0", "@s/a@^1.1.0":',
      '  version "1.2.0"',
      '  dependencies:',
      '    str "npm:string-width@^4"',
      '',
      '"str@npm:string-width@^4":',
      '  version "4.2.3"',
      '',
    ].join('\r\n');
    const r = parseClassic(text);
    expect(r.notes.shown).toEqual([]);
    expect(names(r)).toEqual(['@s/a@1.2.0', 'string-width@4.2.3']);
    expect(r.found[1]?.metadata).toMatchObject({ alias: 'str' });
    expect(r.edges).toEqual([[0, 1]]);
  });

  it('yarn berry keeps patch: entries with their protocol and skips link:/portal:/workspace:', () => {
    const text = [
      '__metadata:',
      '  version: 8',
      '"resolve@patch:resolve@npm%3A^1.22.0#~builtin<compat/resolve>":',
      '  version: 1.22.8',
      '  resolution: "resolve@patch:resolve@npm%3A1.22.8#~builtin<compat/resolve>::version=1.22.8&hash=c3c19d"',
      '"local@link:./local":',
      '  version: 0.0.0-use.local',
      '  resolution: "local@link:./local::locator=app%40workspace%3A."',
      '"app@workspace:.":',
      '  version: 0.0.0-use.local',
      '  resolution: "app@workspace:."',
    ].join('\n');
    const r = parseBerry(text);
    expect(names(r)).toEqual(['resolve@1.22.8']);
    expect(r.found[0]?.metadata).toMatchObject({ protocol: 'patch:' });
  });

  it('pnpm v5 and v6 strip peer suffixes and merge peer variants', () => {
    const v5 = parsePnpmLock("lockfileVersion: 5.4\npackages:\n  /@s/a/1.0.0_react@18.0.0:\n    dev: false\n  /a_b/2.0.0:\n    dev: true\n");
    expect(names(v5)).toEqual(['@s/a@1.0.0', 'a_b@2.0.0']);
    expect(v5.found.map((f) => f.dev)).toEqual([false, true]);
    const v6 = parsePnpmLock("lockfileVersion: '6.0'\npackages:\n  /@s/a@1.0.0(react@18.0.0):\n    dev: false\n  /@s/a@1.0.0(react@17.0.0):\n    dev: false\n");
    expect(names(v6)).toEqual(['@s/a@1.0.0', '@s/a@1.0.0']);
  });

  it('pnpm v9 derives dev from the importers and follows aliases in snapshots', () => {
    const text = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      a: {specifier: ^1, version: 1.0.0}',
      '    devDependencies:',
      '      t: {specifier: ^2, version: 2.0.0}',
      'packages:',
      '  a@1.0.0: {resolution: {integrity: sha512-x}}',
      '  b@3.0.0: {resolution: {integrity: sha512-y}}',
      '  t@2.0.0: {resolution: {integrity: sha512-z}}',
      'snapshots:',
      '  a@1.0.0:',
      '    dependencies: {bee: b@3.0.0}',
      '  b@3.0.0: {}',
      '  t@2.0.0:',
      '    dependencies: {a: 1.0.0}',
    ].join('\n');
    const r = parsePnpmLock(text);
    expect(r.found.map((f) => `${f.name}@${f.version}${f.dev ? ' dev' : ''}`)).toEqual(['a@1.0.0', 'b@3.0.0', 't@2.0.0 dev']);
    expect(r.edges).toEqual([
      [0, 1],
      [2, 0],
    ]);
  });
});
