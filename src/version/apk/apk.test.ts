import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../fixture.js';
import { apkScheme } from './index.js';

const rows = loadFixtures(new URL('./testdata/', import.meta.url).pathname);

describe('apk scheme', () => {
  it("agrees with apk-tools' own test vectors (hand-transcribed) on every row", () => {
    expect(rows.length).toBeGreaterThanOrEqual(300);
    const wrong = rows.filter((r) => apkScheme.compare(r.a, r.b) !== r.expected);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('validates the grammar digit{.digit}{letter}{_suffix{n}}{~hash}{-r#}', () => {
    for (const v of ['1', '1.0', '1.0a', '1.0_alpha1_pre2', '1.0~abc123', '1.0-r1', '1.2.3a_rc1~f00-r12']) {
      expect(apkScheme.isValid(v), v).toBe(true);
    }
    for (const v of ['', 'a', '1.0bc', '23_foo', '1.0-1', '1.0-r', '1.0.', '1.0_', '1.0~', '1.0-r1_p1', '1.0a1', 'v1.0']) {
      expect(apkScheme.isValid(v), v).toBe(false);
    }
  });
});
