import { describe, expect, it } from 'vitest';
import { cvssFromVector, severityFromScore } from './cvss.js';

describe('cvssFromVector', () => {
  it('computes base scores for every version (values from FIRST calculators)', () => {
    expect(cvssFromVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'nvd')).toEqual({ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, source: 'nvd' });
    expect(cvssFromVector('CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', 'x')?.score).toBe(6.5);
    expect(cvssFromVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'x')?.score).toBe(9.3);
    expect(cvssFromVector('AV:N/AC:L/Au:N/C:P/I:P/A:P', 'x')).toMatchObject({ version: '2.0', score: 7.5 });
    expect(cvssFromVector('(AV:N/AC:M/Au:N/C:N/I:P/A:N)', 'x')).toMatchObject({ version: '2.0', vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N', score: 4.3 });
  });

  it('refuses what is not a vector', () => {
    for (const bad of ['', 'garbage', '9.8', 'CVSS:3.1/AV:X', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', 'CVSS:5.0/AV:N']) {
      expect(cvssFromVector(bad, 'x')).toBeUndefined();
    }
  });

  it('maps scores to ratings', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityFromScore)).toEqual(['negligible', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
});
