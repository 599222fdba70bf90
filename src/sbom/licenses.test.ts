import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyLicense, classifyLicenses, parseSpdxExpression } from './licenses.js';
import { SPDX_EXCEPTION_IDS, SPDX_LICENSE_IDS } from './spdx-license-ids.js';

describe('classifyLicense', () => {
  const cases: [string, ReturnType<typeof classifyLicense>][] = [
    ['MIT', { kind: 'id', id: 'MIT' }],
    ['mit', { kind: 'id', id: 'MIT' }],
    ['  Apache-2.0  ', { kind: 'id', id: 'Apache-2.0' }],
    ['BSD-3-clause', { kind: 'id', id: 'BSD-3-Clause' }],
    // Debian copyright / Fedora short names for the GNU family map to SPDX ids.
    ['GPL-2+', { kind: 'id', id: 'GPL-2.0-or-later' }],
    ['GPL-2', { kind: 'id', id: 'GPL-2.0-only' }],
    ['LGPL-2.1+', { kind: 'id', id: 'LGPL-2.1-or-later' }],
    ['GPLv3+', { kind: 'id', id: 'GPL-3.0-or-later' }],
    ['ASL 2.0', { kind: 'id', id: 'Apache-2.0' }],
    ['Expat', { kind: 'id', id: 'MIT' }],
    // Deprecated GNU ids become their current form; other deprecated ids stay as they are.
    ['GPL-2.0+', { kind: 'id', id: 'GPL-2.0-or-later' }],
    ['LGPL-2.1', { kind: 'id', id: 'LGPL-2.1-only' }],
    ['eCos-2.0', { kind: 'id', id: 'eCos-2.0' }],
    ['Apache-2.0 OR MIT', { kind: 'expression', expression: 'Apache-2.0 OR MIT' }],
    ['mit or apache-2.0', { kind: 'expression', expression: 'MIT OR Apache-2.0' }],
    ['MPL-2.0 AND MIT', { kind: 'expression', expression: 'MPL-2.0 AND MIT' }],
    ['(MIT OR ISC) AND Zlib', { kind: 'expression', expression: '(MIT OR ISC) AND Zlib' }],
    ['((MIT))', { kind: 'id', id: 'MIT' }],
    ['MIT AND (ISC AND Zlib)', { kind: 'expression', expression: 'MIT AND ISC AND Zlib' }],
    ['GPL-3+ with GCC-exception-3.1', { kind: 'expression', expression: 'GPL-3.0-or-later WITH GCC-exception-3.1' }],
    ['MPL-1.1+', { kind: 'expression', expression: 'MPL-1.1+' }],
    ['LicenseRef-acme-1', { kind: 'expression', expression: 'LicenseRef-acme-1' }],
    ['GPL-1+ or Artistic', { kind: 'name', name: 'GPL-1+ or Artistic' }],
    ['public-domain', { kind: 'name', name: 'public-domain' }],
    ['GPL-2.1', { kind: 'name', name: 'GPL-2.1' }],
    ['MIT AND', { kind: 'name', name: 'MIT AND' }],
    ['(MIT', { kind: 'name', name: '(MIT' }],
    ['MIT WITH', { kind: 'name', name: 'MIT WITH' }],
    ['MIT WITH Apache-2.0', { kind: 'name', name: 'MIT WITH Apache-2.0' }],
    ['MIT And ISC', { kind: 'name', name: 'MIT And ISC' }],
    ['LGPLv2+ and GPLv2+ with exceptions and BSD and Public Domain', { kind: 'name', name: 'LGPLv2+ and GPLv2+ with exceptions and BSD and Public Domain' }],
    ['', undefined],
    ['   ', undefined],
  ];
  it.each(cases)('%j', (raw, expected) => {
    expect(classifyLicense(raw)).toEqual(expected);
  });

  it('drops blanks and duplicates (after normalisation), keeping order', () => {
    expect(classifyLicenses(['GPL-2+', '', 'GPL-2.0-or-later', 'MIT', 'mit', 'x y'])).toEqual([
      { kind: 'id', id: 'GPL-2.0-or-later' },
      { kind: 'id', id: 'MIT' },
      { kind: 'name', name: 'x y' },
    ]);
  });
});

describe('parseSpdxExpression on hostile input', () => {
  it('treats very deep nesting as not an expression, without overflowing the stack', () => {
    const deep = `${'('.repeat(100_000)}MIT${')'.repeat(100_000)}`;
    expect(parseSpdxExpression(deep)).toBeUndefined();
    expect(classifyLicense(deep)).toEqual({ kind: 'name', name: deep });
  });

  it('treats very long operator chains as not an expression, quickly', () => {
    const long = Array.from({ length: 50_000 }, () => 'MIT').join(' AND ');
    const started = Date.now();
    expect(parseSpdxExpression(long)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('accepts moderate nesting', () => {
    expect(parseSpdxExpression(`${'('.repeat(10)}MIT OR ISC${')'.repeat(10)}`)).toBe('MIT OR ISC');
  });
});

describe('SPDX id lists', () => {
  it('partition the license-id enum of the vendored CycloneDX spdx.schema.json exactly', () => {
    const schema = JSON.parse(
      readFileSync(new URL('./testdata/schemas/spdx.schema.json', import.meta.url), 'utf8'),
    ) as { enum: string[] };
    const ours = [...SPDX_LICENSE_IDS, ...SPDX_EXCEPTION_IDS];
    expect(new Set(ours).size).toBe(ours.length);
    expect([...ours].sort()).toEqual([...schema.enum].sort());
    // A few known members on the right side of the split.
    expect(SPDX_EXCEPTION_IDS).toEqual(expect.arrayContaining(['Classpath-exception-2.0', 'Linux-syscall-note', 'LLVM-exception']));
    expect(SPDX_LICENSE_IDS).toEqual(expect.arrayContaining(['MIT', 'GPL-2.0-only', 'SHL-0.51']));
    expect(SPDX_LICENSE_IDS).not.toContain('GCC-exception-3.1');
  });
});
