import { cyclonedxReporter } from './cyclonedx.js';
import { githubReporter } from './github.js';
import { gitlabReporter } from './gitlab.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { sarifReporter } from './sarif.js';
import { tableReporter } from './table.js';
import type { Reporter } from './types.js';

/** Every reporter, sorted by id. Nothing registers itself: add a reporter here. */
export const REPORTERS: readonly Reporter[] = [cyclonedxReporter, githubReporter, gitlabReporter, jsonReporter, junitReporter, sarifReporter, tableReporter];

export function reporterById(id: string): Reporter | undefined {
  return REPORTERS.find((r) => r.id === id);
}
