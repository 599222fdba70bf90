import { describe, expect, it } from 'vitest';
import { schemeById } from '../version/registry.js';
import type { VersionScheme } from '../version/types.js';
import type { Affected } from '../vulndb/model.js';
import { affectedBy } from './ranges.js';

const semver = schemeById('semver') as VersionScheme;
const deb = schemeById('deb') as VersionScheme;
const pep = schemeById('pep440') as VersionScheme;

const aff = (events: Affected['ranges'][number]['events'], versions: string[] = []): Affected => ({ ecosystem: 'npm', name: 'x', ranges: [{ type: 'ECOSYSTEM', events }], versions });

describe('affectedBy (OSV evaluation)', () => {
  it('treats introduced as inclusive and fixed as exclusive', () => {
    const a = aff([{ introduced: '1.0.0' }, { fixed: '1.2.3' }]);
    expect(affectedBy('0.9.9', a, semver)).toBeUndefined();
    expect(affectedBy('1.0.0', a, semver)).toEqual({ range: '>=1.0.0, <1.2.3', fixed: '1.2.3', listed: false });
    expect(affectedBy('1.2.2', a, semver)?.fixed).toBe('1.2.3');
    expect(affectedBy('1.2.3', a, semver)).toBeUndefined();
  });

  it('treats last_affected as inclusive and limit as a bound that is no fix', () => {
    expect(affectedBy('2.0.0', aff([{ introduced: '0' }, { last_affected: '2.0.0' }]), semver)).toEqual({ range: '>=0, <=2.0.0', fixed: undefined, listed: false });
    expect(affectedBy('2.0.1', aff([{ introduced: '0' }, { last_affected: '2.0.0' }]), semver)).toBeUndefined();
    expect(affectedBy('2.1.2', aff([{ introduced: '0' }, { limit: '2.1.3' }]), semver)).toEqual({ range: '>=0, <2.1.3', fixed: undefined, listed: false });
    expect(affectedBy('2.1.3', aff([{ introduced: '0' }, { limit: '2.1.3' }]), semver)).toBeUndefined();
  });

  it('handles several intervals in one range, unsorted events and no fix', () => {
    const a = aff([{ fixed: '1.5.0' }, { introduced: '2.0.0' }, { introduced: '1.0.0' }, { fixed: '2.3.0' }, { introduced: '3.0.0' }]);
    expect(['0.1.0', '1.0.0', '1.4.9', '1.5.0', '1.9.0', '2.0.0', '2.2.9', '2.3.0', '2.9.9', '3.0.0', '9.0.0'].map((v) => affectedBy(v, a, semver)?.range ?? '-')).toEqual([
      '-', '>=1.0.0, <1.5.0', '>=1.0.0, <1.5.0', '-', '-', '>=2.0.0, <2.3.0', '>=2.0.0, <2.3.0', '-', '-', '>=3.0.0 (no fix)', '>=3.0.0 (no fix)',
    ]);
  });

  it('orders versions by the ecosystem scheme, not as strings', () => {
    const a = aff([{ introduced: '0' }, { fixed: '1:2.10-1' }]);
    expect(affectedBy('1:2.9-1', a, deb)?.fixed).toBe('1:2.10-1');
    expect(affectedBy('2.99', a, deb)?.fixed).toBe('1:2.10-1'); // epoch 0 < 1
    expect(affectedBy('1:2.10-1~deb12u1', a, deb)).toBeDefined(); // ~ sorts before
    const p = aff([{ introduced: '0' }, { fixed: '2.0.0' }]);
    expect(affectedBy('2.0.0rc1', p, pep)).toBeDefined();
    expect(affectedBy('2.0', p, pep)).toBeUndefined(); // 2.0 == 2.0.0 in PEP 440
  });

  it('matches explicitly listed versions and reports the next fix', () => {
    const a = aff([{ introduced: '0' }, { fixed: '1.3.0' }], ['1.1.0', '1.2.0']);
    expect(affectedBy('1.2.0', a, semver)).toEqual({ range: '=1.2.0', fixed: '1.3.0', listed: true });
    expect(affectedBy('1.2.5', { ...a, ranges: [] }, semver)).toBeUndefined();
  });
});
