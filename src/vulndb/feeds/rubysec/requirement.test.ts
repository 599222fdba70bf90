import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gemScheme } from '../../../version/gem/index.js';
import { contains } from '../ranges.js';
import { bump, comparatorIntervals, GEM_ORDER, gemSuccessor, requirementIntervals } from './requirement.js';

const hasRuby = spawnSync('ruby', ['-e', 'exit 0']).status === 0;
const inReq = (req: string, v: string) => {
  const u = requirementIntervals(req);
  if (typeof u === 'string') throw new Error(u);
  return u.some((i) => contains(i, v, GEM_ORDER));
};

describe('RubyGems requirements as intervals', () => {
  it('bumps like Gem::Version#bump', () => {
    expect(['5.2.4', '5', '5.0', '3.0.0.beta', '1.2-rc1', '0.0.1', '2.3.11'].map(bump)).toEqual(['5.3', '6', '6', '3.1', '2', '0.1', '2.4']);
  });

  it.skipIf(!hasRuby)('bumps exactly as the installed RubyGems does', () => {
    const versions = ['5.2.4', '5', '5.0', '3.0.0.beta', '1.2-rc1', '0.0.1', '2.3.11', '1.0.0.rc.1', '10.20.30.40', '0.9.a.1'];
    const ruby = execFileSync('ruby', ['-e', 'ARGV.each { |v| puts Gem::Version.new(v).bump }', ...versions], { encoding: 'utf8' }).trim().split('\n');
    expect(versions.map(bump)).toEqual(ruby);
  });

  it('reads every operator, defaulting to =', () => {
    expect(inReq('1.2', '1.2.0')).toBe(true);
    expect(inReq('= 1.2', '1.2.1')).toBe(false);
    expect(inReq('!= 1.2', '1.2')).toBe(false);
    expect(inReq('!= 1.2', '1.1')).toBe(true);
    expect(inReq('> 1.2', '1.2')).toBe(false);
    expect(inReq('>1.2', '1.2.0.1')).toBe(true);
    expect(inReq('< 1.2', '1.2.a')).toBe(true); // a prerelease sorts below its release
    expect(inReq('<= 1.2', '1.2')).toBe(true);
    expect(inReq('  >=  1.2  ', '1.2')).toBe(true);
  });

  it('keeps prereleases of the bump outside ~> as Gem::Requirement does (v.release < r.bump)', () => {
    expect(inReq('~> 5.2.4', '5.2.4')).toBe(true);
    expect(inReq('~> 5.2.4', '5.2.99.rc1')).toBe(true);
    expect(inReq('~> 5.2.4', '5.3.0.beta1')).toBe(false);
    expect(inReq('~> 5.2.4', '5.3.a')).toBe(false);
    expect(inReq('~> 5.2.4', '5.3.A')).toBe(false);
    expect(inReq('~> 5.2.4', '5.3')).toBe(false);
    expect(inReq('~> 5.2', '5.9')).toBe(true);
    expect(inReq('~> 5.2', '6.0.0.beta1')).toBe(false);
    expect(inReq('~> 5.2.4, >= 5.2.4.3', '5.2.4.2')).toBe(false);
    expect(inReq('~> 5.2.4, >= 5.2.4.3', '5.2.4.3')).toBe(true);
  });

  it('names a successor only versions of the form v.0.0.0… fall below', () => {
    expect(gemSuccessor('1.6.9')).toBe('1.6.9.0.0.1');
    for (const v of ['1.6.9.0.1', '1.6.10', '1.6.10.rc1', '1.7']) expect(gemScheme.compare(v, gemSuccessor('1.6.9')), v).toBe(1);
    for (const v of ['1.6.9', '1.6.9.0', '1.6.9.rc1']) expect(gemScheme.compare(v, gemSuccessor('1.6.9')), v).toBe(-1);
  });

  it('refuses what Gem::Requirement refuses', () => {
    for (const bad of ['=> 1.0', '>= ', '~> 1.0 beta', '>= 1..2', '', 'latest']) expect(typeof comparatorIntervals(bad), bad).toBe('string');
    expect(requirementIntervals('>= 1.0, <')).toBe('" <" is not a RubyGems requirement');
  });
});
