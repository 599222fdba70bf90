import { cyclonedxReporter } from './cyclonedx.js';
import { jsonReporter } from './json.js';
import { tableReporter } from './table.js';
import type { Reporter } from './types.js';

/** Every reporter, sorted by id. Nothing registers itself: add a reporter here. */
export const REPORTERS: readonly Reporter[] = [cyclonedxReporter, jsonReporter, tableReporter];

export function reporterById(id: string): Reporter | undefined {
  return REPORTERS.find((r) => r.id === id);
}
