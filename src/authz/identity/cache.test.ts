import { describe, expect, it } from 'vitest';
import { SingleFlight, TtlCache } from './cache.js';

function clock(start = 1000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('TtlCache', () => {
  it('answers within the TTL and forgets after it', () => {
    const c = clock();
    const cache = new TtlCache<string>(10, c.now);
    cache.set('alice', 'admins', 500);
    c.t += 499;
    expect(cache.get('alice')).toBe('admins');
    c.t += 1;
    expect(cache.get('alice')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('a TTL of 0 stores nothing and removes an older entry', () => {
    const cache = new TtlCache<string>(10);
    cache.set('bob', 'devs', 60_000);
    cache.set('bob', 'none', 0);
    expect(cache.get('bob')).toBeUndefined();
  });

  it('drops the least recently used entry when full', () => {
    const cache = new TtlCache<number>(3);
    for (const [i, k] of ['a', 'b', 'c'].entries()) cache.set(k, i, 60_000);
    expect(cache.get('a')).toBe(0); // a is now the most recent; b the least
    cache.set('d', 3, 60_000);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([0, 2, 3]);
  });
});

describe('SingleFlight', () => {
  it('runs once for concurrent callers of one key, separately per key, and again afterwards', async () => {
    const flight = new SingleFlight<string>();
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const work = (key: string) => async () => {
      runs.push(key);
      await gate;
      return `${key}:${runs.length}`;
    };
    const calls = [...Array.from({ length: 20 }, () => flight.run('alice', work('alice'))), flight.run('bob', work('bob'))];
    expect(flight.inFlight).toBe(2);
    release();
    const results = await Promise.all(calls);
    expect(runs).toEqual(['alice', 'bob']);
    expect(new Set(results.slice(0, 20)).size).toBe(1);
    expect(flight.inFlight).toBe(0);
    await flight.run('alice', work('alice'));
    expect(runs).toEqual(['alice', 'bob', 'alice']);
  });

  it('shares a failure with every waiter and then forgets it', async () => {
    const flight = new SingleFlight<number>();
    const failing = async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('boom');
    };
    const results = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await flight.run('k', async () => 7)).toBe(7);
  });
});
