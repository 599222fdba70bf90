import type { z } from 'zod';
import { isPortcullisError } from '../../core/errors.js';
import { type Endpoint, engineJson } from '../../image/daemon/engine.js';
import { type Known, known, unknown } from '../outcome.js';

/**
 * Engine API reads for compliance, over the scan's own GET-only client (src/image/daemon/engine.ts).
 * A daemon that does not answer, answers an error or answers nonsense becomes an unknown
 * value with the reason: checks that need it skip, none passes.
 */
const MAX_REPLY = 32 * 1024 * 1024;

export async function engineRead<T>(ep: Endpoint, path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<Known<T>> {
  let json: unknown;
  try {
    json = await engineJson(ep, path, ep.display, MAX_REPLY, signal);
  } catch (err) {
    if (isPortcullisError(err)) return unknown(`${path}: ${err.message}`);
    return unknown(`${path}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return known(parsed.data);
  const issue = parsed.error.issues[0];
  return unknown(`${path}: the daemon's reply is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
